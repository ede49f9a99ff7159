package retrieval

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"

	chromem "github.com/philippgille/chromem-go"

	"github.com/falaj-bot/falaj"
)

// An index of more than Config.PartitionAbove passages is an inverted file (IVF): the
// passages are split by spherical k-means into partitions, each its own chromem-go
// collection, and a search scores the partitions' centroids and queries
// (QueryEmbedding) only the Config.Probes best partitions (default: a sixth of them)
// and those holding the keyword side's best passages (guides), merging the results
// by similarity. A smaller index is one collection searched exhaustively, as before.
//
// The clustering is trained on a sample (kmeansSamplePer points a partition,
// kmeansIterations rounds, fixed seed) and every passage then goes to its nearest
// centroid. The centroids and each passage's partition are saved in the snapshot, so
// opening it clusters nothing. A refresh keeps the centroids and places new or changed
// passages in their nearest partition, until the index has grown or shrunk by half
// since the centroids were trained (retrain): then it clusters again.
const (
	// DefaultPartitionAbove is Config.PartitionAbove when it is 0, where one
	// exhaustive chromem-go query costs about 2 ms on the benchmark machine
	// (BenchmarkScaleSearch, docs/BENCHMARKS.md: 1.1 ms at 200 articles, ≈ 2 100
	// passages; 1.8 ms at 400 articles, ≈ 4 300 passages, against 0.85 ms
	// partitioned; 3.7 ms at 800 articles against 1.2 ms). The seed corpus is far
	// below it.
	DefaultPartitionAbove = 4096
	// probeShare is the default share of partitions a search probes
	// (Config.Probes 0): one in six, chosen by measurement (TestMeasurePartitions,
	// docs/BENCHMARKS.md). On the synthetic archive, whose articles are seed sentences
	// drawn at random (no topics to cluster), recall follows the share scanned.
	probeShare = 6

	kmeansSamplePer  = 16 // training points per partition
	kmeansIterations = 8
	kmeansSeed       = 11
)

// defaultProbes is how many of k partitions a search probes when Config.Probes is
// 0: k/probeShare rounded up.
func defaultProbes(k int) int { return (k + probeShare - 1) / probeShare }

// partitionCount is how many partitions n passages get: √(n/2), at least 2, so about
// 2√(n/2) passages each (103 partitions of 208 at 21k passages, 327 of 654 at 214k).
func partitionCount(n int) int {
	return max(2, int(math.Round(math.Sqrt(float64(n)/2))))
}

// retrain reports whether centroids trained on trained passages should be trained
// again now the index holds n: when it has grown or shrunk by half.
func retrain(trained, n int) bool {
	return 2*n >= 3*trained || 2*n <= trained
}

// partitions is the inverted file of a state: never changed once the state is in use
// (a loaded one's cols are filled before).
type partitions struct {
	centroids [][]float32           // unit vectors, one per partition
	of        []int32               // per passage: its partition
	trained   int                   // passages in the index when the centroids were trained
	cols      []*chromem.Collection // per partition; nil until filled
}

