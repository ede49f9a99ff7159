package retrieval

import (
	"cmp"
	"fmt"
	"iter"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/falaj-bot/falaj/lexical"
)

// BM25 parameters: the usual k1, and b = 0.6 rather than the usual 0.75 (chosen by
// go run ./eval/tune on the tuning sets, no worse on the check sets: docs/RETRIEVAL.md,
// "Issue 8, last round"); title terms count titleWeight each, the terms of the byline
// (author, outlet, date: metaTerms) metaWeight each.
const (
	bm25K1      = 1.2
	bm25B       = 0.6
	titleWeight = 0.3
	metaWeight  = 0.6
)

// keywordIndex is an in-memory BM25 index over lexical.Terms of passages (plus the
// long forms of the acronyms they use). It is built at ingest and saved in the snapshot
// (appendTo, readKeywordIndex), so opening a large archive does not stem every passage
// again. It is never changed after it is built, so it is safe for concurrent reads.
type keywordIndex struct {
	postings map[string][]posting // by term; each list in passage order
	df       map[string]int       // passages whose text (not title or byline) has the term
	lens     []float64
	avgLen   float64
}

// posting is one passage that has a term: 8 bytes, for a compact index at 200k passages.
type posting struct {
	doc int32
	tf  float32
}

// scored is a passage index with a score, higher is better.
type scored struct {
	doc   int
	score float64
}

// newKeywordIndex indexes passages given as text terms, title terms and byline terms
// (metaTerms; meta may be nil). Title and byline terms count towards a passage's score,
// length and coverage, not towards document frequency.
func newKeywordIndex(text, title, meta [][]string) *keywordIndex {
	ix := emptyKeywordIndex(len(text))
	for i := range text {
		var mt []string
		if meta != nil {
			mt = meta[i]
		}
		ix.add(i, text[i], title[i], mt)
	}
	ix.finish()
	return ix
}

// emptyKeywordIndex returns an index for n passages to be filled with add, in passage
// order, then finish; so a large corpus need not hold every passage's terms at once.
func emptyKeywordIndex(n int) *keywordIndex {
	return &keywordIndex{postings: map[string][]posting{}, df: map[string]int{}, lens: make([]float64, n)}
}

// add indexes passage i with its text, title and byline terms; i must be larger than
// every passage added before.
func (ix *keywordIndex) add(i int, text, title, meta []string) {
	tf := map[string]float64{}
	for _, t := range text {
		tf[t]++
	}
	for t := range tf {
		ix.df[t]++
	}
	for _, t := range title {
		tf[t] += titleWeight
	}
	for _, t := range meta {
		tf[t] += metaWeight
	}
	for t, f := range tf {
		ix.postings[t] = append(ix.postings[t], posting{int32(i), float32(f)})
	}
	ix.lens[i] = float64(len(text)) + titleWeight*float64(len(title)) + metaWeight*float64(len(meta))
}

// finish computes the average passage length once every passage is added.
func (ix *keywordIndex) finish() {
	var total float64
	for _, l := range ix.lens {
		total += l
	}
	if len(ix.lens) > 0 {
		ix.avgLen = total / float64(len(ix.lens))
	}
}

// has reports whether passage doc has term t in its text, title or byline (a binary search of
// t's postings).
func (ix *keywordIndex) has(doc int, t string) bool {
	ps := ix.postings[t]
	_, ok := slices.BinarySearchFunc(ps, int32(doc), func(p posting, d int32) int { return cmp.Compare(p.doc, d) })
	return ok
}

