package retrieval

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/internal/corpusgen"
)

// archiveDir writes corpusgen's first n articles (seed 42), aged out of the racy
// window (so a later open does not hash and save them again), and returns the folder.
func archiveDir(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := corpusgen.Write(dir, n, 42); err != nil {
		t.Fatal(err)
	}
	ageCorpus(t, dir)
	return dir
}

// partitionQueries are searches for the partition tests: questions, and passages'
// own sentences (whose nearest passage holds them).
var partitionQueries = []string{
	"Why is Oman trusted as a mediator?",
	"When was the Quadrilateral Coordination Group launched?",
	"What is the Aflaj system?",
	"Who mediated between Washington and Tehran?",
	"How does social media affect negotiators?",
	"What is the capital of France?",
}

// resultIDs lists the passages' ids and scores of a search result.
func resultIDs(r falaj.SearchResult) []string {
	var out []string
	for _, p := range r.Passages {
		out = append(out, fmt.Sprintf("%s %.5f", p.ID, p.Score)) // the local embedder's float sums vary in the last bits
	}
	return out
}

func TestPartitionedSearchMatchesExhaustive(t *testing.T) {
	corpus := archiveDir(t, 40)
	cfg := Config{Corpus: os.DirFS(corpus), CorpusName: corpus, PartitionAbove: 100}
	approx, _, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The same state searched exhaustively (one collection), and probing every
	// partition. (Not a second Open: the embedder may round a vector differently.)
	exh := *approx.st
	exh.parts = nil
	if err := exh.indexVectors(t.Context(), -1, nil); err != nil || exh.col == nil {
		t.Fatalf("one collection: %v", err)
	}
	flat, err := newIndex(cfg)
	if err != nil {
		t.Fatal(err)
	}
	flat.st = &exh
	cfg.Probes = 1 << 20
	every, err := newIndex(cfg)
	if err != nil {
		t.Fatal(err)
	}
	every.st = approx.st
	n := flat.Len()
	pt := approx.st.parts
	if pt == nil || approx.st.col != nil {
		t.Fatalf("%d passages above PartitionAbove 100: not partitioned", n)
	}
	if k := len(pt.centroids); k != partitionCount(n) || k < 2 {
		t.Errorf("%d partitions for %d passages; want %d", k, n, partitionCount(n))
	}
	held := 0
	for c, col := range pt.cols {
		held += col.Count()
		if !isUnit(pt.centroids[c]) {
			t.Errorf("centroid %d is not a unit vector", c)
		}
	}
	if held != n || len(pt.of) != n {
		t.Errorf("partitions hold %d passages, place %d; index %d", held, len(pt.of), n)
	}
	for i, c := range pt.of {
		if c != nearest(pt.centroids, approx.st.vecs[i]) {
			t.Fatalf("passage %d is in partition %d, not its nearest", i, c)
		}
	}

	queries := slices.Clone(partitionQueries)
	for i := 0; i < n; i += n / 10 {
		queries = append(queries, flat.st.text(i))
	}
	for _, q := range queries {
		want, err := flat.Search(t.Context(), q, 5)
		if err != nil {
			t.Fatal(err)
		}
		got, err := every.Search(t.Context(), q, 5)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(resultIDs(got), resultIDs(want)) || math.Abs(got.Confidence-want.Confidence) > 1e-9 {
			t.Errorf("Search(%.40q) probing every partition = %q, %.3f; exhaustive %q, %.3f", q, resultIDs(got), got.Confidence, resultIDs(want), want.Confidence)
		}
	}
	// With the default probes, a passage's own text still finds it first, on the
	// vector side alone.
	for i := 0; i < n; i += n / 10 {
		qv := approx.st.vecs[i]
		got, err := vectorSearch(t.Context(), approx.st, qv, 5, approx.probes, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || got[0].doc != i {
			t.Errorf("vector search for passage %d's own vector: %v; want it first", i, got)
		}
	}
}

func TestPartitionsSurviveSnapshot(t *testing.T) {
	corpus, cache := archiveDir(t, 40), t.TempDir()
	emb := &countingEmbedder{Embedder: Local{}}
	cfg := Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: cache, Embedder: emb, PartitionAbove: 100}
	ix, _, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	emb.texts.Store(0)
	ix2, st, err := Open(t.Context(), cfg)
	if err != nil || !st.FromCache || emb.texts.Load() != 0 {
		t.Fatalf("second open: %+v, %v, %d embedded; want from cache", st, err, emb.texts.Load())
	}
	a, b := ix.st.parts, ix2.st.parts
	if b == nil || b.trained != a.trained || !slices.Equal(b.of, a.of) || len(b.centroids) != len(a.centroids) {
		t.Fatalf("partitions after a round trip differ")
	}
	for c := range a.centroids {
		if !slices.Equal(a.centroids[c], b.centroids[c]) {
			t.Errorf("centroid %d differs after a round trip", c)
		}
		if a.cols[c].Count() != b.cols[c].Count() {
			t.Errorf("partition %d holds %d passages, %d before", c, b.cols[c].Count(), a.cols[c].Count())
		}
	}
	for _, q := range partitionQueries {
		want, _ := ix.Search(t.Context(), q, 5)
		got, err := ix2.Search(t.Context(), q, 5)
		if err != nil || !slices.Equal(resultIDs(got), resultIDs(want)) {
			t.Errorf("Search(%q) from the snapshot = %q, %v; before %q", q, resultIDs(got), err, resultIDs(want))
		}
	}

	// A PartitionAbove that no longer partitions merges the partitions, without
	// embedding, and saves that.
	cfg.PartitionAbove = -1
	ix3, st, err := Open(t.Context(), cfg)
	if err != nil || st.Embedded != 0 || ix3.st.parts != nil || ix3.st.col.Count() != ix3.Len() {
		t.Fatalf("open unpartitioned: %+v, %v", st, err)
	}
	if _, st, _ := Open(t.Context(), cfg); !st.FromCache {
		t.Errorf("the merged index was not saved: %+v", st)
	}
}