// dot4 is the dot product of two vectors of the same length, four lanes at a time.
func dot4(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// nearest returns the index of the centroid most similar to v (the first on a tie).
func nearest(centroids [][]float32, v []float32) int32 {
	best, bs := 0, float32(math.Inf(-1))
	for c, cv := range centroids {
		if s := dot4(cv, v); s > bs {
			best, bs = c, s
		}
	}
	return int32(best)
}

// trainCentroids runs spherical k-means on a deterministic sample of vecs and returns
// k unit centroids. An empty cluster is given the sample point worst served by its
// centroid.
func trainCentroids(ctx context.Context, vecs [][]float32, k int) ([][]float32, error) {
	dim := len(vecs[0])
	r := rand.New(rand.NewPCG(kmeansSeed, uint64(len(vecs))))
	sample := vecs
	if m := k * kmeansSamplePer; m < len(vecs) {
		sample = make([][]float32, m)
		for i, j := range r.Perm(len(vecs))[:m] {
			sample[i] = vecs[j]
		}
	}
	k = min(k, len(sample))
	cents := make([][]float32, k)
	for c, j := range r.Perm(len(sample))[:k] {
		cents[c] = slices.Clone(sample[j])
	}
	assign := make([]int32, len(sample))
	sims := make([]float32, len(sample))
	for range kmeansIterations {
		if err := forEach(ctx, len(sample), func(i int) {
			assign[i] = nearest(cents, sample[i])
			sims[i] = dot4(cents[assign[i]], sample[i])
		}); err != nil {
			return nil, err
		}
		sums := make([][]float32, k)
		flat := make([]float32, k*dim)
		for c := range sums {
			sums[c] = flat[c*dim : (c+1)*dim : (c+1)*dim]
		}
		counts := make([]int, k)
		for i, v := range sample {
			c := assign[i]
			counts[c]++
			for j, x := range v {
				sums[c][j] += x
			}
		}
		// Empty clusters take the points farthest from their centroids, worst first.
		var worst []int
		for c := range k {
			if counts[c] == 0 {
				if worst == nil {
					worst = make([]int, len(sample))
					for i := range worst {
						worst[i] = i
					}
					slices.SortStableFunc(worst, func(a, b int) int { return cmp.Compare(sims[a], sims[b]) })
				}
				copy(sums[c], sample[worst[0]])
				worst = worst[1:]
			}
			if !normalizeInPlace(sums[c]) {
				copy(sums[c], cents[c])
			}
		}
		cents = sums
	}
	return cents, nil
}

// buildPartitions returns the inverted file of vecs, or nil when there are at most
// above vectors. It keeps prev's centroids unless retrain says otherwise; with them,
// passage i keeps its partition when prevOf reports one (its vector is unchanged) and
// is placed in its nearest partition otherwise.
func buildPartitions(ctx context.Context, vecs [][]float32, above int, prev *partitions, prevOf func(i int) (int32, bool)) (*partitions, error) {
	n := len(vecs)
	if above < 0 || n <= above {
		return nil, nil
	}
	pt := &partitions{of: make([]int32, n)}
	reuse := prev != nil && len(prev.centroids) > 0 && len(prev.centroids[0]) == len(vecs[0]) && !retrain(prev.trained, n)
	if reuse {
		pt.centroids, pt.trained = prev.centroids, prev.trained
	} else {
		cents, err := trainCentroids(ctx, vecs, partitionCount(n))
		if err != nil {
			return nil, err
		}
		for _, c := range cents {
			roundTrip(VectorsInt8, c) // as the snapshot stores it
		}
		pt.centroids, pt.trained = cents, n
		prevOf = nil
	}
	if err := forEach(ctx, n, func(i int) {
		if prevOf != nil {
			if c, ok := prevOf(i); ok {
				pt.of[i] = c
				return
			}
		}
		pt.of[i] = nearest(pt.centroids, vecs[i])
	}); err != nil {
		return nil, err
	}
	return pt, nil
}

// fill makes pt's chromem-go collections, one per partition, holding passages with
// their vectors (no text).
func (pt *partitions) fill(ctx context.Context, passages []falaj.Passage, vecs [][]float32) error {
	db := chromem.NewDB()
	pt.cols = make([]*chromem.Collection, len(pt.centroids))
	for c := range pt.cols {
		col, err := db.CreateCollection(passagesCollection+"-"+strconv.Itoa(c), nil, noEmbedding)
		if err != nil {
			return fmt.Errorf("create partition %d: %w", c, err)
		}
		pt.cols[c] = col
	}
	var mu sync.Mutex
	var first error
	err := forEach(ctx, len(passages), func(i int) {
		err := pt.cols[pt.of[i]].AddDocument(ctx, chromem.Document{ID: passages[i].ID, Embedding: vecs[i]})
		if err != nil {
			mu.Lock()
			first = cmp.Or(first, fmt.Errorf("add passage %s: %w", passages[i].ID, err))
			mu.Unlock()
		}
	})
	return cmp.Or(first, err)
}

// probe returns the indexes of the nprobe partitions whose centroids are most similar
// to qv, best first.
func (pt *partitions) probe(qv []float32, nprobe int) []int {
	type cs struct {
		c int
		s float32
	}
	all := make([]cs, len(pt.centroids))
	for c, cv := range pt.centroids {
		all[c] = cs{c, dot4(cv, qv)}
	}
	slices.SortFunc(all, func(a, b cs) int { return cmp.Or(cmp.Compare(b.s, a.s), cmp.Compare(a.c, b.c)) })
	out := make([]int, 0, nprobe)
	for _, x := range all[:min(nprobe, len(all))] {
		out = append(out, x.c)
	}
	return out
}

// search returns the n passages nearest to qv among the nprobe partitions whose
// centroids are nearest to qv and the partitions holding the passages in also (the
// keyword side's best, see guideDepth), best first (ties by passage order); byID maps
// chromem ids to passage numbers.
func (pt *partitions) search(ctx context.Context, qv []float32, n, nprobe int, also []int, byID map[string]int) ([]scored, error) {
	if nprobe <= 0 {
		nprobe = defaultProbes(len(pt.centroids))
	}
	probes := pt.probe(qv, nprobe)
	for _, i := range also {
		if c := int(pt.of[i]); !slices.Contains(probes, c) {
			probes = append(probes, c)
		}
	}
	var out []scored
	for _, c := range probes {
		col := pt.cols[c]
		m := min(n, col.Count())
		if m == 0 {
			continue
		}
		rs, err := col.QueryEmbedding(ctx, qv, m, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("query partition %d: %w", c, err)
		}
		for _, r := range rs {
			if i, ok := byID[r.ID]; ok {
				out = append(out, scored{i, float64(r.Similarity)})
			}
		}
	}
	slices.SortFunc(out, func(a, b scored) int { return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.doc, b.doc)) })
	return out[:min(n, len(out))], nil
}

