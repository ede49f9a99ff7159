package retrieval

import (
	"context"
	"errors"
	"hash/crc32"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/lexical"
)

// countingFS counts the corpus files opened (not folders).
type countingFS struct {
	fs.FS
	mu    sync.Mutex
	files []string
}

func (c *countingFS) Open(name string) (fs.File, error) {
	if ext := filepath.Ext(name); ext == ".txt" || ext == ".md" {
		c.mu.Lock()
		c.files = append(c.files, name)
		c.mu.Unlock()
	}
	return c.FS.Open(name)
}

func (c *countingFS) reset() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	got := slices.Compact(slices.Sorted(slices.Values(c.files))) // names once: a read may also stat
	c.files = nil
	return got
}

// ageCorpus sets every file's mtime an hour back, out of the racy window.
func ageCorpus(t *testing.T, dir string) time.Time {
	t.Helper()
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			err = os.Chtimes(p, old, old)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return old
}

// Issue 11 item 4: a cold open of an unchanged corpus reads no corpus file; a file whose
// mtime moved (same bytes) is the only one read, and nothing is embedded.
func TestOpenReadsOnlyFilesWhoseMetadataMoved(t *testing.T) {
	corpus, cache := corpusDir(t), t.TempDir()
	old := ageCorpus(t, corpus)
	cfs := &countingFS{FS: os.DirFS(corpus)}
	emb := &countingEmbedder{Embedder: Local{}}
	cfg := Config{Corpus: cfs, CorpusName: corpus, Dir: cache, Embedder: emb}
	if _, _, err := Open(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	if got := cfs.reset(); len(got) != 3 {
		t.Fatalf("build read %q; want the 3 files", got)
	}

	_, st, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfs.reset(); len(got) != 0 || !st.FromCache {
		t.Errorf("open of an unchanged corpus read %q (stats %+v); want no file read, from cache", got, st)
	}

	touched := old.Add(time.Minute)
	if err := os.Chtimes(filepath.Join(corpus, "aflaj.md"), touched, touched); err != nil {
		t.Fatal(err)
	}
	emb.texts.Store(0)
	_, st, err = Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfs.reset(); !slices.Equal(got, []string{"aflaj.md"}) || st.Embedded != 0 || emb.texts.Load() != 0 {
		t.Errorf("after touching aflaj.md: read %q, stats %+v; want only aflaj.md read, nothing embedded", got, st)
	}
	// The new mtime was saved: the next open reads nothing again.
	if _, st, _ := Open(t.Context(), cfg); len(cfs.reset()) != 0 || !st.FromCache {
		t.Errorf("open after the touch was recorded: %+v; want no file read", st)
	}
}

// An edit that keeps size and mtime is caught when the file is in the racy window
// (modified within racyWindow of the listing the snapshot was built from).
func TestOpenHashesRacilyCleanFiles(t *testing.T) {
	corpus, cache := corpusDir(t), t.TempDir()
	cfg := Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: cache}
	if _, _, err := Open(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(corpus, "aflaj.md")
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	edited := strings.Replace(string(b), "2500 BCE", "2600 BCE", 1)
	write(t, corpus, "aflaj.md", edited)
	if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	ix, st, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, _ := ix.Search(t.Context(), "When was the Aflaj system developed?", 1)
	if st.FromCache || len(res.Passages) == 0 || !strings.Contains(res.Passages[0].Text, "2600") {
		t.Errorf("same size and mtime, new text: stats %+v, found %+v; want the edit indexed", st, res.Passages)
	}
}

// Issue 11 item 1: a snapshot opens to the same index: passages, texts, scores.
func TestSnapshotDecodesToTheSameIndex(t *testing.T) {
	for _, enc := range []string{VectorsInt8, VectorsFloat32} {
		t.Run(enc, func(t *testing.T) {
			corpus, cache := corpusDir(t), t.TempDir()
			cfg := Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: cache, Vectors: enc}
			built, _, err := Open(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			loaded, st, err := Open(t.Context(), cfg)
			if err != nil || !st.FromCache {
				t.Fatalf("reopen: %+v, %v", st, err)
			}
			if loaded.st.lazy == nil {
				t.Error("loaded texts are not lazy")
			}
			for i, p := range built.st.passages {
				q, err := loaded.st.passage(i)
				if err != nil || q != p || !slices.Equal(built.st.vecs[i], loaded.st.vecs[i]) {
					t.Errorf("passage %d: built %+v, loaded %+v (%v); vectors equal %v", i, p, q, err, slices.Equal(built.st.vecs[i], loaded.st.vecs[i]))
				}
			}
			for _, q := range []string{"When was the QCG launched?", "sanctions relief", "irrigation"} {
				a, _ := built.Search(t.Context(), q, 5)
				b, _ := loaded.Search(t.Context(), q, 5)
				if !slices.EqualFunc(a.Passages, b.Passages, func(x, y falaj.Passage) bool { return x == y }) || a.Confidence != b.Confidence {
					t.Errorf("Search(%q) built %+v, loaded %+v", q, a, b)
				}
			}
			if s1, s2 := built.st.sources, loaded.st.sources; !slices.Equal(s1, s2) {
				t.Errorf("sources built %+v, loaded %+v", s1, s2)
			}
		})
	}
}

// Issue 10 item 8: an ingest that read the corpus before an edit does not overwrite
// the newer snapshot saved meanwhile.
func TestSlowIngestDoesNotOverwriteNewerSnapshot(t *testing.T) {
	corpus, cache := corpusDir(t), t.TempDir()
	gate := &gateEmbedder{Embedder: Local{}, entered: make(chan struct{}, 1), release: make(chan struct{})}
	type opened struct {
		ix  *Index
		err error
	}
	done := make(chan opened)
	go func() {
		ix, _, err := Open(t.Context(), Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: cache, Embedder: gate, Force: true})
		done <- opened{ix, err}
	}()
	<-gate.entered // the slow ingest has read the corpus and is embedding

	write(t, corpus, "aflaj.md", "# Aflaj\n\nThe Aflaj irrigation system is about 4500 years old.")
	cfg := Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: cache}
	if _, _, err := Open(t.Context(), cfg); err != nil { // the newer ingest saves
		t.Fatal(err)
	}
	close(gate.release)
	slow := <-done
	if slow.err != nil {
		t.Fatal(slow.err)
	}
	if err := slow.ix.SaveError(); !errors.Is(err, errCorpusChanged) {
		t.Errorf("slow ingest's SaveError = %v; want errCorpusChanged", err)
	}
	ix, st, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, _ := ix.Search(t.Context(), "How old is the Aflaj system?", 1)
	if !st.FromCache || len(res.Passages) == 0 || !strings.Contains(res.Passages[0].Text, "4500") {
		t.Errorf("after both ingests: %+v, %+v; want the newer snapshot, from cache", st, res.Passages)
	}
}

