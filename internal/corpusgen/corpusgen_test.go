package corpusgen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestArticleDeterministic(t *testing.T) {
	sents, err := Sentences()
	if err != nil {
		t.Fatal(err)
	}
	if len(sents) < 100 {
		t.Fatalf("only %d seed sentences", len(sents))
	}
	a, b := Article(sents, 1, 7), Article(sents, 1, 7)
	if !bytes.Equal(a, b) {
		t.Error("Article(1, 7) differs between calls")
	}
	if bytes.Equal(a, Article(sents, 1, 8)) {
		t.Error("articles 7 and 8 are the same")
	}
	if !strings.HasPrefix(string(a), "---\ntitle: ") || len(a) < 2000 {
		t.Errorf("article 7 has no front matter or is short (%d bytes):\n%.200s", len(a), a)
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	n, err := Write(dir, 501, 42)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "a*", "*.md"))
	if len(files) != 501 || n < 501*2000 {
		t.Errorf("Write(501) = %d files, %d bytes", len(files), n)
	}
	if _, err := os.Stat(filepath.Join(dir, "a001", "article-00500.md")); err != nil {
		t.Error(err)
	}
}
