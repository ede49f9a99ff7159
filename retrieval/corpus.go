package retrieval

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// document is one corpus file, parsed.
type document struct {
	ID     string // path without extension, "/"-separated: "oman-hosts-iran-us-discussions"
	Path   string // path inside the corpus
	Title  string
	Author string // front-matter author, else the outlet, else "" (never made up)
	Outlet string
	Date   string
	Note   string
	Body   string // text after the front matter, "\n" line ends
	// Markdown is set for .md files: cleanUnits reads their headings, lists, tables,
	// code and inline marks.
	Markdown bool
	Hash     string // hex SHA-256 of the file bytes
}

// maxFileBytes bounds one corpus file; larger files are skipped (they are almost
// certainly not articles, and reading them would dominate the index).
const maxFileBytes = 16 << 20

// corpusFile is a corpus file as listCorpus finds it, before it is read.
type corpusFile struct {
	Path  string // path inside the corpus
	Size  int64
	MTime int64 // modification time, unix ns
}

// listCorpus lists every *.txt and *.md file under fsys (recursively, skipping names
// that start with ".") with its size and modification time, without reading it: what
// the snapshot's size+mtime check needs. Anything but a regular file (a named pipe, a
// socket, a device; a symbolic link counts as its target) is never opened, since
// reading a FIFO would block: it is returned in skipped as "path: not a regular file
// (named pipe)". Files that cannot be listed are in skipped as "path: reason". err is
// set only when the root itself cannot be listed or ctx ends.
func listCorpus(ctx context.Context, fsys fs.FS) (files []corpusFile, skipped []string, err error) {
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return context.Cause(ctx)
		}
		if err != nil {
			if p == "." {
				return err
			}
			skipped = append(skipped, fmt.Sprintf("%s: %v", p, unwrapPathError(err)))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		name := d.Name()
		if p != "." && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		ext := strings.ToLower(path.Ext(name))
		if ext != ".txt" && ext != ".md" {
			return nil
		}
		fi, err := d.Info()
		if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			fi, err = fs.Stat(fsys, p) // the target decides
		}
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: %v", p, unwrapPathError(err)))
			return nil
		}
		if !fi.Mode().IsRegular() {
			skipped = append(skipped, fmt.Sprintf("%s: not a regular file (%s)", p, fileKind(fi.Mode())))
			return nil
		}
		files = append(files, corpusFile{Path: p, Size: fi.Size(), MTime: fi.ModTime().UnixNano()})
		return nil
	})
	return files, skipped, err
}

// fileKind names the type of a file that is not regular.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "device"
	case m.IsDir():
		return "folder"
	}
	return "irregular file"
}

// readCorpus reads and parses files, checking ctx before each. Files that cannot be
// used are returned in skipped as "path: reason"; err is set only when ctx ends.
func readCorpus(ctx context.Context, fsys fs.FS, files []corpusFile) (docs []document, skipped []string, err error) {
	for _, f := range files {
		if ctx.Err() != nil {
			return nil, nil, context.Cause(ctx)
		}
		doc, err := readDocument(fsys, f.Path)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: %v", f.Path, err))
			continue
		}
		docs = append(docs, doc)
	}
	return docs, skipped, nil
}

