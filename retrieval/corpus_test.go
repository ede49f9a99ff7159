package retrieval

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/lexical"
)

func TestLoadCorpus(t *testing.T) {
	fsys := fstest.MapFS{
		"a.txt":         {Data: []byte("---\ntitle: \"Oman and Iran\"\nauthor: Jane Doe\noutlet: Daily\ndate: 2024-01-02\nunknown: x\n---\nBody text.\n")},
		"sub/b.md":      {Data: []byte("\n  Short Title  \n\nThe body of b is here.\n")},
		"c.txt":         {Data: []byte("This first line is far too long to be a title because it is a whole sentence that goes on and on and on without stopping for breath at all.\nMore.")},
		"d.txt":         {Data: []byte("---\ntitle: never closed\nauthor: x\n")},
		"e.txt":         {Data: []byte("---\nthis line is not a key value pair\n---\nBody.\n")},
		"f.txt":         {Data: []byte("bad \xff\xfe bytes")},
		"g.txt":         {Data: []byte("---\ntitle: empty\n---\n\n")},
		"h.pdf":         {Data: []byte("ignored")},
		".hidden/i.txt": {Data: []byte("ignored")},
		"j.txt":         {Data: []byte("\xef\xbb\xbfBOM title\r\nWindows text.\r\n")},
		"k.md":          {Data: []byte("---\ntitle: \"Hugo: a post\"\ntags:\n  - oman\n  - iran\nauthor: Jane Doe\nextra:\n  key: x\n---\nBody.\n")},
		"l.md":          {Data: []byte("+++\ntitle = \"TOML post\"\ndate = 2024-01-02\n[params]\nauthor = \"Omar\"\n+++\nBody.\n")},
	}
	docs, skipped, err := loadCorpus(fsys)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]document{}
	for _, d := range docs {
		got[d.ID] = d
	}
	if ids := slices.Sorted(mapKeys(got)); !slices.Equal(ids, []string{"a", "c", "j", "k", "l", "sub/b"}) {
		t.Fatalf("documents = %q; want a, c, j, k, l, sub/b", ids)
	}
	if k := got["k"]; k.Title != "Hugo: a post" || k.Author != "Jane Doe" || k.Body != "Body.\n" {
		t.Errorf("k (YAML lists and maps in front matter) = %+v", k)
	}
	if l := got["l"]; l.Title != "TOML post" || l.Date != "2024-01-02" || l.Author != "Omar" || l.Body != "Body.\n" {
		t.Errorf("l (TOML front matter, Hugo's [params] author) = %+v", l)
	}
	a := got["a"]
	if a.Title != "Oman and Iran" || a.Author != "Jane Doe" || a.Outlet != "Daily" || a.Date != "2024-01-02" || a.Body != "Body text.\n" {
		t.Errorf("a = %+v", a)
	}
	if b := got["sub/b"]; b.Title != "Short Title" || b.Author != "" || !b.Markdown {
		t.Errorf("sub/b title, author, markdown = %q, %q, %v; want the first line, no author, Markdown", b.Title, b.Author, b.Markdown)
	}
	if c := got["c"]; c.Title != "C" || c.Author != "" || c.Markdown {
		t.Errorf("c title, author, markdown = %q, %q, %v; want the file name, no author, plain text", c.Title, c.Author, c.Markdown)
	}
	if j := got["j"]; j.Title != "BOM title" || strings.Contains(j.Body, "\r") {
		t.Errorf("j = %+v; want BOM and CR removed", j)
	}
	for _, name := range []string{"d.txt: front matter has no closing", "e.txt: front matter line 2", "f.txt: not UTF-8", "g.txt: no text"} {
		if !slices.ContainsFunc(skipped, func(s string) bool { return strings.HasPrefix(s, name) }) {
			t.Errorf("skipped = %q; want an entry starting %q", skipped, name)
		}
	}
	if len(skipped) != 4 {
		t.Errorf("skipped = %q; want 4 entries", skipped)
	}
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestOpenReportsUnreadableFilesAndIndexesTheRest(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "good.txt", "Oman hosts talks between Iran and the United States in Muscat.")
	if err := os.Symlink(filepath.Join(dir, "missing"), filepath.Join(dir, "dangling.txt")); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "binary.md", "\x00\x01\x02")
	if os.Getuid() != 0 { // root reads anything
		write(t, dir, "locked.txt", "secret")
		if err := os.Chmod(filepath.Join(dir, "locked.txt"), 0); err != nil {
			t.Fatal(err)
		}
	}
	ix, stats, err := Open(t.Context(), Config{Corpus: os.DirFS(dir)})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Documents != 1 || ix.Len() != 1 {
		t.Errorf("documents, passages = %d, %d; want 1, 1", stats.Documents, ix.Len())
	}
	want := []string{"binary.md", "dangling.txt"}
	if os.Getuid() != 0 {
		want = append(want, "locked.txt")
	}
	for _, name := range want {
		if !slices.ContainsFunc(stats.Skipped, func(s string) bool { return strings.HasPrefix(s, name+": ") }) {
			t.Errorf("Skipped = %q; want %s named", stats.Skipped, name)
		}
	}
}