// gateEmbedder signals entered on its first call and waits for release (or ctx).
type gateEmbedder struct {
	Embedder
	entered chan struct{}
	release chan struct{}
}

func (g *gateEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 1 && texts[0] == probeText { // the probe on open (probe.go), before the corpus is read
		return g.Embedder.Embed(ctx, texts)
	}
	select {
	case g.entered <- struct{}{}:
	default:
	}
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.Embedder.Embed(ctx, texts)
}

// Issue 10 item 8: temporary files of a killed ingest are removed on open, but not
// while another writer holds the lock.
func TestOpenRemovesStaleTempFiles(t *testing.T) {
	corpus, cache := corpusDir(t), t.TempDir()
	stale := filepath.Join(cache, ".falaj-snapshot-123456")
	write(t, cache, filepath.Base(stale), "half a snapshot")
	cfg := Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: cache}

	unlock, ok, err := tryLockDir(cache)
	if err != nil || !ok {
		t.Fatalf("tryLockDir: %v, %v", ok, err)
	}
	ix, err := newIndex(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.load(t.Context(), true, false); err != nil { // what Open does first
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err != nil {
		t.Errorf("temp file removed while another writer held the lock: %v", err)
	}
	unlock()
	if _, _, err := Open(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temp file still there after open: %v", err)
	}
}

// The writer lock is exclusive between writers and released after a save.
func TestWriterLock(t *testing.T) {
	dir := t.TempDir()
	unlock, ok, err := tryLockDir(dir)
	if err != nil || !ok {
		t.Fatalf("first lock: %v, %v", ok, err)
	}
	if _, ok2, _ := tryLockDir(dir); ok2 {
		t.Error("second writer got the lock while the first held it")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := lockDir(ctx, dir); !errors.Is(err, context.Canceled) {
		t.Errorf("lockDir with a cancelled ctx while held = %v; want context.Canceled", err)
	}
	unlock()
	unlock2, ok, err := tryLockDir(dir)
	if err != nil || !ok {
		t.Fatalf("lock after unlock: %v, %v", ok, err)
	}
	unlock2()
}

// Issue 10 item 5: a snapshot that cannot be saved leaves a working index and says why.
func TestSaveErrorWhenIndexDirUnusable(t *testing.T) {
	corpus := corpusDir(t)
	notDir := filepath.Join(t.TempDir(), "file")
	write(t, filepath.Dir(notDir), "file", "a file where the index dir's parent should be")
	log, buf := logBuffer()
	ix, _, err := Open(t.Context(), Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: filepath.Join(notDir, "idx"), Logger: log})
	if err != nil {
		t.Fatalf("Open: %v; want a working index", err)
	}
	if ix.SaveError() == nil || !strings.Contains(buf.String(), "not saved") {
		t.Errorf("SaveError() = %v, log:\n%s\nwant the reason", ix.SaveError(), buf)
	}
	if res, _ := ix.Search(t.Context(), "QCG", 1); len(res.Passages) == 0 {
		t.Error("the unsaved index does not answer")
	}
	ok, _, err := Open(t.Context(), Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: t.TempDir()})
	if err != nil || ok.SaveError() != nil {
		t.Errorf("a writable dir: SaveError() = %v, %v", ok.SaveError(), err)
	}
}

