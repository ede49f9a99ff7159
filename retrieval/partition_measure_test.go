package retrieval

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/internal/corpusgen"
	"github.com/falaj-bot/falaj/lexical"
)

// TestMeasurePartitions prints the table behind DefaultProbes (docs/BENCHMARKS.md,
// "Archive scale"): on corpusgen's archive of FALAJ_MEASURE_IVF articles (2000 or
// 20000; unset: skipped), for each number of probed partitions, the recall@10 of the
// partitioned vector search against the exhaustive one over the same vectors, the
// share of queries whose fused top 5 (Index.Search) differs from the exhaustive
// index's, and the vector side's mean time. Queries: the question sets
// (../shared/eval/questions.jsonl and dev.jsonl) and the first sentence of every
// n/300th passage. It also times the clustering, which ingest adds. FALAJ_MEASURE_PROBES
// lists the probe counts to try ("k": all).
//
//	FALAJ_MEASURE_IVF=2000 go test -run MeasurePartitions -v -timeout 30m ./retrieval/
//	FALAJ_MEASURE_IVF=20000 FALAJ_MEASURE_PROBES=16,32,55,k go test -run MeasurePartitions -v -timeout 60m ./retrieval/
func TestMeasurePartitions(t *testing.T) {
	articles, _ := strconv.Atoi(os.Getenv("FALAJ_MEASURE_IVF"))
	if articles <= 0 {
		t.Skip("set FALAJ_MEASURE_IVF=2000 (articles) to measure")
	}
	ctx := t.Context()
	corpus := t.TempDir()
	if _, err := corpusgen.Write(corpus, articles, 42); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ix, _, err := Open(ctx, Config{Corpus: os.DirFS(corpus), CorpusName: corpus})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("opened %d passages in memory in %v", ix.Len(), time.Since(start).Round(time.Millisecond))
	st := ix.st
	if st.parts == nil {
		t.Fatalf("%d passages are not partitioned", ix.Len())
	}
	k := len(st.parts.centroids)

	// What the clustering adds to an ingest: training and placing, then filling the
	// partitions' collections against filling one collection.
	t0 := time.Now()
	pt, err := buildPartitions(ctx, st.vecs, ix.above, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t1 := time.Now()
	if err := pt.fill(ctx, st.passages, st.vecs); err != nil {
		t.Fatal(err)
	}
	t2 := time.Now()
	if _, err := newCollection(ctx, st.passages, st.vecs); err != nil {
		t.Fatal(err)
	}
	t3 := time.Now()
	sizes := make([]int, k)
	for _, c := range st.parts.of {
		sizes[c]++
	}
	slices.Sort(sizes)
	t.Logf("%d partitions (sizes min %d, median %d, max %d); k-means + placing %v; filling the partitions %v, one collection %v",
		k, sizes[0], sizes[k/2], sizes[k-1], t1.Sub(t0).Round(time.Millisecond), t2.Sub(t1).Round(time.Millisecond), t3.Sub(t2).Round(time.Millisecond))

	dir := filepath.Dir(*devSet)
	var questions []string
	expect := map[string][]string{} // answerable questions: what a passage that answers holds
	for _, f := range []string{"questions.jsonl", "dev.jsonl"} {
		for _, q := range readSet(t, filepath.Join(dir, f), nil) {
			questions = append(questions, q.Question)
			if q.Answerable {
				expect[q.Question] = q.ExpectAny
			}
		}
	}
	var sentences []string
	step := max(1, len(st.passages)/300)
	for i := 0; i < len(st.passages); i += step {
		text := st.text(i)
		if j := strings.Index(text, ". "); j > 0 {
			text = text[:j+1]
		}
		sentences = append(sentences, text)
	}

	probes := []int{1, 2, 4, 8, 12, 16, defaultProbes(k), 24, 32, 48, 64, k}
	if list := os.Getenv("FALAJ_MEASURE_PROBES"); list != "" { // e.g. "16,55,k" for the slow 20 000
		probes = nil
		for _, f := range strings.Split(list, ",") {
			np, err := strconv.Atoi(f)
			if f == "k" {
				np, err = k, nil
			}
			if err != nil || np < 1 {
				t.Fatalf("FALAJ_MEASURE_PROBES: %q is not a number of partitions", f)
			}
			probes = append(probes, np)
		}
	}
	const depth = 10
	var b strings.Builder
	fmt.Fprintf(&b, "\n%d passages, %d partitions; recall@%d of the vector side against the exhaustive search; the fused top 5 of Index.Search against the exhaustive index's (in order; and its scores, which differ only when a different passage is not tied)\n", len(st.passages), k, depth)
	fmt.Fprintf(&b, "| queries | probes | recall, centroids only | scanned | recall, + keyword guides | scanned | recall, + 30 guides | fused top 5 differs | its scores differ | answer in top 5 | vector side |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, set := range []struct {
		name    string
		queries []string
	}{{"questions + dev", questions}, {"passage sentences", sentences}} {
		// The exhaustive answers: the flat scan of the same vectors (depth), and the
		// fused top 5 with every partition probed.
		type ref struct {
			q      string
			qv     []float32
			kw     []scored
			floor  float64 // the exhaustive depth-th similarity
			exact  map[int]bool
			top5   []string
			scores []float64
		}
		refs := make([]ref, 0, len(set.queries))
		ix.probes = k
		for _, q := range set.queries {
			qv, err := ix.embedQuery(ctx, q)
			if err != nil || qv == nil {
				continue
			}
			ex := flatTopK(qv, st.vecs, depth)
			known := func(t string) bool { return len(st.kw.postings[t]) > 0 }
			r := ref{q: q, qv: qv, floor: ex[len(ex)-1].score, exact: map[int]bool{},
				kw: st.kw.search(lexical.Analyze(q, known).Terms, minCandidates)}
			for _, s := range ex {
				r.exact[s.doc] = true
			}
			res, err := ix.Search(ctx, q, 5)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range res.Passages {
				r.top5 = append(r.top5, p.ID)
				r.scores = append(r.scores, math.Round(p.Score*1e9))
			}
			refs = append(refs, r)
		}
		recall := func(r ref, got []scored) int {
			hits := 0
			for _, s := range got {
				// A passage tied with the exhaustive last one counts as found.
				if r.exact[s.doc] || s.score >= r.floor-1e-6 {
					hits++
				}
			}
			return hits
		}
		scannedBy := func(r ref, np int, also []int) int {
			cs := st.parts.probe(r.qv, np)
			for _, i := range also {
				if c := int(st.parts.of[i]); !slices.Contains(cs, c) {
					cs = append(cs, c)
				}
			}
			n := 0
			for _, c := range cs {
				n += st.parts.cols[c].Count()
			}
			return n
		}
		for _, np := range probes {
			ix.probes = np
			var plain, guided, guided30, want, differ, differScores, scanPlain, scanGuided, answered, answerable int
			var took time.Duration
			for _, r := range refs {
				got, err := st.parts.search(ctx, r.qv, depth, np, nil, st.byID)
				if err != nil {
					t.Fatal(err)
				}
				plain += recall(r, got)
				t0 := time.Now()
				got, err = st.parts.search(ctx, r.qv, minCandidates, np, guides(r.kw), st.byID)
				took += time.Since(t0)
				if err != nil {
					t.Fatal(err)
				}
				guided += recall(r, got[:min(depth, len(got))])
				var all30 []int
				for _, s := range r.kw {
					all30 = append(all30, s.doc)
				}
				got, err = st.parts.search(ctx, r.qv, depth, np, all30, st.byID)
				if err != nil {
					t.Fatal(err)
				}
				guided30 += recall(r, got)
				want += len(r.exact)
				scanPlain += scannedBy(r, np, nil)
				scanGuided += scannedBy(r, np, guides(r.kw))

				res, err := ix.Search(ctx, r.q, 5)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				var scores []float64
				for _, p := range res.Passages {
					ids = append(ids, p.ID)
					scores = append(scores, math.Round(p.Score*1e9))
				}
				if want, ok := expect[r.q]; ok {
					answerable++
					if holdsAny(t, st, res.Passages, want) {
						answered++
					}
				}
				if !slices.Equal(ids, r.top5) {
					differ++
				}
				if !slices.Equal(scores, r.scores) {
					differScores++
				}
			}
			all := float64(len(refs) * len(st.passages))
			hit := "—"
			if answerable > 0 {
				hit = fmt.Sprintf("%d/%d", answered, answerable)
			}
			fmt.Fprintf(&b, "| %s (%d) | %d | %.3f | %.1f%% | %.3f | %.1f%% | %.3f | %d | %d | %s | %.2f ms |\n", set.name, len(refs), np,
				float64(plain)/float64(want), 100*float64(scanPlain)/all, float64(guided)/float64(want), 100*float64(scanGuided)/all,
				float64(guided30)/float64(want), differ, differScores, hit, float64(took.Microseconds())/1000/float64(len(refs)))
		}
	}
	t.Log(b.String())
}

// holdsAny reports whether one of ps holds one of want (case-insensitive).
func holdsAny(t *testing.T, st *state, ps []falaj.Passage, want []string) bool {
	t.Helper()
	for _, p := range ps {
		text := strings.ToLower(p.Text)
		for _, w := range want {
			if strings.Contains(text, strings.ToLower(w)) {
				return true
			}
		}
	}
	return false
}