// loadCorpus lists and reads the whole corpus (listCorpus, then readCorpus).
func loadCorpus(fsys fs.FS) (docs []document, skipped []string, walkErr error) {
	files, skipped, err := listCorpus(context.Background(), fsys)
	if err != nil {
		return nil, skipped, err
	}
	docs, more, err := readCorpus(context.Background(), fsys, files)
	return docs, append(skipped, more...), err
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readDocument reads and parses one file; its errors are reasons for people.
func readDocument(fsys fs.FS, p string) (document, error) {
	if fi, err := fs.Stat(fsys, p); err == nil && fi.Size() > maxFileBytes {
		return document{}, fmt.Errorf("larger than %d MiB", maxFileBytes>>20)
	}
	raw, err := fs.ReadFile(fsys, p)
	if err != nil {
		return document{}, unwrapPathError(err)
	}
	sum := sha256.Sum256(raw)
	b := bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		return document{}, errors.New("not UTF-8 text")
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	fm, body, err := splitFrontMatter(text)
	if err != nil {
		return document{}, err
	}
	if strings.TrimSpace(body) == "" {
		return document{}, errors.New("no text")
	}
	id := strings.TrimSuffix(p, path.Ext(p))
	d := document{
		ID: id, Path: p, Body: body, Hash: hex.EncodeToString(sum[:]),
		Title: fm["title"], Author: fm["author"], Outlet: fm["outlet"], Date: fm["date"], Note: fm["note"],
		Markdown: strings.EqualFold(path.Ext(p), ".md"),
	}
	if d.Title == "" {
		d.Title = defaultTitle(body, path.Base(id), d.Markdown)
	}
	if d.Author == "" {
		d.Author = d.Outlet
	}
	return d, nil
}

// frontMatterKeys are the keys Falaj reads; others are ignored.
var frontMatterKeys = map[string]bool{"title": true, "author": true, "outlet": true, "date": true, "note": true, "source": true}

// splitFrontMatter parses an optional block of "key: value" lines between two "---"
// lines at the very top (YAML), or of "key = value" lines between two "+++" lines
// (TOML, as Hugo writes it). Values may be quoted; indented lines and list items (a
// YAML list or map under a key) are skipped, and so are TOML "[table]" lines, whose keys
// are read like the others (Hugo's "[params]" author). A block that never closes, or
// another line in it that is not "key: value", is an error.
func splitFrontMatter(text string) (map[string]string, string, error) {
	fence, sep := "---", ":"
	if strings.HasPrefix(text, "+++\n") {
		fence, sep = "+++", "="
	}
	if !strings.HasPrefix(text, fence+"\n") && strings.TrimSpace(text) != fence {
		return nil, text, nil
	}
	rest := strings.TrimPrefix(text, fence+"\n")
	fm := map[string]string{}
	for n := 2; ; n++ {
		line, after, found := strings.Cut(rest, "\n")
		if strings.TrimSpace(line) == fence {
			return fm, after, nil
		}
		if !found {
			return nil, "", fmt.Errorf("front matter has no closing %s line", fence)
		}
		rest = after
		t := strings.TrimSpace(line)
		// Comments, and the items of a YAML list or map ("tags:" then "  - a"), are skipped.
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "- ") || t == "-" || line[0] == ' ' || line[0] == '\t' ||
			sep == "=" && strings.HasPrefix(t, "[") {
			continue
		}
		k, v, ok := strings.Cut(t, sep)
		if !ok || strings.ContainsAny(strings.TrimSpace(k), " \t") {
			want := `"key: value"`
			if sep == "=" {
				want = `"key = value"`
			}
			return nil, "", fmt.Errorf("front matter line %d is not %s", n, want)
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		if frontMatterKeys[k] {
			fm[k] = v
		}
	}
}

// defaultTitle is the title of a document without one in its front matter: its first
// heading, else its file name (see fileTitle). In Markdown the first heading is the
// first level-1 heading ("# …" or a line underlined with "==="), or the first line when
// it is a heading of another level; in either format, a first line that looks like a
// title (firstLineTitle) is one. Markdown marks are read as text (mdInline).
func defaultTitle(body, name string, markdown bool) string {
	if markdown {
		if t := markdownTitle(body); t != "" {
			return t
		}
	}
	if t := firstLineTitle(body, markdown); t != "" {
		return t
	}
	return fileTitle(name)
}

// firstLineTitle is the first line of text when it is short enough to be a title (120
// characters) and does not end with punctuation (".", ",", ";", ":"); else "" (also when
// a Markdown document starts with a fenced code block).
func firstLineTitle(body string, markdown bool) string {
	for line := range strings.SplitSeq(body, "\n") {
		t := strings.TrimSpace(line)
		if markdown && fenceOpen.MatchString(line) {
			return "" // a document that starts with code has no title line ("~~~" is also a rule)
		}
		if t == "" || isRule(t) || markdown && (imagesOnly(t) || strings.HasPrefix(t, "<") || refDef.MatchString(line)) {
			continue
		}
		if markdown {
			t = mdInline(t, nil)
		}
		t = neutraliseMarkers(t)
		if t != "" && utf8.RuneCountInString(t) <= 120 && !strings.ContainsAny(t[len(t)-1:], ".,;:") {
			return t
		}
		return ""
	}
	return ""
}

// markdownTitle is the first level-1 heading of a Markdown body, else its first line
// when that is a heading; "" when there is none.
func markdownTitle(body string) string {
	lines := strings.Split(body, "\n")
	first := ""
	inFence := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if fenceOpen.MatchString(l) {
			inFence = !inFence
		}
		if inFence || t == "" || imagesOnly(t) || strings.HasPrefix(t, "<") || refDef.MatchString(l) {
			continue
		}
		h := ""
		level1 := false
		switch {
		case atxHeading.MatchString(t):
			level1 = strings.HasPrefix(t, "# ") || t == "#"
			h = atxClosing.ReplaceAllString(strings.TrimLeft(t, "#"), "")
		case i+1 < len(lines) && isRule(strings.TrimSpace(lines[i+1])) && !isRule(t):
			u := strings.TrimSpace(lines[i+1])
			level1 = strings.Trim(u, "=") == ""
			if level1 || strings.Trim(u, "-") == "" {
				h = t
			}
		}
		h = neutraliseMarkers(mdInline(h, nil))
		if first == "" {
			first = "-" // the first line has been seen
			if h != "" && utf8.RuneCountInString(h) <= 120 {
				first = h
			}
		}
		if level1 && h != "" && utf8.RuneCountInString(h) <= 120 {
			return h
		}
	}
	if first == "-" {
		return ""
	}
	return first
}

// minorWords stay lower-case inside a title made from a file name.
var minorWords = map[string]bool{
	"a": true, "an": true, "and": true, "as": true, "at": true, "but": true, "by": true, "for": true,
	"in": true, "of": true, "on": true, "or": true, "the": true, "to": true, "vs": true, "with": true,
}

// fileTitle makes a title from a file name without extension: dashes and underscores
// become spaces and each word starts with a capital, except minor words after the first
// ("oman-bridge_in-afghanistan" → "Oman Bridge in Afghanistan"); other letters are kept
// ("README" stays).
func fileTitle(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' || unicode.IsSpace(r) })
	for i, w := range words {
		if i > 0 && minorWords[w] {
			continue
		}
		r, n := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToTitle(r)) + w[n:]
	}
	if len(words) == 0 {
		return name
	}
	return strings.Join(words, " ")
}