// Each step of a refresh alone: load finds the snapshot, plan queues only the changed
// document, embed fills its vectors (rounded to int8), commit swaps and saves.
func TestRefreshSteps(t *testing.T) {
	corpus, cache := corpusDir(t), t.TempDir()
	ageCorpus(t, corpus)
	cfg := Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: cache}
	if _, _, err := Open(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	ix, err := newIndex(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	ld, err := ix.load(ctx, true, false)
	if err != nil || !ld.fromFile || ld.base == nil || len(ld.files) != 3 {
		t.Fatalf("load: %+v, %v; want the snapshot and 3 files", ld, err)
	}
	p, err := ix.plan(ctx, ld)
	if err != nil || !p.unchanged || p.changed || len(p.toEmbed) != 0 {
		t.Fatalf("plan of an unchanged corpus: %+v, %v; want unchanged", p, err)
	}

	write(t, corpus, "afghan/qcg.txt", "The QCG was launched in January 2016 in Islamabad.")
	ld, _ = ix.load(ctx, true, false)
	p, err = ix.plan(ctx, ld)
	if err != nil || p.unchanged || !p.changed || len(p.toEmbed) != 1 || p.toEmbed[0].passage.Doc != "afghan/qcg" {
		t.Fatalf("plan after editing qcg: toEmbed %d, %+v, %v; want qcg's one passage", len(p.toEmbed), p, err)
	}
	if len(p.vecs) != ld.base.Len()-passagesIn(ld.base, "afghan/qcg") {
		t.Errorf("plan reuses %d vectors; want every passage but qcg's", len(p.vecs))
	}

	id := p.toEmbed[0].passage.ID
	if err := ix.embed(ctx, p); err != nil {
		t.Fatal(err)
	}
	v := p.vecs[id]
	if len(v) != DefaultLocalDim || !slices.Equal(v, roundTrip(VectorsInt8, v)) {
		t.Errorf("embedded vector not rounded to int8 (len %d)", len(v))
	}

	st, err := ix.commit(ctx, p)
	if err != nil || ix.st != st || ix.SaveError() != nil {
		t.Fatalf("commit: %v, save %v", err, ix.SaveError())
	}
	if res, _ := ix.Search(ctx, "Where was the QCG launched?", 1); len(res.Passages) == 0 || !strings.Contains(res.Passages[0].Text, "Islamabad") {
		t.Errorf("after commit: %+v", res.Passages)
	}
	if _, st2, _ := Open(ctx, cfg); !st2.FromCache {
		t.Errorf("commit did not save the snapshot: %+v", st2)
	}
}

// Len is the number of passages of a state.
func (st *state) Len() int { return len(st.passages) }

func passagesIn(st *state, doc string) int {
	for _, d := range st.docs {
		if d.ID == doc {
			return d.n
		}
	}
	return 0
}

// Issue 11 item 3: embedAll runs batches concurrently, reports progress in order from
// the caller, and the first error stops the rest.
func TestEmbedAllParallel(t *testing.T) {
	texts := make([]string, 64*6+5)
	for i := range texts {
		texts[i] = "Oman mediates talks number " + strings.Repeat("x", i%7+1)
	}
	var dones []int
	vecs, err := embedAll(t.Context(), Local{Dim: 32}, texts, 0, func(done, total int) {
		if total != len(texts) {
			t.Errorf("progress total %d; want %d", total, len(texts))
		}
		dones = append(dones, done)
	})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Local{Dim: 32}.Embed(t.Context(), texts)
	for i := range texts {
		if cos := dot(vecs[i], want[i]); cos < 0.9999 {
			t.Fatalf("vector %d out of place: cosine %.4f with its text's vector", i, cos)
		}
	}
	if len(dones) != 7 || dones[6] != len(texts) || !slices.IsSorted(dones) {
		t.Errorf("progress %v; want 7 increasing calls ending at %d", dones, len(texts))
	}

	var calls atomic.Int64
	failing := embedFunc(func(ctx context.Context, texts []string) ([][]float32, error) {
		if calls.Add(1) == 2 {
			return nil, errors.New("server down")
		}
		return Local{Dim: 32}.Embed(ctx, texts)
	})
	if _, err := embedAll(t.Context(), failing, texts, 0, nil); err == nil || !strings.Contains(err.Error(), "server down") {
		t.Errorf("embedAll with a failing batch = %v; want the batch's error", err)
	}
}

// embedFunc adapts a function to Embedder.
type embedFunc func(ctx context.Context, texts []string) ([][]float32, error)

func (f embedFunc) Name() string { return "func" }
func (f embedFunc) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	return f(ctx, texts)
}

