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
	"unicode/utf8"
)

// document is one corpus file, parsed.
type document struct {
	ID     string // path without extension, "/"-separated: "oman-hosts-iran-us-discussions"
	Path   string // path inside the corpus
	Title  string
	Author string // front-matter author, else the outlet, else "Unknown"
	Outlet string
	Date   string
	Note   string
	Body   string // text after the front matter, "\n" line ends
	Hash   string // hex SHA-256 of the file bytes
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
	}
	if d.Title == "" {
		d.Title = defaultTitle(body, path.Base(id))
	}
	if d.Author == "" {
		d.Author = d.Outlet
	}
	if d.Author == "" {
		d.Author = "Unknown"
	}
	return d, nil
}

// frontMatterKeys are the keys Falaj reads; others are ignored.
var frontMatterKeys = map[string]bool{"title": true, "author": true, "outlet": true, "date": true, "note": true, "source": true}

// splitFrontMatter parses an optional block of "key: value" lines between two "---"
// lines at the very top. Values may be quoted. A block that never closes, or a line
// in it that is not "key: value", is an error.
func splitFrontMatter(text string) (map[string]string, string, error) {
	if !strings.HasPrefix(text, "---\n") && strings.TrimSpace(text) != "---" {
		return nil, text, nil
	}
	rest := strings.TrimPrefix(text, "---\n")
	fm := map[string]string{}
	for n := 2; ; n++ {
		line, after, found := strings.Cut(rest, "\n")
		if strings.TrimSpace(line) == "---" {
			return fm, after, nil
		}
		if !found {
			return nil, "", errors.New("front matter has no closing --- line")
		}
		rest = after
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		k, v, ok := strings.Cut(t, ":")
		if !ok || strings.ContainsAny(strings.TrimSpace(k), " \t") {
			return nil, "", fmt.Errorf("front matter line %d is not \"key: value\"", n)
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

// defaultTitle is the first non-empty line, without a Markdown heading's "#" marks, when
// it is short enough to be a title (120 characters) and does not end with a period; else
// the file name.
func defaultTitle(body, name string) string {
	for line := range strings.SplitSeq(body, "\n") {
		t := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "#"))
		if t == "" {
			continue
		}
		if utf8.RuneCountInString(t) <= 120 && !strings.HasSuffix(t, ".") {
			return t
		}
		break
	}
	return name
}
