package arabic

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// DefaultDictPath is where Debian's dict-freedict-ara-eng package installs FreeDict's
// Arabic–English dictionary: the .index and .dict.dz files share this prefix.
const DefaultDictPath = "/usr/share/dictd/freedict-ara-eng"

// ErrNoDictionary is wrapped by OpenDict when the dictionary files are not there.
var ErrNoDictionary = errors.New("arabic: dictionary not installed")

// Dict is a dictd-format Arabic–English dictionary, loaded into memory: each normalised
// headword maps to its English senses in the order the dictionary gives them. It is
// read-only after OpenDict and safe for concurrent use.
type Dict struct {
	senses map[string][]string
}

// OpenDict reads the dictd dictionary whose files are path+".index" and path+".dict.dz"
// (or path+".dict"); path may also name either file. "" means DefaultDictPath. The .dict.dz
// file is dictzip, which is gzip with an index of its chunks, so compress/gzip reads it
// whole. A missing file is an error wrapping ErrNoDictionary and fs.ErrNotExist.
func OpenDict(path string) (*Dict, error) {
	if path == "" {
		path = DefaultDictPath
	}
	for _, ext := range []string{".index", ".dict.dz", ".dict"} {
		path = strings.TrimSuffix(path, ext)
	}
	index, err := os.ReadFile(path + ".index")
	if err != nil {
		return nil, fmt.Errorf("open dictionary: %w: %w", ErrNoDictionary, err)
	}
	body, err := readDictBody(path)
	if err != nil {
		return nil, err
	}
	d, err := parseDict(index, body)
	if err != nil {
		return nil, fmt.Errorf("open dictionary %s: %w", filepath.Base(path), err)
	}
	return d, nil
}

// readDictBody returns the uncompressed contents of path.dict.dz, or of path.dict.
func readDictBody(path string) ([]byte, error) {
	f, err := os.Open(path + ".dict.dz")
	if errors.Is(err, os.ErrNotExist) {
		b, err2 := os.ReadFile(path + ".dict")
		if err2 != nil {
			return nil, fmt.Errorf("open dictionary: %w: %w", ErrNoDictionary, err)
		}
		return b, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open dictionary: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("read dictionary %s: %w", f.Name(), err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("read dictionary %s: %w", f.Name(), err)
	}
	return b, nil
}

// parseDict reads a dictd index (headword, offset and length in dictd's base64, separated
// by tabs) and the definitions it points into. Each definition starts with a line
// repeating the headword (with a pronunciation between slashes); the senses follow, one
// per line, numbered "1. " when there are several. Entries whose offsets fall outside body
// are skipped; the 00-database-* entries are metadata and skipped too.
func parseDict(index, body []byte) (*Dict, error) {
	d := &Dict{senses: make(map[string][]string)}
	sc := bufio.NewScanner(bytes.NewReader(index))
	for line := 1; sc.Scan(); line++ {
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) < 3 {
			return nil, fmt.Errorf("index line %d: %d fields, want 3", line, len(parts))
		}
		if strings.HasPrefix(parts[0], "00database") || strings.HasPrefix(parts[0], "00-database") {
			continue
		}
		off, err1 := b64(parts[1])
		n, err2 := b64(parts[2])
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("index line %d: %w", line, err)
		}
		if off < 0 || n <= 0 || off+n > len(body) {
			continue
		}
		key := strings.Join(Tokens(parts[0]), " ")
		if key == "" {
			continue
		}
		for _, s := range senses(string(body[off : off+n])) {
			if !contains(d.senses[key], s) {
				d.senses[key] = append(d.senses[key], s)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read index: %w", err)
	}
	if len(d.senses) == 0 {
		return nil, errors.New("no entries")
	}
	return d, nil
}

// senses returns the English senses of one definition: every line after the first,
// without "1. " numbering, lower-cased.
func senses(def string) []string {
	var out []string
	for i, line := range strings.Split(def, "\n") {
		line = strings.TrimSpace(line)
		if i == 0 || line == "" {
			continue
		}
		if j := strings.Index(line, ". "); j > 0 && j <= 3 && strings.Trim(line[:j], "0123456789") == "" {
			line = line[j+2:]
		}
		out = append(out, strings.ToLower(strings.TrimSpace(line)))
	}
	return out
}

// b64 decodes a dictd base64 number (big-endian digits A–Z a–z 0–9 + /).
func b64(s string) (int, error) {
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	if s == "" {
		return 0, errors.New("empty number")
	}
	n := 0
	for _, c := range s {
		v := strings.IndexRune(digits, c)
		if v < 0 {
			return 0, fmt.Errorf("bad base64 number %q", s)
		}
		n = n*64 + v
	}
	return n, nil
}

// Lookup returns the English senses of a normalised headword (one or more words joined
// by single spaces, as Tokens gives them), nil when there are none.
func (d *Dict) Lookup(headword string) []string {
	if d == nil {
		return nil
	}
	return d.senses[headword]
}

// Len returns the number of headwords.
func (d *Dict) Len() int { return len(d.senses) }

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