// Issue 10 item 4: a cancelled context stops Open while it embeds (Ctrl-C works).
func TestOpenStopsWhenCancelled(t *testing.T) {
	corpus := corpusDir(t)
	gate := &gateEmbedder{Embedder: Local{}, entered: make(chan struct{}, 1), release: make(chan struct{})}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		_, _, err := Open(ctx, Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Embedder: gate})
		done <- err
	}()
	<-gate.entered
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Open after cancel = %v; want context.Canceled", err)
	}
	if _, _, err := listCorpus(ctx, os.DirFS(corpus)); !errors.Is(err, context.Canceled) {
		t.Errorf("listCorpus with a cancelled ctx = %v; want context.Canceled", err)
	}
}

func TestTopScoresMatchesSort(t *testing.T) {
	acc := map[int]float64{}
	for i := range 500 {
		acc[i] = float64((i * 7919) % 37) // many ties
	}
	for _, n := range []int{1, 5, 30, 499, 500, 600} {
		want := sortScores(acc)
		if len(want) > n {
			want = want[:n]
		}
		if got := topScores(acc, n); !slices.Equal(got, want) {
			t.Errorf("topScores(n=%d) = %v; want %v", n, got, want)
		}
	}
}

// A loaded snapshot decompresses texts on demand: concurrent searches share its cache
// safely (run with -race).
func TestConcurrentSearchOnLoadedSnapshot(t *testing.T) {
	corpus, cache := corpusDir(t), t.TempDir()
	cfg := Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: cache}
	if _, _, err := Open(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	ix, st, err := Open(t.Context(), cfg)
	if err != nil || !st.FromCache || ix.st.lazy == nil {
		t.Fatalf("reopen: %+v, %v", st, err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 20 {
				res, err := ix.Search(t.Context(), "QCG launched Muscat talks", 3)
				if err != nil || len(res.Passages) == 0 || res.Passages[0].Text == "" {
					t.Errorf("search: %+v, %v", res, err)
					return
				}
				if p, err := ix.Passage(t.Context(), "aflaj#1"); err != nil || !strings.Contains(p.Text, "Aflaj") {
					t.Errorf("Passage(aflaj#1) = %+v, %v", p, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// A damaged snapshot whose checksum was recomputed (so only the decoder's own checks
// stand) is an error, never a panic.
func TestDecodeDamagedSnapshotNeverPanics(t *testing.T) {
	corpus, cache := corpusDir(t), t.TempDir()
	ix, _, err := Open(t.Context(), Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: cache})
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(ix.path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeSnapshot(t.Context(), good); err != nil {
		t.Fatalf("the good snapshot: %v", err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		b := slices.Clone(good)
		for range 1 + r.IntN(3) {
			j := headerLen + r.IntN(len(b)-headerLen)
			b[j] ^= byte(1 + r.IntN(255))
		}
		if i%3 == 0 { // also cut it short
			b = b[:headerLen+r.IntN(len(b)-headerLen)]
		}
		body := b[headerLen:]
		copy(b, snapshotHeader(int64(len(body)), crc32.Checksum(body, crcTable)))
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("mutation %d: decode panicked: %v", i, p)
				}
			}()
			if st, err := decodeSnapshot(t.Context(), b); err == nil {
				for k := range st.passages { // what decoded must be usable
					st.passage(k)
				}
			}
		}()
	}
}

// Issue 11 item 4, the racily-clean case: files written just before an ingest (a copied
// or generated corpus) are hashed on the next open; once the listing is past the racy
// window that open records their time, so later opens read nothing. Fake time (synctest)
// moves the listing past the window; the files' mtimes are set on the same clock.
func TestOpenRecordsRacilyCleanFilesOnce(t *testing.T) {
	corpus, cache := corpusDir(t), t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		fresh := time.Now().Add(-time.Second) // within racyWindow of the first listing
		err := filepath.WalkDir(corpus, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				err = os.Chtimes(p, fresh, fresh)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		cfs := &countingFS{FS: os.DirFS(corpus)}
		cfg := Config{Corpus: cfs, CorpusName: corpus, Dir: cache}
		if _, _, err := Open(t.Context(), cfg); err != nil {
			t.Fatal(err)
		}
		cfs.reset()
		time.Sleep(racyWindow + time.Second) // fake time: the files are no longer racily new
		if _, st, err := Open(t.Context(), cfg); err != nil || st.Embedded != 0 {
			t.Fatalf("open past the window: %+v, %v; want nothing embedded", st, err)
		}
		if got := cfs.reset(); len(got) != 3 {
			t.Errorf("open past the window read %q; want the 3 racily clean files hashed once", got)
		}
		_, st, err := Open(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := cfs.reset(); len(got) != 0 || !st.FromCache {
			t.Errorf("the next open read %q (stats %+v); want nothing read: their time was recorded", got, st)
		}
	})
}

// TestOlderKeywordIndexIsRebuiltWithoutEmbedding: a snapshot written before the keyword
// index carried the author's term (an older keywordsVersion, or none) keeps its vectors:
// the corpus is read again, the keyword index rebuilt and saved, nothing embedded.
func TestOlderKeywordIndexIsRebuiltWithoutEmbedding(t *testing.T) {
	cache := t.TempDir()
	emb := &countingEmbedder{Embedder: Local{}}
	cfg := Config{Dir: cache, Embedder: emb} // the seeds: the Diplo essay speaks as "I"
	ix, _, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// As main wrote it before: no keyword index version, no author term.
	st, err := readSnapshot(t.Context(), ix.path)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.kw.postings[lexical.AuthorTerm]) == 0 {
		t.Fatal("the seeds' snapshot has no first-person passage under the author term")
	}
	st.man.Chunker = ix.chunkerName()
	delete(st.kw.postings, lexical.AuthorTerm)
	if err := writeSnapshot(ix.path, st, nil); err != nil {
		t.Fatal(err)
	}

	emb.texts.Store(0)
	log, buf := logBuffer()
	cfg.Logger = log
	ix2, stats, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := emb.texts.Load(); n != 0 || stats.Embedded != 0 {
		t.Errorf("embedded %d passages (stats %d); want the vectors reused", n, stats.Embedded)
	}
	if len(ix2.st.kw.postings[lexical.AuthorTerm]) == 0 {
		t.Error("the keyword index was not rebuilt: no author term")
	}
	if strings.Contains(buf.String(), "rebuilding\" ") && strings.Contains(buf.String(), "other settings") {
		t.Errorf("log:\n%s\nwant no full rebuild", buf)
	}
	saved, err := readSnapshot(t.Context(), ix.path)
	if err != nil || saved.man.Chunker != ix.indexName() || len(saved.kw.postings[lexical.AuthorTerm]) == 0 {
		t.Errorf("saved snapshot: %v, chunker %q; want %q with the author term", err, saved.man.Chunker, ix.indexName())
	}
	if _, stats, err := Open(t.Context(), cfg); err != nil || !stats.FromCache {
		t.Errorf("third open: %+v, %v; want it from the snapshot as it is", stats, err)
	}
}

// TestTouchedSkippedFileIsRecordedOnce: when a file that is skipped (not UTF-8) changes,
// the next open reads the corpus and records the new size and time, so the open after it
// reads nothing.
func TestTouchedSkippedFileIsRecordedOnce(t *testing.T) {
	corpus, cache := corpusDir(t), t.TempDir()
	bad := filepath.Join(corpus, "bad.txt")
	if err := os.WriteFile(bad, []byte("\xff\xfe not text"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour) // out of the racy window
	for _, name := range []string{"bad.txt", "iran.txt", "aflaj.md", "afghan/qcg.txt"} {
		if err := os.Chtimes(filepath.Join(corpus, name), old, old); err != nil {
			t.Fatal(err)
		}
	}
	cfs := &countingFS{FS: os.DirFS(corpus)}
	cfg := Config{Corpus: cfs, CorpusName: corpus, Dir: cache}
	if _, st, err := Open(t.Context(), cfg); err != nil || len(st.Skipped) == 0 {
		t.Fatalf("first open: %+v, %v; want bad.txt skipped", st, err)
	}
	later := old.Add(time.Minute)
	if err := os.Chtimes(bad, later, later); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	cfs.reset()
	if _, st, err := Open(t.Context(), cfg); err != nil || !st.FromCache {
		t.Fatalf("third open: %+v, %v", st, err)
	}
	if got := cfs.reset(); len(got) != 0 {
		t.Errorf("the open after the change read %q; want nothing: the skipped file's new time was recorded", got)
	}
}
