package retrieval

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"

	chromem "github.com/philippgille/chromem-go"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/internal/corpusgen"
	"github.com/falaj-bot/falaj/lexical"
)

// BenchmarkIngest indexes the seed corpus in memory: load, clean, chunk, embed (Local),
// add to chromem, build BM25.
func BenchmarkIngest(b *testing.B) {
	var passages int
	for b.Loop() {
		ix, _, err := Open(b.Context(), Config{})
		if err != nil {
			b.Fatal(err)
		}
		passages = ix.Len()
	}
	b.ReportMetric(float64(passages)*float64(b.N)/b.Elapsed().Seconds(), "passages/s")
}

// BenchmarkOpenSnapshot opens the seed corpus from a saved snapshot, as a second
// process start does: read the corpus, load and check the snapshot, build BM25.
func BenchmarkOpenSnapshot(b *testing.B) {
	cfg := Config{Dir: b.TempDir()}
	if _, _, err := Open(b.Context(), cfg); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_, st, err := Open(b.Context(), cfg)
		if err != nil || !st.FromCache {
			b.Fatalf("open: %+v, %v", st, err)
		}
	}
}

// BenchmarkScaleSearch is a warm search on a synthetic archive (internal/corpusgen, 2 000
// articles ≈ 21k passages; FALAJ_BENCH_ARTICLES=20000 for ≈ 214k, or any number): the whole hybrid
// Search, its vector side (partitioned, partition.go), chromem-go's exhaustive
// QueryEmbedding over one collection of the same vectors, and a flat scan of them (one
// goroutine, contiguous), plus opening the index from its snapshot in this process.
func BenchmarkScaleSearch(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("FALAJ_BENCH_ARTICLES"))
	if n <= 0 {
		n = 2000
	}
	corpus, cache := b.TempDir(), b.TempDir()
	if _, err := corpusgen.Write(corpus, n, 42); err != nil {
		b.Fatal(err)
	}
	cfg := Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: cache}
	ix, _, err := Open(b.Context(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	const q = "Why is Oman trusted as a mediator?"
	qv, err := ix.embedQuery(b.Context(), q)
	if err != nil {
		b.Fatal(err)
	}
	name := fmt.Sprintf("articles=%d", n)
	b.Run(name+"/search", func(b *testing.B) {
		b.ReportMetric(float64(ix.Len()), "passages")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ix.Search(b.Context(), q, 5); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The vector side: partitioned as Search runs it (the keyword side's best passages
	// guide it), and the same vectors in one collection searched exhaustively.
	kw := ix.st.kw.search(lexical.Analyze(q, func(t string) bool { return len(ix.st.kw.postings[t]) > 0 }).Terms, minCandidates)
	b.Run(name+"/vector", func(b *testing.B) {
		if ix.st.parts != nil {
			b.ReportMetric(float64(len(ix.st.parts.centroids)), "partitions")
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := vectorSearch(b.Context(), ix.st, qv, minCandidates, ix.probes, kw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(name+"/chromem", func(b *testing.B) {
		col, err := newCollection(b.Context(), ix.st.passages, ix.st.vecs)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := col.QueryEmbedding(b.Context(), qv, minCandidates, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(name+"/flat", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if got := flatTopK(qv, ix.st.vecs, minCandidates); len(got) != minCandidates {
				b.Fatal(len(got))
			}
		}
	})
	b.Run(name+"/open-snapshot", func(b *testing.B) {
		// The corpus was written just before the first Open listed it (racily new), so
		// an Open more than 2 s later hashes it and saves the snapshot once more.
		if _, _, err := Open(b.Context(), cfg); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			_, st, err := Open(b.Context(), cfg)
			if err != nil || !st.FromCache {
				b.Fatalf("open: %+v, %v", st, err)
			}
		}
	})
}

// BenchmarkSearchSeed is a warm hybrid search on the seed corpus.
func BenchmarkSearchSeed(b *testing.B) { benchSearchSeed(b, Config{}) }

// benchSearchSeed times a warm search of one question on the seed corpus opened with cfg.
func benchSearchSeed(b *testing.B, cfg Config) {
	ix, _, err := Open(b.Context(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ix.Search(b.Context(), "Why is Oman trusted as a mediator?", 5); err != nil {
			b.Fatal(err)
		}
	}
}

// randomUnitVectors returns n normalized vectors of dim dimensions from a fixed seed.
func randomUnitVectors(n, dim int, r *rand.Rand) [][]float32 {
	flat := make([]float32, n*dim)
	for i := range flat {
		flat[i] = float32(r.NormFloat64())
	}
	out := make([][]float32, n)
	for i := range out {
		v := flat[i*dim : (i+1)*dim : (i+1)*dim]
		normalizeInPlace(v)
		out[i] = v
	}
	return out
}

// flatTopK is the floor: a brute-force dot product over every vector, keeping the k
// best in a small sorted slice, single goroutine.
func flatTopK(q []float32, vecs [][]float32, k int) []scored {
	top := make([]scored, 0, k+1)
	for i, v := range vecs {
		var s float32
		for j := range q {
			s += q[j] * v[j]
		}
		if len(top) == k && float64(s) <= top[k-1].score {
			continue
		}
		pos, _ := slices.BinarySearchFunc(top, float64(s), func(e scored, t float64) int { return cmp.Compare(t, e.score) })
		top = slices.Insert(top, pos, scored{i, float64(s)})
		if len(top) > k {
			top = top[:k]
		}
	}
	return top
}

// BenchmarkSearchVectors compares chromem-go's exhaustive QueryEmbedding with the flat
// scan over the same synthetic vectors, at 1k, 10k and 100k passages, for the local
// embedder's dimension and OpenAI's 1536. nResults is 30, what Search asks for.
func BenchmarkSearchVectors(b *testing.B) {
	const k = minCandidates
	for _, n := range []int{1_000, 10_000, 100_000} {
		for _, dim := range []int{DefaultLocalDim, 1536} {
			var vecs [][]float32
			var col *chromem.Collection
			var q []float32
			setup := func(b *testing.B) {
				if col != nil {
					return
				}
				r := rand.New(rand.NewPCG(42, 42))
				vecs = randomUnitVectors(n, dim, r)
				q = randomUnitVectors(1, dim, r)[0]
				db := chromem.NewDB()
				c, err := db.CreateCollection("bench", nil, noEmbedding)
				if err != nil {
					b.Fatal(err)
				}
				docs := make([]chromem.Document, n)
				for i, v := range vecs {
					docs[i] = chromem.Document{ID: "p" + strconv.Itoa(i), Embedding: v, Content: "x"}
				}
				if err := c.AddDocuments(b.Context(), docs, runtime.GOMAXPROCS(0)); err != nil {
					b.Fatal(err)
				}
				col = c
			}
			name := fmt.Sprintf("n=%d/dim=%d", n, dim)
			b.Run(name+"/chromem", func(b *testing.B) {
				setup(b)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := col.QueryEmbedding(b.Context(), q, k, nil, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(name+"/flat", func(b *testing.B) {
				setup(b)
				b.ReportAllocs()
				for b.Loop() {
					if got := flatTopK(q, vecs, k); len(got) != k {
						b.Fatal(len(got))
					}
				}
			})
			vecs, col, q = nil, nil, nil
			runtime.GC()
		}
	}
}

// TestFlatTopKMatchesChromem keeps the floor honest: both return the same passages.
func TestFlatTopKMatchesChromem(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 42))
	vecs := randomUnitVectors(500, 64, r)
	q := randomUnitVectors(1, 64, r)[0]
	db := chromem.NewDB()
	c, _ := db.CreateCollection("t", nil, noEmbedding)
	for i, v := range vecs {
		if err := c.AddDocument(t.Context(), chromem.Document{ID: strconv.Itoa(i), Embedding: v, Content: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := c.QueryEmbedding(t.Context(), q, 10, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	flat := flatTopK(q, vecs, 10)
	for i := range res {
		if res[i].ID != strconv.Itoa(flat[i].doc) || math.Abs(float64(res[i].Similarity)-flat[i].score) > 1e-5 {
			t.Errorf("rank %d: chromem %s %.5f, flat %d %.5f", i, res[i].ID, res[i].Similarity, flat[i].doc, flat[i].score)
		}
	}
}

// BenchmarkPartition times what partitioning adds to an ingest of 21 422 passages (the
// 2 000-article archive's count; random unit vectors of DefaultLocalDim, int8-rounded):
// k-means on the sample, then placing every passage (train), and filling the
// partitions' collections against filling one collection.
func BenchmarkPartition(b *testing.B) {
	const n = 21422
	vecs := randomUnitVectors(n, DefaultLocalDim, rand.New(rand.NewPCG(42, 42)))
	for _, v := range vecs {
		roundTrip(VectorsInt8, v)
	}
	passages := make([]falaj.Passage, n)
	for i := range passages {
		passages[i].ID = "p#" + strconv.Itoa(i)
	}
	var pt *partitions
	b.Run(fmt.Sprintf("passages=%d/train", n), func(b *testing.B) {
		for b.Loop() {
			var err error
			if pt, err = buildPartitions(b.Context(), vecs, DefaultPartitionAbove, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(pt.centroids)), "partitions")
	})
	b.Run(fmt.Sprintf("passages=%d/fill-partitions", n), func(b *testing.B) {
		for b.Loop() {
			if err := pt.fill(b.Context(), passages, vecs); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(fmt.Sprintf("passages=%d/fill-one", n), func(b *testing.B) {
		for b.Loop() {
			if _, err := newCollection(b.Context(), passages, vecs); err != nil {
				b.Fatal(err)
			}
		}
	})
}
