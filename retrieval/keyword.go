package retrieval

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/falaj-bot/falaj/lexical"
)

// BM25 parameters: the usual k1 and b; title terms count titleWeight each, the terms
// of the byline (author, outlet, date: metaTerms) metaWeight each.
const (
	bm25K1      = 1.2
	bm25B       = 0.75
	titleWeight = 0.3
	metaWeight  = 0.6
)

// keywordIndex is an in-memory BM25 index over lexical.Terms of passages (plus the
// long forms of the acronyms they use). It is rebuilt at every open rather than
// persisted: it is part of the 7 ms that opening the seed snapshot takes
// (BenchmarkOpenSnapshot), and a rebuild cannot go stale. It is never changed after it
// is built, so it is safe for concurrent reads.
type keywordIndex struct {
	postings map[string][]posting
	df       map[string]int // passages whose text (not title or byline) has the term
	lens     []float64
	avgLen   float64
	terms    []map[string]bool // per passage: its text, title and byline terms, for coverage
}

type posting struct {
	doc int
	tf  float64
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
	ix := &keywordIndex{
		postings: map[string][]posting{},
		df:       map[string]int{},
		lens:     make([]float64, len(text)),
		terms:    make([]map[string]bool, len(text)),
	}
	var total float64
	for i, ts := range text {
		tf := map[string]float64{}
		for _, t := range ts {
			tf[t]++
		}
		for t := range tf {
			ix.df[t]++
		}
		for _, t := range title[i] {
			tf[t] += titleWeight
		}
		var mt []string
		if meta != nil {
			mt = meta[i]
		}
		for _, t := range mt {
			tf[t] += metaWeight
		}
		set := make(map[string]bool, len(tf))
		for t, f := range tf {
			ix.postings[t] = append(ix.postings[t], posting{i, f})
			set[t] = true
		}
		ix.terms[i] = set
		ix.lens[i] = float64(len(ts)) + titleWeight*float64(len(title[i])) + metaWeight*float64(len(mt))
		total += ix.lens[i]
	}
	if len(text) > 0 {
		ix.avgLen = total / float64(len(text))
	}
	return ix
}

// idf is the BM25 inverse document frequency of t; a term no passage has gets the
// largest value, maxIDF.
func (ix *keywordIndex) idf(t string) float64 {
	n := float64(len(ix.lens))
	df := float64(ix.df[t])
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// search returns up to n passages by BM25 score for the query terms, best first; ties
// go to the earlier passage.
func (ix *keywordIndex) search(query []string, n int) []scored {
	if n <= 0 || len(ix.lens) == 0 {
		return nil
	}
	seen := map[string]bool{}
	acc := map[int]float64{}
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
			norm := bm25K1 * (1 - bm25B + bm25B*ix.lens[p.doc]/ix.avgLen)
			acc[p.doc] += idf * p.tf * (bm25K1 + 1) / (p.tf + norm)
		}
	}
	out := sortScores(acc)
	if len(out) > n {
		out = out[:n]
	}
	return out
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