// idf is the BM25 inverse document frequency of t; a term no passage has gets the
// largest value, maxIDF.
func (ix *keywordIndex) idf(t string) float64 {
	n := float64(len(ix.lens))
	df := float64(ix.df[t])
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// search returns up to n passages by BM25 score (the default parameters) for the
// query terms, best first; ties go to the earlier passage.
func (ix *keywordIndex) search(query []string, n int) []scored {
	return ix.searchWith(bm25Params{k1: bm25K1, b: bm25B}, nil, query, n)
}

// bm25Params are BM25's k1 and b, and the weight of document-level evidence (0: none);
// Config.BM25K1, BM25B and DocWeight set them for tuning (eval/tune).
type bm25Params struct{ k1, b, docWeight float64 }

// docOf returns each passage's document number, or nil when docWeight is 0 (unused).
func (st *state) docOf(docWeight float64) []int32 {
	if docWeight == 0 {
		return nil
	}
	out := make([]int32, len(st.passages))
	for di, d := range st.docs {
		for i := d.first; i < d.first+d.n; i++ {
			out[i] = int32(di)
		}
	}
	return out
}

// searchWith is search with explicit parameters. Scores add up in a slice over all
// passages, not a map: at 200k passages a common term has tens of thousands of
// postings, and a map spent 12 of the search's 16 ms (docs/BENCHMARKS.md, "Archive
// scale").
//
// With docWeight > 0 (and docOf, each passage's document number) a passage's BM25
// score, scaled by the best, is blended with its document's BM25 score (the document's
// passages read as one text), scaled the same way: (1−w)·passage + w·document. Measured
// and not the default (docs/RETRIEVAL.md, "Issue 8, last round").
func (ix *keywordIndex) searchWith(bp bm25Params, docOf []int32, query []string, n int) []scored {
	if n <= 0 || len(ix.lens) == 0 {
		return nil
	}
	if docOf == nil {
		bp.docWeight = 0
	}
	seen := map[string]bool{}
	acc := make([]float64, len(ix.lens))
	var touched []int32 // passages with a score, in the order first scored
	var dlen, dacc []float64
	var davg float64
	if bp.docWeight > 0 {
		nd := 0
		for _, d := range docOf {
			nd = max(nd, int(d)+1)
		}
		dlen, dacc = make([]float64, nd), make([]float64, nd)
		for i, l := range ix.lens {
			dlen[docOf[i]] += l
		}
		for _, l := range dlen {
			davg += l
		}
		davg /= float64(nd)
	}
	for _, t := range query {
		if seen[t] {
			continue
		}
		seen[t] = true
		ps := ix.postings[t]
		if len(ps) == 0 {
			continue
		}
		idf := ix.idf(t)
		for _, p := range ps {
			tf := float64(p.tf)
			norm := bp.k1 * (1 - bp.b + bp.b*ix.lens[p.doc]/ix.avgLen)
			if acc[p.doc] == 0 { // every term adds more than 0: idf > 0, tf > 0
				touched = append(touched, p.doc)
			}
			acc[p.doc] += idf * tf * (bp.k1 + 1) / (tf + norm)
		}
		if bp.docWeight > 0 {
			dtf := map[int32]float64{}
			for _, p := range ps {
				dtf[docOf[p.doc]] += float64(p.tf)
			}
			nd := float64(len(dlen))
			didf := math.Log(1 + (nd-float64(len(dtf))+0.5)/(float64(len(dtf))+0.5))
			for d, tf := range dtf {
				norm := bp.k1 * (1 - bp.b + bp.b*dlen[d]/davg)
				dacc[d] += didf * tf * (bp.k1 + 1) / (tf + norm)
			}
		}
	}
	if bp.docWeight > 0 && len(touched) > 0 {
		var pt, dt float64
		for _, d := range touched {
			pt = max(pt, acc[d])
		}
		for _, s := range dacc {
			dt = max(dt, s)
		}
		for _, d := range touched {
			v := (1 - bp.docWeight) * acc[d] / pt
			if dt > 0 {
				v += bp.docWeight * dacc[docOf[d]] / dt
			}
			acc[d] = v
		}
	}
	return topN(n, func(yield func(scored) bool) {
		for _, d := range touched {
			if !yield(scored{int(d), acc[d]}) {
				return
			}
		}
	})
}

// topScores returns the n best of acc in sortScores' order (score, then lower index).
func topScores(acc map[int]float64, n int) []scored {
	return topN(n, func(yield func(scored) bool) {
		for d, sc := range acc {
			if !yield(scored{d, sc}) {
				return
			}
		}
	})
}

// topN returns the n best of all in sortScores' order (score, then lower index)
// without sorting all of them: at archive scale a common term matches most passages.
func topN(n int, all iter.Seq[scored]) []scored {
	worse := func(a, b scored) bool { return a.score < b.score || a.score == b.score && a.doc > b.doc }
	h := make([]scored, 0, n) // a min-heap: h[0] is the worst kept
	down := func(i int) {
		for {
			w := i
			if l := 2*i + 1; l < len(h) && worse(h[l], h[w]) {
				w = l
			}
			if r := 2*i + 2; r < len(h) && worse(h[r], h[w]) {
				w = r
			}
			if w == i {
				return
			}
			h[i], h[w] = h[w], h[i]
			i = w
		}
	}
	for s := range all {
		if len(h) < n {
			h = append(h, s)
			for i := len(h) - 1; i > 0 && worse(h[i], h[(i-1)/2]); i = (i - 1) / 2 {
				h[i], h[(i-1)/2] = h[(i-1)/2], h[i]
			}
			continue
		}
		if worse(h[0], s) {
			h[0] = s
			down(0)
		}
	}
	slices.SortFunc(h, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.doc, b.doc)
	})
	return h
}

