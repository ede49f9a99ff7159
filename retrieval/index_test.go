package retrieval

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/internal/falajtest"
)

// countingEmbedder wraps an Embedder and counts the texts it embeds, the probe aside.
type countingEmbedder struct {
	Embedder
	texts atomic.Int64
	fail  atomic.Bool
}

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if c.fail.Load() {
		return nil, errors.New("embedding server down")
	}
	if len(texts) != 1 || texts[0] != probeText { // the probe on open (probe.go) is not a passage
		c.texts.Add(int64(len(texts)))
	}
	return c.Embedder.Embed(ctx, texts)
}

// logBuffer returns a logger writing text lines into a buffer.
func logBuffer() (*slog.Logger, *falajtest.LogBuffer) {
	var b falajtest.LogBuffer
	return slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug})), &b
}

// corpusDir writes a small corpus of three documents and returns its folder.
func corpusDir(t *testing.T) string {
	dir := t.TempDir()
	write(t, dir, "iran.txt", "---\ntitle: Iran talks\nauthor: A\n---\nOman hosted indirect talks between Iran and the United States in Muscat.\n\nThe talks focused on sanctions relief and the nuclear programme.")
	write(t, dir, "aflaj.md", "# Aflaj\n\nThe Aflaj irrigation system was developed around 2500 BCE.")
	write(t, dir, "afghan/qcg.txt", "The Quadrilateral Coordination Group (QCG) was launched in January 2016.\n\nThe QCG met in Muscat on October 16.")
	return dir
}

func TestSnapshotRoundTripAndIncrementalUpdate(t *testing.T) {
	corpus, cache := corpusDir(t), t.TempDir()
	emb := &countingEmbedder{Embedder: Local{}}
	cfg := Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: cache, Embedder: emb}

	ix, st, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st.FromCache || st.Embedded != ix.Len() || st.Documents != 3 || st.Passages != ix.Len() || emb.texts.Load() != int64(ix.Len()) {
		t.Fatalf("first open: %+v, embedded texts %d; want all %d passages embedded", st, emb.texts.Load(), ix.Len())
	}
	files, _ := filepath.Glob(filepath.Join(cache, "*"))
	files = slices.DeleteFunc(files, func(f string) bool { return filepath.Base(f) == lockName })
	if len(files) != 1 {
		t.Fatalf("cache dir holds %q; want one snapshot file", files)
	}

	// Second open: the snapshot as it was.
	emb.texts.Store(0)
	ix2, st2, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !st2.FromCache || st2.Embedded != 0 || emb.texts.Load() != 0 || st2.Fingerprint != st.Fingerprint || ix2.Len() != ix.Len() {
		t.Errorf("second open: %+v, embedded texts %d; want from cache, nothing embedded, same fingerprint", st2, emb.texts.Load())
	}
	a, _ := ix.Search(t.Context(), "When was the QCG launched?", 3)
	b, _ := ix2.Search(t.Context(), "When was the QCG launched?", 3)
	if len(a.Passages) == 0 || a.Passages[0].ID != b.Passages[0].ID || a.Passages[0].Score != b.Passages[0].Score {
		t.Errorf("search differs after reload: %+v vs %+v", a.Passages, b.Passages)
	}

	// Change one document: only its passages are embedded.
	write(t, corpus, "aflaj.md", "# Aflaj\n\nThe Aflaj irrigation system is about 4500 years old.\n\nIt is a UNESCO World Heritage Site.")
	emb.texts.Store(0)
	ix3, st3, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	aflaj := passagesOf(t, ix3, "aflaj")
	if st3.FromCache || st3.Embedded != aflaj || emb.texts.Load() != int64(aflaj) || st3.Fingerprint == st.Fingerprint {
		t.Errorf("after a change: %+v, embedded texts %d; want only aflaj's %d passages", st3, emb.texts.Load(), aflaj)
	}
	res, _ := ix3.Search(t.Context(), "How old is the Aflaj system?", 1)
	if len(res.Passages) == 0 || !strings.Contains(res.Passages[0].Text, "4500 years") {
		t.Errorf("search after the change = %+v; want the new text", res.Passages)
	}

	// Remove a document: its passages are gone, nothing is embedded.
	if err := os.Remove(filepath.Join(corpus, "iran.txt")); err != nil {
		t.Fatal(err)
	}
	emb.texts.Store(0)
	ix4, st4, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st4.Removed != 1 || st4.Embedded != 0 || emb.texts.Load() != 0 || st4.Documents != 2 {
		t.Errorf("after a removal: %+v; want 1 removed, nothing embedded", st4)
	}
	if _, err := ix4.Passage(t.Context(), "iran#1"); !errors.Is(err, falaj.ErrNotFound) {
		t.Errorf("Passage(iran#1) after removal: %v; want ErrNotFound", err)
	}
	res, _ = ix4.Search(t.Context(), "sanctions relief Iran", 10)
	for _, p := range res.Passages {
		if p.Doc == "iran" {
			t.Errorf("removed document still found: %+v", p)
		}
	}
	if ix4.st.col.Count() != ix4.Len() {
		t.Errorf("vector store holds %d passages; index %d", ix4.st.col.Count(), ix4.Len())
	}

	// And the snapshot written after the removal loads as it is.
	emb.texts.Store(0)
	_, st5, err := Open(t.Context(), cfg)
	if err != nil || !st5.FromCache || emb.texts.Load() != 0 {
		t.Errorf("open after removal: %+v, %v; want from cache", st5, err)
	}
}

