package retrieval

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// fuseRRF merges ranked lists by reciprocal rank: a passage scores Σ 1/(k + rank),
// rank 1-based in each list it appears in (Cormack et al. use k = 60). Measured against
// the weighted fusion and not the default (docs/RETRIEVAL.md, "Fusion"). Best first; ties go to the earlier passage.
func fuseRRF(k float64, lists ...[]scored) []scored {
	acc := map[int]float64{}
	for _, l := range lists {
		for r, s := range l {
			acc[s.doc] += 1 / (k + float64(r+1))
		}
	}
	return sortScores(acc)
}

// fuseWeighted merges a vector list and a keyword list by their scores, each scaled to
// [0, 1] by dividing by the list's best score: wVec·vec + (1−wVec)·kw, a passage missing
// from a list scoring 0 there. Best first; ties go to the earlier passage.
func fuseWeighted(wVec float64, vec, kw []scored) []scored {
	acc := map[int]float64{}
	add := func(l []scored, w float64) {
		if len(l) == 0 || l[0].score <= 0 {
			return
		}
		top := l[0].score
		for _, s := range l {
			if s.score > 0 {
				acc[s.doc] += w * s.score / top
			}
		}
	}
	add(vec, wVec)
	add(kw, 1-wVec)
	return sortScores(acc)
}

// sortScores returns acc's passages by score, best first; ties go to the lower index, so
// results are deterministic.
func sortScores(acc map[int]float64) []scored {
	out := make([]scored, 0, len(acc))
	for d, s := range acc {
		out = append(out, scored{d, s})
	}
	slices.SortFunc(out, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.doc, b.doc)
	})
	return out
}

// Confidence weights: a name (lexical.ProperTerms) the corpus never uses weighs
// properBoost times the largest IDF; the confidence is passageWeight times the best
// passage's coverage plus the rest times the corpus's coverage (docs/RETRIEVAL.md).
const (
	properBoost   = 1.5
	passageWeight = 0.6
)

// qterm is a distinct query term and its weight.
type qterm struct {
	t     string
	w     float64
	known bool // some passage (text or title) has it
}

// queryTerms weighs the distinct query terms by IDF; a term no passage has gets the
// largest IDF, times properBoost when it is a name.
func (ix *keywordIndex) queryTerms(terms []string, proper map[string]bool) []qterm {
	seen := map[string]bool{}
	var out []qterm
	for _, t := range terms {
		if seen[t] {
			continue
		}
		seen[t] = true
		q := qterm{t: t, w: ix.idf(t), known: len(ix.postings[t]) > 0}
		if !q.known && proper[t] {
			q.w *= properBoost
		}
		out = append(out, q)
	}
	return out
}

// coverage is the share of the query's term weight that passage doc contains: 1 when
// the passage has every query term, 0 when it has none.
func (ix *keywordIndex) coverage(q []qterm, doc int) float64 {
	var have, all float64
	for _, t := range q {
		all += t.w
		if ix.has(doc, t.t) {
			have += t.w
		}
	}
	if all == 0 {
		return 0
	}
	return have / all
}

// confidence blends the best coverage among docs with the share of the query's weight
// that the corpus knows at all. A question whose words the corpus never uses scores
// near 0; one whose words all meet in one passage scores 1.
//
// A question whose terms are all numbers other than years ("What is 2+2?", "10%")
// scores 0: such a number names no topic, and every corpus has numbers to match it. A
// year does ("What happened in 2015?").
func (ix *keywordIndex) confidence(q []qterm, docs []int) float64 {
	if !slices.ContainsFunc(q, func(t qterm) bool { return !isNumber(t.t) || isYear(t.t) }) {
		return 0
	}
	var known, all float64
	for _, t := range q {
		all += t.w
		if t.known {
			known += t.w
		}
	}
	if all == 0 {
		return 0
	}
	best := 0.0
	for _, d := range docs {
		best = max(best, ix.coverage(q, d))
	}
	return passageWeight*best + (1-passageWeight)*known/all
}

// isNumber reports whether term is written in digits only (a search term keeps no
// punctuation: "10%" is "10", "2.5" is two terms).
func isNumber(term string) bool {
	return term != "" && strings.Trim(term, "0123456789") == ""
}

// isYear reports whether a number term can be a year: four digits from 1000 to 2100
// ("2015", but also the "1000" of "1000+1000", a rare miss).
func isYear(term string) bool {
	v, err := strconv.Atoi(term)
	return err == nil && len(term) == 4 && v >= 1000 && v <= 2100
}