// guideDepth is how many of the keyword side's best passages have their partitions
// probed too: with a lexical embedder the vector side's nearest passages are mostly
// the keyword side's best, wherever k-means put them.
const guideDepth = 10

// guides returns the passages of kw (best first) whose partitions a search probes
// besides the nearest centroids'.
func guides(kw []scored) []int {
	out := make([]int, 0, guideDepth)
	for _, s := range kw[:min(guideDepth, len(kw))] {
		out = append(out, s.doc)
	}
	return out
}

// partitioned reports whether an index of n passages is partitioned when
// Config.PartitionAbove is above (already defaulted: negative never).
func partitioned(n, above int) bool { return above >= 0 && n > above }

// indexVectors builds st's vector store: partitions (buildPartitions; prev's centroids
// and placements are kept where they still hold) with a collection each, or one
// collection of every passage when st is not partitioned.
func (st *state) indexVectors(ctx context.Context, above int, prev *state) error {
	var prevParts *partitions
	var prevOf func(i int) (int32, bool)
	if prev != nil && prev.parts != nil {
		prevParts = prev.parts
		prevOf = func(i int) (int32, bool) {
			j, ok := prev.byID[st.passages[i].ID]
			if !ok || len(prev.vecs[j]) == 0 || len(st.vecs[i]) == 0 || &prev.vecs[j][0] != &st.vecs[i][0] {
				return 0, false // new, or embedded again
			}
			return prev.parts.of[j], true
		}
	}
	pt, err := buildPartitions(ctx, st.vecs, above, prevParts, prevOf)
	if err != nil {
		return err
	}
	st.col, st.parts = nil, pt
	if pt != nil {
		return pt.fill(ctx, st.passages, st.vecs)
	}
	col, err := newCollection(ctx, st.passages, st.vecs)
	if err != nil {
		return err
	}
	st.col = col
	return nil
}