func TestOpenEmptyCorpusIsUserError(t *testing.T) {
	for _, tt := range []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"no files", fstest.MapFS{"x.pdf": {Data: []byte("x")}}, "no .txt or .md files"},
		{"only bad files", fstest.MapFS{"x.txt": {Data: []byte("\xff")}}, "x.txt: not UTF-8 text"},
		{"only boilerplate", fstest.MapFS{"x.txt": {Data: []byte("Subscribe to our newsletter\n\nComments are closed.")}}, "no text left"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Open(t.Context(), Config{Corpus: tt.fsys, CorpusName: "folder ./docs"})
			var ue *falaj.UserError
			if !errors.As(err, &ue) {
				t.Fatalf("Open: %v; want a *falaj.UserError", err)
			}
			if !strings.Contains(ue.Msg, "folder ./docs") || !strings.Contains(ue.Msg, tt.want) {
				t.Errorf("message %q; want it to name the folder and say %q", ue.Msg, tt.want)
			}
		})
	}
}

func TestOpenMissingFolderIsUserError(t *testing.T) {
	_, _, err := Open(t.Context(), Config{Corpus: os.DirFS(filepath.Join(t.TempDir(), "nope")), CorpusName: "nope"})
	if !falaj.IsUserError(err) || !strings.Contains(falaj.UserMessage(err), "Cannot read nope") {
		t.Errorf("Open: %v; want a user error naming the folder", err)
	}
}

