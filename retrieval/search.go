package retrieval

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/lexical"
)

// DefaultMinConfidence is the SearchResult.Confidence an extractive answer needs to stand
// (falaj.DefaultMinConfidence; below it the Engine lists related passages, and below
// falaj.DefaultOffTopicConfidence it declines). Both are chosen on the tuning sets by
// go run ./eval/tune and reported on the check sets (docs/RETRIEVAL.md, "Issue 8: what
// was kept"); this Confidence is what they are calibrated for.
const DefaultMinConfidence = falaj.DefaultMinConfidence

// DefaultQueryEmbedTimeout is how long Search waits for the query's vector when
// Config.QueryEmbedTimeout is 0.
const DefaultQueryEmbedTimeout = 5 * time.Second

// Candidates fetched from each side before fusion: at least minCandidates, or
// candidateFactor·k when larger.
const (
	minCandidates   = 30
	candidateFactor = 4
	// confidenceDepth is how many of the best fused passages the confidence looks at.
	confidenceDepth = 3
)

// vectorWeight is the vector side's share in the weighted fusion.
const vectorWeight = 0.3

// defaultFusion is weighted score fusion, 0.3 vector + 0.7 BM25, each side scaled by
// its best score; on the question set it beat reciprocal-rank fusion (hit@1 13/14
// against 11/14, docs/RETRIEVAL.md), because the offline embedder is weaker than BM25
// and RRF gives both sides equal say.
func defaultFusion(vec, kw []scored) []scored { return fuseWeighted(vectorWeight, vec, kw) }

// fusionFor returns the weighted fusion with the embedder's own vector weight when it
// has one (Glove and Hybrid: a VectorWeight method), else defaultFusion.
func fusionFor(e Embedder) func(vec, kw []scored) []scored {
	if w, ok := e.(interface{ VectorWeight() float64 }); ok {
		vw := w.VectorWeight()
		return func(vec, kw []scored) []scored { return fuseWeighted(vw, vec, kw) }
	}
	return defaultFusion
}

// Search returns the k passages that best match query, best first, and a confidence in
// [0, 1]. It runs a vector search (chromem-go, the query embedded by the index's
// Embedder) and a BM25 keyword search, fuses them (defaultFusion), and sets each
// passage's Score to its fused score in [0, 1] (1: best on both sides).
//
// Confidence blends (keywordIndex.confidence) the largest IDF-weighted share of the
// query's content terms (see lexical.Terms) found in one of the three best passages with
// the share the corpus uses at all; a term the corpus never uses weighs the most (a name
// more), so "What is the capital of France?" scores near 0. Compare it with
// DefaultMinConfidence.
//
// k is clamped to Len. An empty query or k < 1 returns an empty result. The query is
// embedded before the index is locked, for at most Config.QueryEmbedTimeout (the
// Embedder must return when its ctx ends): a slow embedding server delays only this
// search, never Reindex or other searches. If the embedder fails or takes too long,
// Search logs a warning and answers from the keyword index alone; only a cancelled ctx
// is an error.
func (ix *Index) Search(ctx context.Context, query string, k int) (falaj.SearchResult, error) {
	query = strings.TrimSpace(query)
	if query == "" || k < 1 {
		return falaj.SearchResult{}, nil
	}
	warn := func(err error) {
		ix.log.WarnContext(ctx, "vector search failed; keyword results only", "embedder", ix.emb.Name(), "err", err)
	}
	qv, err := ix.embedQuery(ctx, query)
	if err != nil {
		if ctx.Err() != nil {
			return falaj.SearchResult{}, fmt.Errorf("search: %w", context.Cause(ctx))
		}
		warn(err)
	}

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	st := ix.st
	n := len(st.passages)
	k = min(k, n)
	cand := min(n, max(minCandidates, candidateFactor*k))

	known := func(t string) bool { return len(st.kw.postings[t]) > 0 }
	aq := lexical.Analyze(query, known)
	terms := aq.Terms
	kw := st.kw.searchWith(ix.bm, st.docOf(ix.bm.docWeight), terms, cand)
	vec, err := vectorSearch(ctx, st, qv, cand, ix.probes, kw)
	if err != nil {
		if ctx.Err() != nil {
			return falaj.SearchResult{}, fmt.Errorf("search: %w", context.Cause(ctx))
		}
		warn(err)
	}
	fused := ix.fuse(vec, kw)
	if len(fused) > k {
		fused = fused[:k]
	}
	res := falaj.SearchResult{Passages: make([]falaj.Passage, len(fused)), Query: aq}
	var top []int
	for i, s := range fused {
		p, err := st.passage(s.doc)
		if err != nil {
			return falaj.SearchResult{}, fmt.Errorf("search: %w", err)
		}
		p.Score = s.score
		res.Passages[i] = p
		if i < confidenceDepth {
			top = append(top, s.doc)
		}
	}
	res.Confidence = st.kw.confidence(st.kw.queryTerms(terms, aq.Names), top)
	return res, nil
}

// embedQuery returns the query's normalized vector, waiting at most ix.queryTimeout
// for the embedder. A query without features (only punctuation or stop words) gets
// nil and no error: keywords decide.
func (ix *Index) embedQuery(ctx context.Context, query string) ([]float32, error) {
	ectx, cancel := context.WithTimeoutCause(ctx, ix.queryTimeout,
		fmt.Errorf("no query vector within %v (Config.QueryEmbedTimeout)", ix.queryTimeout))
	defer cancel()
	vs, err := ix.emb.Embed(ectx, []string{query})
	if err != nil {
		if ctx.Err() == nil && ectx.Err() != nil {
			err = fmt.Errorf("%w: %w", context.Cause(ectx), err)
		}
		return nil, fmt.Errorf("embed query: %w", err)
	}
	if len(vs) != 1 {
		return nil, fmt.Errorf("embed query: got %d vectors for 1 text", len(vs))
	}
	qv, err := checkVector(vs[0], 0)
	if errors.Is(err, errZeroVector) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("embed query: %w", err)
	}
	return qv, nil
}

// vectorSearch returns the n passages of st nearest to the normalized query vector
// qv, best first; none when qv is nil. A partitioned state queries only the probes
// partitions whose centroids are nearest to qv and those of the keyword side's best
// passages kw (partition.go).
func vectorSearch(ctx context.Context, st *state, qv []float32, n, probes int, kw []scored) ([]scored, error) {
	if st.parts == nil {
		n = min(n, st.col.Count())
	} else {
		n = min(n, len(st.passages))
	}
	if n == 0 || qv == nil {
		return nil, nil
	}
	if len(qv) != st.man.Dim {
		return nil, fmt.Errorf("query vector has %d dimensions, the index %d", len(qv), st.man.Dim)
	}
	if st.parts != nil {
		return st.parts.search(ctx, qv, n, probes, guides(kw), st.byID)
	}
	rs, err := st.col.QueryEmbedding(ctx, qv, n, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("query vectors: %w", err)
	}
	out := make([]scored, 0, len(rs))
	for _, r := range rs {
		if i, ok := st.byID[r.ID]; ok {
			out = append(out, scored{i, float64(r.Similarity)})
		}
	}
	return out, nil
}