func passagesOf(t *testing.T, ix *Index, doc string) int {
	t.Helper()
	srcs, err := ix.Sources(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		if s.Doc == doc {
			return s.Passages
		}
	}
	t.Fatalf("no source %q", doc)
	return 0
}

func TestBadSnapshotIsRebuiltWithWarning(t *testing.T) {
	for _, tt := range []struct {
		name   string
		damage func(t *testing.T, path string)
		warn   string
	}{
		{"garbage", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte("this is not a gob file at all, just text\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "snapshot unusable"},
		{"truncated", func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b[:len(b)*2/3], 0o600); err != nil {
				t.Fatal(err)
			}
		}, "snapshot unusable"},
		{"empty", func(t *testing.T, path string) {
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "snapshot unusable"},
		{"flipped bytes", func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for i := len(b) / 2; i < len(b)/2+64; i++ {
				b[i] ^= 0xA5
			}
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "rebuilding"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			corpus, cache := corpusDir(t), t.TempDir()
			log, buf := logBuffer()
			cfg := Config{Corpus: os.DirFS(corpus), CorpusName: "c", Dir: cache, Logger: log}
			ix, _, err := Open(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			tt.damage(t, ix.path)
			ix2, st, err := Open(t.Context(), cfg)
			if err != nil {
				t.Fatalf("Open over a damaged snapshot: %v", err)
			}
			if st.FromCache || st.Embedded != ix2.Len() {
				t.Errorf("stats %+v; want a full rebuild", st)
			}
			if !strings.Contains(buf.String(), "level=WARN") || !strings.Contains(buf.String(), tt.warn) {
				t.Errorf("log:\n%s\nwant a warning with %q", buf, tt.warn)
			}
			if _, st3, _ := Open(t.Context(), cfg); !st3.FromCache {
				t.Errorf("the rebuilt snapshot was not saved: %+v", st3)
			}
		})
	}
}

func TestSnapshotOfOtherSettingsIsRebuilt(t *testing.T) {
	corpus, cache := corpusDir(t), t.TempDir()
	log, buf := logBuffer()
	cfg := Config{Corpus: os.DirFS(corpus), CorpusName: "c", Dir: cache, Logger: log}
	if _, _, err := Open(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	cfg.ChunkSize = 300
	_, st, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st.FromCache || st.Embedded == 0 || !strings.Contains(buf.String(), "other settings") {
		t.Errorf("stats %+v, log:\n%s\nwant a rebuild with a warning", st, buf)
	}
	cfg.Force = true
	if _, st, _ := Open(t.Context(), cfg); st.FromCache || st.Embedded == 0 {
		t.Errorf("Force: %+v; want everything embedded again", st)
	}
}

func TestSearchEdges(t *testing.T) {
	ix, _, err := Open(t.Context(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		query string
		k     int
		want  int
	}{
		{"k clamped to Len", "Oman", 1000, ix.Len()},
		{"empty query", "   ", 5, 0},
		{"zero k", "Oman", 0, 0},
		{"only stop words", "what is it?", 3, 0},
		{"only punctuation", "?!", 3, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(t.Context(), tt.query, tt.k)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Passages) != tt.want {
				t.Errorf("Search(%q, %d) gave %d passages; want %d", tt.query, tt.k, len(res.Passages), tt.want)
			}
			if tt.want == 0 {
				if res.Confidence != 0 {
					t.Errorf("Confidence = %v; want 0", res.Confidence)
				}
			}
			for i, p := range res.Passages {
				if p.Score < 0 || p.Score > 1 || (i > 0 && p.Score > res.Passages[i-1].Score) {
					t.Errorf("passage %d score %v out of order or range", i, p.Score)
				}
			}
		})
	}
	if _, err := ix.Passage(t.Context(), "nope#1"); !errors.Is(err, falaj.ErrNotFound) {
		t.Errorf("Passage(nope#1): %v; want ErrNotFound", err)
	}
	p, err := ix.Passage(t.Context(), "oman-hosts-iran-us-discussions#2")
	if err != nil || !strings.Contains(p.Text, "withdrew in 2018") || p.Author != "Staff Report" || p.Ordinal != 2 {
		t.Errorf("Passage = %+v, %v", p, err)
	}
	srcs, _ := ix.Sources(t.Context())
	if len(srcs) != 4 || srcs[0].Doc != "oman-diplomatic-bridge-in-afghanistan" || srcs[0].Author != "Giorgio Cafiero" {
		t.Errorf("Sources = %+v", srcs)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := ix.Search(ctx, "Oman", 3); !errors.Is(err, context.Canceled) {
		t.Errorf("Search with a cancelled context: %v; want context.Canceled", err)
	}
}

func TestSearchFallsBackToKeywordsWhenEmbedderFails(t *testing.T) {
	emb := &countingEmbedder{Embedder: Local{}}
	log, buf := logBuffer()
	ix, _, err := Open(t.Context(), Config{Embedder: emb, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	emb.fail.Store(true)
	res, err := ix.Search(t.Context(), "When was the Aflaj irrigation system developed?", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Passages) == 0 || !strings.Contains(res.Passages[0].Text, "2500 BCE") {
		t.Errorf("keyword-only result = %+v", res.Passages)
	}
	if !strings.Contains(buf.String(), "keyword results only") {
		t.Errorf("log:\n%s\nwant a warning", buf)
	}
}

// badEmbedder returns vectors that must be rejected.
type badEmbedder struct{ v []float32 }

func (b badEmbedder) Name() string { return "bad" }
func (b badEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i := range out {
		out[i] = b.v
	}
	return out, nil
}

func TestOpenRejectsBadVectors(t *testing.T) {
	for _, v := range [][]float32{nil, {0, 0}} {
		if _, _, err := Open(t.Context(), Config{Embedder: badEmbedder{v}}); err == nil || !strings.Contains(err.Error(), "bad") {
			t.Errorf("Open with vectors %v: %v; want an error naming the embedder", v, err)
		}
	}
}

func TestConcurrentSearchAndReindex(t *testing.T) {
	corpus := corpusDir(t)
	ix, _, err := Open(t.Context(), Config{Corpus: os.DirFS(corpus), Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := ix.Search(t.Context(), "irrigation system Aflaj", 2)
				if err != nil || len(res.Passages) == 0 {
					t.Errorf("Search during Reindex: %+v, %v", res, err)
					return
				}
				_ = ix.Len()
			}
		})
	}
	for i := range 20 {
		text := "# Aflaj\n\nThe Aflaj irrigation system, version " + strings.Repeat("x", i) + ".\n\nMore text."
		write(t, corpus, "aflaj.md", text)
		st, err := ix.Reindex(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if st.Embedded != passagesOf(t, ix, "aflaj") {
			t.Errorf("Reindex %d embedded %d; want only aflaj's passages", i, st.Embedded)
		}
	}
	close(stop)
	wg.Wait()
	res, _ := ix.Search(t.Context(), "Aflaj irrigation version", 1)
	if !strings.Contains(res.Passages[0].Text, strings.Repeat("x", 19)) {
		t.Errorf("after Reindex: %q; want the last version", res.Passages[0].Text)
	}
}

func TestProgress(t *testing.T) {
	var calls [][2]int
	_, st, err := Open(t.Context(), Config{Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) == 0 || calls[len(calls)-1] != [2]int{st.Embedded, st.Embedded} {
		t.Errorf("progress calls %v; want the last to be %d of %d", calls, st.Embedded, st.Embedded)
	}
}

// TestSaveRemovesFormatOneFiles: saving a snapshot removes every format-1 (gob) snapshot
// in the folder, whatever its embedder (no version reads them), and nothing else.
func TestSaveRemovesFormatOneFiles(t *testing.T) {
	cache := t.TempDir()
	stale := []string{"falaj-local-hash-v2-dim-1024-0a1b2c3d4e5f.gob", "falaj-openai-text-embedding-3-small-aabbccddeeff.gob"}
	keep := []string{"notes.gob", "falaj-notes.txt"}
	for _, f := range append(slices.Clone(stale), keep...) {
		if err := os.WriteFile(filepath.Join(cache, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := Open(t.Context(), Config{Corpus: os.DirFS(corpusDir(t)), Dir: cache}); err != nil {
		t.Fatal(err)
	}
	for _, f := range stale {
		if _, err := os.Stat(filepath.Join(cache, f)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v; want it removed", f, err)
		}
	}
	for _, f := range keep {
		if _, err := os.Stat(filepath.Join(cache, f)); err != nil {
			t.Errorf("%s: %v; want it kept", f, err)
		}
	}
}
