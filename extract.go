package falaj

import (
	"context"

	"github.com/falaj-bot/falaj/extract"
)

// maxRelated is how many passages the related outcome lists.
const maxRelated = 3

// extract fills a with the extractive answer to q from the search result res, as one of
// the three outcomes (see Status): answered when retrieval is confident
// (res.Confidence ≥ the Engine's minConf) and the best sentence covers enough of the
// question (≥ minCover); related, listing the passages that look related, when the
// question is on the corpus's topic (res.Confidence ≥ offTopic) but not answered
// confidently; declined otherwise.
func (e *Engine) extract(ctx context.Context, q Question, res SearchResult, a *Answer) {
	a.Answerer, a.Model = AnswererExtractive, ""
	in := extract.Input{Question: q.Text, Query: res.Query, Passages: make([]extract.Passage, len(res.Passages))}
	for i, p := range res.Passages {
		in.Passages[i] = extract.Passage{Text: p.Text, Title: p.Title, Author: p.Author, Outlet: p.Outlet, Date: p.Date, Score: p.Score}
	}
	if len(q.History) > 0 {
		in.Previous = q.History[len(q.History)-1].Answer
	}
	r := extract.Answer(in)
	if len(r.Citations) > 0 && res.Confidence >= e.minConf && r.Cover >= e.minCover {
		a.Text, a.Answered, a.Status = r.Text, true, StatusAnswered
		a.Citations = citations(r.Citations, res.Passages)
		if r.Lacks != "" {
			e.citeNaming(ctx, &a.Citations[0], r.Lacks)
		}
		return
	}
	if res.Confidence >= e.offTopic {
		if rel := extract.Related(in, maxRelated); len(rel) > 0 {
			e.related(a, citations(rel, res.Passages))
			return
		}
	}
	e.decline(a)
}

// citeNaming replaces c's passage with one of the same document that names value (the
// byline of a "who wrote…" answer), found by searching for value; c stays as it is when
// none does.
func (e *Engine) citeNaming(ctx context.Context, c *Citation, value string) {
	res, err := e.search.Search(ctx, value, e.k)
	if err != nil {
		e.log.DebugContext(ctx, "search for a metadata citation", "err", err)
		return
	}
	for _, p := range res.Passages {
		if p.Doc == c.Passage.Doc {
			if q := extract.Quote(p.Text, value); q != "" {
				c.Passage, c.Quote = p, q
				return
			}
		}
	}
}

// citations numbers the extractive answerer's citations of ps as [1], [2]… in order.
func citations(cs []extract.Citation, ps []Passage) []Citation {
	out := make([]Citation, len(cs))
	for i, c := range cs {
		out[i] = Citation{N: i + 1, Passage: ps[c.Passage], Quote: c.Quote}
	}
	return out
}

// Excerpt cuts s to at most n runes at a word boundary and marks the cut with " …", so a
// quote stays faithful (nothing but the cut changes). s is returned as it is when it fits.
func Excerpt(s string, n int) string { return extract.Excerpt(s, n) }