func write(t testing.TB, dir, name, text string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOpenSkipsFilesWithoutWords(t *testing.T) {
	fsys := fstest.MapFS{
		"good.txt": {Data: []byte("Oman hosts talks between Iran and the United States in Muscat.")},
		"it.txt":   {Data: []byte("It is what it is. We are all here.")},
		"dots.md":  {Data: []byte("# Notes on talks\n\n... --- !!!")},
	}
	log, buf := logBuffer()
	ix, stats, err := Open(t.Context(), Config{Corpus: fsys, Logger: log})
	if err != nil {
		t.Fatalf("Open: %v; want the file without words skipped and the rest indexed", err)
	}
	if stats.Documents != 1 || ix.Len() != 1 {
		t.Errorf("documents, passages = %d, %d; want 1, 1", stats.Documents, ix.Len())
	}
	for _, name := range []string{"it.txt", "dots.md"} {
		if !slices.Contains(stats.Skipped, name+": no words to index") {
			t.Errorf("Skipped = %q; want %q", stats.Skipped, name+": no words to index")
		}
		if !strings.Contains(buf.String(), "level=DEBUG msg=\"corpus file skipped\"") || !strings.Contains(buf.String(), name) {
			t.Errorf("log:\n%s\nwant a debug line naming %s", buf, name)
		}
	}

	_, _, err = Open(t.Context(), Config{Corpus: fstest.MapFS{"it.txt": fsys["it.txt"]}, CorpusName: "folder ./docs"})
	if !falaj.IsUserError(err) || !strings.Contains(falaj.UserMessage(err), "it.txt: no words to index") {
		t.Errorf("Open of a corpus without words: %v; want a user error naming it.txt", err)
	}
}

func TestChunkDocumentDropsPassagesWithoutWords(t *testing.T) {
	long := strings.Repeat("Oman hosted talks in Muscat. ", 30) // about 870 runes
	d := document{ID: "doc", Title: "Talks", Body: long + "\n\n" + strings.Repeat("— ", 400) + "\n\nIt is what it is."}
	cs := chunkDocument(d, 700)
	for i, c := range cs {
		if len(lexical.Terms(c.passage.Text)) == 0 {
			t.Errorf("passage %d %q has no words to index", i+1, c.passage.Text)
		}
		if c.passage.Ordinal != i+1 || c.passage.ID != fmt.Sprintf("doc#%d", i+1) {
			t.Errorf("passage %d: ordinal %d, id %s; want them consecutive", i+1, c.passage.Ordinal, c.passage.ID)
		}
	}
	if len(cs) != 2 {
		t.Errorf("%d passages; want the 2 with words", len(cs))
	}
}

// zeroForEmbedder returns the zero vector for texts containing marker and the offline
// embedder's vector otherwise, like a model that has nothing to say about a text.
type zeroForEmbedder struct{ marker string }

func (z zeroForEmbedder) Name() string { return "zero-for" }
func (z zeroForEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	vs, err := Local{Dim: 64}.Embed(ctx, texts)
	for i, t := range texts {
		if strings.Contains(t, z.marker) {
			vs[i] = make([]float32, 64)
		}
	}
	return vs, err
}

func TestOpenSkipsPassagesTheEmbedderCannotPlace(t *testing.T) {
	long := strings.Repeat("Oman hosted talks in Muscat. ", 30)
	fsys := fstest.MapFS{
		"good.txt":  {Data: []byte("Oman hosts talks between Iran and the United States in Muscat.")},
		"zero.txt":  {Data: []byte("Xyzzy plugh frobnicate.")},
		"mixed.txt": {Data: []byte(long + "\n\nXyzzy is the second passage.")},
	}
	log, buf := logBuffer()
	ix, stats, err := Open(t.Context(), Config{Corpus: fsys, Embedder: zeroForEmbedder{"Xyzzy"}, Logger: log})
	if err != nil {
		t.Fatalf("Open: %v; want the zero-vector passages skipped", err)
	}
	if stats.Documents != 2 || ix.Len() != 2 || stats.Passages != 2 {
		t.Errorf("documents, passages = %d, %d; want 2 (good, mixed), 2 (mixed#2 dropped)", stats.Documents, ix.Len())
	}
	for _, want := range []string{"zero.txt: the embedder zero-for", "mixed.txt: passage 2 not indexed: the embedder zero-for"} {
		if !slices.ContainsFunc(stats.Skipped, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("Skipped = %q; want an entry starting %q", stats.Skipped, want)
		}
	}
	if !strings.Contains(buf.String(), "zero.txt") {
		t.Errorf("log:\n%s\nwant a warning naming zero.txt", buf)
	}
	if _, err := ix.Passage(t.Context(), "mixed#1"); err != nil {
		t.Errorf("Passage(mixed#1): %v", err)
	}
	res, err := ix.Search(t.Context(), "Oman talks Muscat", 5)
	if err != nil || len(res.Passages) != 2 {
		t.Errorf("Search = %+v, %v; want the 2 indexed passages", res.Passages, err)
	}

	_, _, err = Open(t.Context(), Config{Corpus: fstest.MapFS{"zero.txt": fsys["zero.txt"]}, Embedder: zeroForEmbedder{"Xyzzy"}})
	if !falaj.IsUserError(err) || !strings.Contains(falaj.UserMessage(err), "zero.txt") {
		t.Errorf("Open with only a zero-vector file: %v; want a user error naming it", err)
	}
}

func TestDefaultTitle(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		markdown   bool
		want       string
	}{
		{"heading marks dropped", "# Muscat Harbour\n\nText.", true, "Muscat Harbour"},
		{"first line of plain text", "\n\nOman and the Gulf\nText.", false, "Oman and the Gulf"},
		{"sentence is no title", "A first line that is a sentence.\nMore.", false, "Notes on Oman"},
		{"empty", "", false, "Notes on Oman"},
		{"level-1 heading after badges", "[![CI](https://x/badge.svg)](https://x)\n\nSome *intro* text,\n\n## Install\n\n# The **Falaj** [Guide](g.md)\n", true, "The Falaj Guide"},
		{"setext heading", "Oman `Talks`\n===========\n\nText.", true, "Oman Talks"},
		{"first line a level-2 heading", "## Talks in Muscat\n\nText.\n\n### Later", true, "Talks in Muscat"},
		{"Markdown paragraph ending in a comma", "Zstandard, or zstd,\nis fast.\n\n## Benchmarks", true, "Notes on Oman"},
		{"rule lines skipped", "\n-----\n  The Debian FAQ\n-----\n", false, "The Debian FAQ"},
		{"starts with code", "```go\nfunc main() {}\n```\n", true, "Notes on Oman"},
		{"starts with a tilde fence", "~~~\nmake install\n~~~\n\nThen run it.", true, "Notes on Oman"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := defaultTitle(tt.body, "notes_on-oman", tt.markdown); got != tt.want {
				t.Errorf("defaultTitle(%q, markdown %v) = %q; want %q", tt.body, tt.markdown, got, tt.want)
			}
		})
	}
}

func TestFileTitle(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"oman-diplomatic-bridge-in-afghanistan", "Oman Diplomatic Bridge in Afghanistan"},
		{"zstd-README", "Zstd README"},
		{"the_art_of_war", "The Art of War"},
		{"x", "X"},
		{"---", "---"},
	} {
		if got := fileTitle(tt.in); got != tt.want {
			t.Errorf("fileTitle(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