// metaTerms are the search terms of a document's byline: its author, its outlet (when
// it is not the author) and its date, with the month's name for an ISO date
// ("2024-01-02" → "2024", "january"), so that "who wrote the piece on Afghanistan?" and
// "the article from January" find the document's passages.
func metaTerms(d document) []string {
	out := lexical.Terms(d.Author)
	if d.Outlet != d.Author {
		out = append(out, lexical.Terms(d.Outlet)...)
	}
	return append(out, dateTerms(d.Date)...)
}

// isoDate matches an ISO date's year and month.
var isoDate = regexp.MustCompile(`^(\d{4})-(\d{2})(?:-\d{2})?(?:[T ].*)?$`)

// dateTerms are the search terms of a date as written, or for an ISO date its year and
// month name.
func dateTerms(date string) []string {
	date = strings.TrimSpace(date)
	m := isoDate.FindStringSubmatch(date)
	if m == nil {
		return lexical.Terms(date)
	}
	out := []string{m[1]}
	if mo, err := strconv.Atoi(m[2]); err == nil && mo >= 1 && mo <= 12 {
		out = append(out, lexical.Terms(time.Month(mo).String())...)
	}
	return out
}

// appendTo writes the index for the snapshot: passage lengths, then each term (sorted)
// with its df and postings (passage deltas; a whole tf n as 2n, n tenths as 2n+1, else
// 1 and the float32 bits), so that readKeywordIndex gives back the same scores bit for
// bit.
func (ix *keywordIndex) appendTo(e *enc) {
	for _, l := range ix.lens {
		e.f64(l)
		e.spill()
	}
	terms := make([]string, 0, len(ix.postings))
	for t := range ix.postings {
		terms = append(terms, t)
	}
	slices.Sort(terms)
	e.uv(uint64(len(terms)))
	for _, t := range terms {
		ps := ix.postings[t]
		e.str(t)
		e.uv(uint64(ix.df[t]))
		e.uv(uint64(len(ps)))
		prev := int32(0)
		for _, p := range ps {
			e.uv(uint64(p.doc - prev))
			prev = p.doc
			// A whole number n as 2n; else n tenths as 2n+1 (3 and up): title and byline
			// terms weigh 0.3 and 0.6, so a fifth of the postings are not whole, and one
			// byte is four fewer than a float32; else 1, then the float32.
			if n := uint64(p.tf); float32(n) == p.tf && n < 1<<20 {
				e.uv(2 * n)
			} else if n := math.Round(float64(p.tf) * 10); n >= 1 && n < 1<<20 && float32(n)/10 == p.tf {
				e.uv(2*uint64(n) + 1)
			} else {
				e.uv(1)
				e.f32(p.tf)
			}
		}
		e.spill()
	}
}

// readKeywordIndex reads what appendTo wrote for n passages, checking every passage
// number and length.
func readKeywordIndex(d *dec, n int) (*keywordIndex, error) {
	ix := &keywordIndex{lens: make([]float64, n)}
	var total float64
	for i := range ix.lens {
		l := d.f64()
		if d.err != nil || math.IsNaN(l) || l < 0 || math.IsInf(l, 0) {
			return nil, fmt.Errorf("keyword index: passage %d: bad length", i)
		}
		ix.lens[i] = l
		total += l
	}
	if n > 0 {
		ix.avgLen = total / float64(n)
	}
	nt := d.count(len(d.b) - d.off)
	ix.postings = make(map[string][]posting, min(nt, 1<<20))
	ix.df = make(map[string]int, min(nt, 1<<20))
	for range nt {
		t := d.str()
		df := d.count(n)
		np := d.count(n)
		if d.err == nil && 2*np > len(d.b)-d.off { // a posting takes at least 2 bytes
			d.fail("postings count")
		}
		if d.err != nil {
			return nil, fmt.Errorf("keyword index: %w", d.err)
		}
		ps := make([]posting, np)
		prev := uint64(0)
		for j := range ps {
			delta := d.uv()
			cur := prev + delta
			if d.err == nil && ((j > 0 && delta == 0) || delta >= uint64(n) || cur >= uint64(n)) {
				return nil, fmt.Errorf("keyword index: term %q: bad passage number", t)
			}
			prev = cur
			doc := int32(cur)
			tf := d.uv()
			var f float32
			switch {
			case tf == 1:
				f = d.f32()
			case tf%2 == 1:
				f = float32(tf/2) / 10 // tenths; format 2 wrote none
			default:
				f = float32(tf / 2)
			}
			ps[j] = posting{doc, f}
		}
		if d.err != nil {
			return nil, fmt.Errorf("keyword index: %w", d.err)
		}
		ix.postings[t] = ps
		if df > 0 {
			ix.df[t] = df
		}
	}
	return ix, nil
}