// format2 turns a format-3 snapshot of an unpartitioned index into the format-2 file
// an older Falaj wrote: the same body without the partitions' count.
func format2(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b[len(b)-1] != 0 {
		t.Fatal("the snapshot has partitions")
	}
	body := b[headerLen : len(b)-1]
	out := append([]byte(snapshotMagic), binary.LittleEndian.AppendUint32(nil, 2)...)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(body)))
	out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(body, crcTable))
	if err := os.WriteFile(path, append(out, body...), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestFormat2SnapshotIsPartitionedWithoutEmbedding(t *testing.T) {
	corpus, cache := archiveDir(t, 40), t.TempDir()
	emb := &countingEmbedder{Embedder: Local{}}
	cfg := Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: cache, Embedder: emb, PartitionAbove: -1}
	ix, _, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	format2(t, ix.path)
	if _, err := readSnapshot(t.Context(), ix.path); err != nil {
		t.Fatalf("format 2 unreadable: %v", err)
	}

	emb.texts.Store(0)
	cfg.PartitionAbove = 100
	log, buf := logBuffer()
	cfg.Logger = log
	ix2, st, err := Open(t.Context(), cfg)
	if err != nil || st.Embedded != 0 || emb.texts.Load() != 0 || ix2.st.parts == nil {
		t.Fatalf("open of a format-2 snapshot: %+v, %v, %d embedded, partitioned %v", st, err, emb.texts.Load(), ix2.st.parts != nil)
	}
	if !strings.Contains(buf.String(), "repartitioned") {
		t.Errorf("log:\n%s\nwant a note that the snapshot was repartitioned", buf)
	}
	b, err := os.ReadFile(ix.path)
	if err != nil {
		t.Fatal(err)
	}
	if f := binary.LittleEndian.Uint32(b[len(snapshotMagic):]); f != snapshotFormat {
		t.Errorf("saved as format %d; want %d", f, snapshotFormat)
	}
	ix3, st, err := Open(t.Context(), cfg)
	if err != nil || !st.FromCache || !slices.Equal(ix3.st.parts.of, ix2.st.parts.of) {
		t.Errorf("third open: %+v, %v; want the saved partitions from cache", st, err)
	}

	// A format this code does not know is rebuilt, with a warning.
	b[len(snapshotMagic)] = 9
	if err := os.WriteFile(ix.path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	log, buf = logBuffer()
	cfg.Logger = log
	if _, st, err := Open(t.Context(), cfg); err != nil || st.FromCache || !strings.Contains(buf.String(), "snapshot format 9") {
		t.Errorf("format 9: %+v, %v, log:\n%s\nwant a rebuild with a warning", st, err, buf)
	}
}

func TestRefreshPlacesNewPassagesInPartitions(t *testing.T) {
	corpus := archiveDir(t, 40)
	cfg := Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: t.TempDir(), PartitionAbove: 100}
	ix, _, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	before := ix.st.parts
	const text = "Cardamom caravans crossed the Wahiba sands to the Zanzibar observatory of the Sultan."
	write(t, corpus, "new/zanzibar.txt", "---\ntitle: Caravans\n---\n"+text)
	st, err := ix.Reindex(t.Context())
	if err != nil || st.Embedded != 1 {
		t.Fatalf("Reindex: %+v, %v; want one passage embedded", st, err)
	}
	after := ix.st.parts
	if len(after.centroids) != len(before.centroids) || &after.centroids[0] != &before.centroids[0] || after.trained != before.trained {
		t.Fatal("one new document retrained the partitions")
	}
	i, ok := ix.st.byID["new/zanzibar#1"]
	if !ok {
		t.Fatalf("new passage not indexed; ids like %v", slices.Collect(func(yield func(string) bool) {
			for id := range ix.st.byID {
				if !yield(id) {
					return
				}
			}
		}))
	}
	c := after.of[i]
	if c != nearest(after.centroids, ix.st.vecs[i]) {
		t.Errorf("new passage in partition %d, not its nearest", c)
	}
	if after.cols[c].Count() != before.cols[c].Count()+1 {
		t.Errorf("partition %d holds %d passages; want %d", c, after.cols[c].Count(), before.cols[c].Count()+1)
	}
	res, err := ix.Search(t.Context(), "caravans to the Zanzibar observatory", 3)
	if err != nil || len(res.Passages) == 0 || res.Passages[0].ID != "new/zanzibar#1" {
		t.Errorf("Search for the new document: %q, %v", resultIDs(res), err)
	}

	// Growing by half retrains.
	for j := range 20 {
		write(t, corpus, filepath.Join("more", strings.Repeat("a", j+1)+".txt"), string(corpusgen.Article(mustSentences(t), 7, j)))
	}
	if _, err := ix.Reindex(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := ix.st.parts; got.trained != ix.Len() || len(got.centroids) != partitionCount(ix.Len()) {
		t.Errorf("after growing from %d to %d passages: trained on %d, %d partitions", before.trained, ix.Len(), got.trained, len(got.centroids))
	}
}

func mustSentences(t *testing.T) []string {
	t.Helper()
	s, err := corpusgen.Sentences()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRetrain(t *testing.T) {
	for _, tt := range []struct {
		trained, n int
		want       bool
	}{
		{100, 100, false},
		{100, 149, false},
		{100, 150, true},
		{100, 51, false},
		{100, 50, true},
	} {
		if got := retrain(tt.trained, tt.n); got != tt.want {
			t.Errorf("retrain(%d, %d) = %v; want %v", tt.trained, tt.n, got, tt.want)
		}
	}
}
