// Package extract composes answers from the retrieved passages' own sentences, so it
// needs no model and cannot invent: every sentence it shows is a sentence of a cited
// passage (white space folded, bullets dropped), followed by the [n] of that passage.
// Answer is a pure function of the question and the passages; what counts as a kind of
// question ("when", "why"…) is data, in kinds.txt.
//
// Scoring, per sentence of the top maxPassages passages:
//   - the question's content terms (its lexical.Query) found in the sentence, each
//     weighted by its rarity among the candidate sentences (a local IDF), so "sanctions"
//     counts more than "Oman"; a term that only shares a prefix of 5+ letters
//     ("trust"/"trustworthy") counts half; terms from the previous question of a follow-up
//     count historyWeight; names count nameWeight;
//   - divided by the weight of all the question's terms: the coverage, from 0 to 1;
//   - plus contextWeight for the terms its passage has elsewhere: a sentence about "the
//     talks" in a passage about Afghanistan answers "Oman's role in Afghanistan" better
//     than one about "Oman's role" in a passage on Iran;
//   - scaled by the passage's retrieval score (passageWeight of it), plus a bonus when
//     the sentence has what the question's kind asks for (kinds.txt).
//
// The best sentence is always shown; up to two more follow (see choose): close
// runners-up from any passage that name what the best names, or sentences of a passage
// already quoted that add a question term the answer lacks. Sentences that repeat most of
// what is shown are skipped. Whether the answer is confident enough to stand is the
// caller's decision: Result.Cover says how much of the question the best sentence covers.
package extract

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/falaj-bot/falaj/lexical"
)

// Tuned on the public set and our paraphrases (docs/RETRIEVAL.md).
const (
	maxPassages        = 4    // passages whose sentences are candidates
	maxSentences       = 3    // sentences in an answer
	maxAnswerRunes     = 700  // stop adding sentences past this length
	minFurtherCover    = 0.25 // a further sentence must cover this share of the question
	sameFraction       = 0.4  // a further sentence from a quoted passage must score this share of the best, and add a term
	extraOtherFraction = 0.85 // any other further sentence must score this share of the best
	nameWeight         = 2.5  // weight of a question's names (lexical.ProperTerms) against its other terms
	historyWeight      = 0.35 // weight of terms that come from the previous question
	minSentenceLen     = 4    // words; shorter lines (headings, bylines) are not answers
	// MaxSentenceRunes is the longest sentence quoted whole; a longer one is cut at a word
	// boundary and marked with " …".
	MaxSentenceRunes = 450
	headingWords     = 12  // a line this short without closing punctuation is a heading
	contextWeight    = 0.3 // weight of question terms found in the sentence's passage but not in it
	passageWeight    = 0.4 // share of a sentence's score that its passage's retrieval score (0..1) scales
	kindBonus        = 0.1 // added to a sentence that has what the question's kind asks for
)

// Passage is what the answerer reads of a retrieved passage.
type Passage struct {
	Text   string  // the passage as cited
	Title  string  // its document's title: context for the passage's sentences
	Author string  // its document's author, "" when unknown
	Outlet string  // its document's publication, "" when unknown
	Date   string  // its document's date as stated, "" when unknown
	Score  float64 // retrieval score in [0, 1], 1 for the best
}

// Input is a question and the passages retrieved for it, best first.
type Input struct {
	Question string // the question as asked: what kind of fact it wants, and its own terms
	// Query is the searched text as retrieval analysed it (lexical.Analyze against the
	// corpus's vocabulary). For a follow-up it holds the previous question too, whose
	// terms weigh less. A zero Query: the Question is analysed without a vocabulary.
	Query    lexical.Query
	Previous string    // the previous answer in a conversation, whose sentences are not repeated; "" for none
	Passages []Passage // best first
}

// Citation is a passage the answer quotes.
type Citation struct {
	Passage int    // index into Input.Passages
	Quote   string // the sentences quoted from it, " … " between ones that are not adjacent
}

// Result is an extractive answer: empty (no Citations) when no passage has a sentence
// that shares a term with the question.
type Result struct {
	Text      string     // the chosen sentences in the sources' order, each followed by [n]
	Citations []Citation // the quoted passages, numbered [1], [2]… in this order
	Cover     float64    // share of the question's term weight the best sentence covers, 0 to 1
	Fits      bool       // the best sentence has what the question's kind asks for
	// Lacks is, for an answer from the document's metadata, the value it states when no
	// retrieved passage names it: a passage of the same document that does ("by Giorgio
	// Cafiero") is the better citation, for the caller to look up. "" otherwise.
	Lacks string
}

type candidate struct {
	context map[string]bool // terms of the sentence's whole passage
	passage int             // index into the passages
	pos     int             // sentence position within the passage
	text    string          // display text
	terms   map[string]bool
	score   float64
	cover   float64
	fits    bool // has what the question's kind asks for
	intro   bool // ends with a colon: it introduces what follows, so it answers only when it fits
}

var reSpace = regexp.MustCompile(`\s+`)

// Answer composes the extractive answer to in.Question from in.Passages.
func Answer(in Input) Result {
	if k := kindOf(in.Question); k != nil && strings.HasPrefix(k.name, "meta:") {
		if r, ok := metaAnswer(k, in.Passages); ok {
			return r
		}
		return Result{} // the article does not say: no sentence of its text answers either
	}
	cands, weights, idf := rank(in)
	if len(cands) == 0 || cands[0].cover == 0 {
		return Result{}
	}
	chosen := choose(cands, weights, idf)
	// Read in the sources' order: the best sentence's passage first, each passage's
	// sentences in their own order.
	first := map[int]int{}
	for i, c := range chosen {
		if _, ok := first[c.passage]; !ok {
			first[c.passage] = i
		}
	}
	slices.SortStableFunc(chosen, func(x, y *candidate) int {
		if d := first[x.passage] - first[y.passage]; d != 0 {
			return d
		}
		return x.pos - y.pos
	})
	r := Result{Cover: cands[0].cover, Fits: cands[0].fits}
	numbers := map[int]int{} // passage index → citation number
	lastPos := map[int]int{} // passage index → position of its last quoted sentence
	var b strings.Builder
	for _, c := range chosen {
		n, ok := numbers[c.passage]
		if !ok {
			n = len(r.Citations) + 1
			numbers[c.passage] = n
			r.Citations = append(r.Citations, Citation{Passage: c.passage})
		}
		cit := &r.Citations[n-1]
		switch {
		case cit.Quote == "":
			cit.Quote = c.text
		case lastPos[c.passage] == c.pos-1:
			cit.Quote += " " + c.text
		default:
			cit.Quote += " … " + c.text // sentences of one passage that are not adjacent
		}
		lastPos[c.passage] = c.pos
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(WithMarker(c.text, n))
	}
	r.Text = b.String()
	return r
}

// Related returns, for each of the first n passages that has a sentence sharing a term
// with the question, that passage's best sentence as its Quote: the passages that look
// related when no answer is confident. Text is left empty: the caller frames the list.
func Related(in Input, n int) []Citation {
	cands, _, _ := rank(in)
	var out []Citation
	seen := map[int]bool{}
	for _, c := range cands {
		if len(out) == n {
			break
		}
		if c.cover == 0 || seen[c.passage] {
			continue
		}
		seen[c.passage] = true
		out = append(out, Citation{Passage: c.passage, Quote: c.text})
	}
	slices.SortStableFunc(out, func(x, y Citation) int { return x.Passage - y.Passage })
	return out
}

// rank returns the candidate sentences best first, the question's term weights and their
// local IDF.
func rank(in Input) ([]*candidate, map[string]float64, map[string]float64) {
	weights := questionWeights(in)
	cands := candidates(in.Passages, in.Question)
	if in.Previous != "" {
		// A follow-up asks for something new: do not repeat the previous answer.
		cands = slices.DeleteFunc(cands, func(c *candidate) bool {
			return strings.Contains(in.Previous, strings.TrimRight(c.text, ".!?"))
		})
	}
	if len(weights) == 0 || len(cands) == 0 {
		return nil, weights, nil
	}
	// A sentence that introduces a list ("…, centred around two guiding questions:") is
	// no answer, except when it has what the question's kind asks for ("This week
	// (22–26 September), I will be in Oman…" for "when"); dropped before scoring, so it
	// does not count in the local IDF either.
	k := kindOf(in.Question)
	cands = slices.DeleteFunc(cands, func(c *candidate) bool { return c.intro && (k == nil || !k.fits(c.text)) })
	if len(cands) == 0 {
		return nil, weights, nil
	}
	idf := scoreCandidates(cands, in.Passages, weights, k)
	slices.SortStableFunc(cands, func(x, y *candidate) int {
		switch {
		case x.score > y.score:
			return -1
		case x.score < y.score:
			return 1
		}
		return 0
	})
	return cands, weights, idf
}

// choose picks the answer's sentences from cands, best first. After the best, a sentence
// is added when it is not redundant, covers minFurtherCover of the question, and either
// scores extraOtherFraction of the best, or comes from a passage already quoted, scores
// sameFraction of the best, shares at least two of the question's terms and covers one
// the answer lacks so far.
func choose(cands []*candidate, weights, idf map[string]float64) []*candidate {
	var idfs []float64
	for t := range weights {
		idfs = append(idfs, idf[t])
	}
	slices.Sort(idfs)
	medianIDF := idfs[len(idfs)/2]
	var names []string
	for t, w := range weights {
		if w == nameWeight {
			names = append(names, t)
		}
	}
	best := cands[0]
	chosen := []*candidate{best}
	covered := map[string]bool{}
	cover := func(c *candidate) {
		for t := range weights {
			if c.terms[t] {
				covered[t] = true
			}
		}
	}
	cover(best)
	length := len([]rune(best.text))
	for _, c := range cands[1:] {
		if len(chosen) == maxSentences || length >= maxAnswerRunes {
			break
		}
		// A further sentence must have what the question asks for, as the best one does:
		// a year for "when", not one more sentence that merely shares its words.
		if c.cover < minFurtherCover || redundant(c, chosen) || best.fits && !c.fits {
			continue
		}
		// A sentence from another passage must also name what the best one names of the
		// question's names: "talks" between other parties are other talks.
		var shared []string
		adds := false
		for t := range weights {
			if c.terms[t] {
				shared = append(shared, t)
				adds = adds || !covered[t]
			}
		}
		// One shared word is not enough when it is a common one ("Oman" in "What did Oman
		// do in the 1980s?"); a rare one ("Muscat") may carry a sentence.
		if len(shared) == 0 || len(shared) == 1 && len(weights) > 1 && idf[shared[0]] < medianIDF {
			continue
		}
		ok := c.score >= extraOtherFraction*best.score && !slices.ContainsFunc(names, func(n string) bool { return best.terms[n] && !c.terms[n] })
		if !ok && c.score >= sameFraction*best.score && slices.ContainsFunc(chosen, func(o *candidate) bool { return o.passage == c.passage }) {
			ok = adds
		}
		if !ok {
			continue
		}
		chosen = append(chosen, c)
		cover(c)
		length += len([]rune(c.text))
	}
	return chosen
}

// questionWeights gives each content term of the question weight 1, its names nameWeight,
// and terms only in the search query (a follow-up's previous question) historyWeight.
func questionWeights(in Input) map[string]float64 {
	q := in.Query
	if q.Text == "" {
		q = lexical.Analyze(in.Question, nil)
	}
	w := map[string]float64{}
	own := func(string) bool { return true }
	names := q.Names
	if strings.TrimSpace(q.Text) != strings.TrimSpace(in.Question) {
		// A follow-up searched with the previous question: only the question's own terms
		// (and what retrieval made of them) weigh fully.
		mine := map[string]bool{}
		for _, t := range lexical.Analyze(in.Question, nil).Terms {
			mine[t] = true
		}
		own = func(t string) bool { return mine[t] }
		names = lexical.ProperTerms(in.Question)
	}
	for _, t := range q.Terms {
		if own(t) {
			w[t] = 1
		} else if w[t] == 0 {
			w[t] = historyWeight
		}
	}
	// Names ("Iran", "QCG") say what the question is about; a verb like "hold" only how.
	for t := range names {
		if w[t] == 1 {
			w[t] = nameWeight
		}
	}
	return w
}

// candidates returns the sentences of the top passages with their terms. An acronym
// and its long form count as each other ("the QCG" answers "Quadrilateral Coordination
// Group", "the United States" answers "US"), with the long forms defined in the question
// or in any retrieved passage (a definition often sits in the passage before), plus
// lexical's common ones.
func candidates(ps []Passage, question string) []*candidate {
	var all strings.Builder
	all.WriteString(question + "\n\n") // "the Quadrilateral Coordination Group (QCG)" in a question counts too
	for _, p := range ps {
		all.WriteString(p.Text + "\n\n")
	}
	longForms := lexical.Acronyms(all.String())
	acr := map[string][]string{}
	for a, long := range longForms {
		acr[a] = lexical.Terms(long)
	}
	var cs []*candidate
	for i, p := range ps[:min(len(ps), maxPassages)] {
		voice := p.Author != "" && p.Author != p.Outlet
		context := map[string]bool{}
		for _, t := range lexical.Terms(p.Text + " " + p.Title) {
			context[t] = true
		}
		j := 0 // sentence position within the passage, counting skipped ones
		for _, line := range strings.Split(p.Text, "\n") {
			for _, s := range lexical.Sentences(line) {
				j++
				if c := newCandidate(i, j, s, longForms, acr); c != nil {
					if voice && lexical.FirstPerson(s) {
						c.terms[lexical.AuthorTerm] = true // the author is the article's "I"
					}
					for t := range c.terms {
						context[t] = true // acronym long forms too
					}
					c.context = context
					cs = append(cs, c)
				}
			}
		}
	}
	return cs
}

// newCandidate returns the candidate for sentence s, or nil when s cannot be an answer:
// too short, a question (the article asking itself), or a line that does not end like a
// sentence (a heading, a caption, an introduction ending in a colon).
func newCandidate(passage, pos int, s string, longForms map[string]string, acr map[string][]string) *candidate {
	s = strings.TrimSpace(reSpace.ReplaceAllString(s, " "))
	s = strings.TrimSpace(strings.TrimLeft(s, "•·*-–— "))
	words := len(lexical.Words(s))
	if words < minSentenceLen {
		return nil
	}
	end := strings.TrimRight(s, "”’\"')] ")
	intro := strings.HasSuffix(end, ":")
	switch {
	case end == "", strings.HasSuffix(end, "?"):
		return nil
	case !intro && !strings.HasSuffix(end, ".") && !strings.HasSuffix(end, "!") && words < headingWords:
		return nil // a heading or caption
	}
	s = Excerpt(s, MaxSentenceRunes)
	terms := map[string]bool{}
	for _, t := range append(lexical.Terms(s), lexical.Hyphenated(s)...) {
		terms[t] = true
	}
	for a := range lexical.UsedAcronyms(s, longForms) {
		for _, t := range acr[a] {
			terms[t] = true
		}
	}
	for a, long := range acr {
		if len(long) > 0 && !slices.ContainsFunc(long, func(t string) bool { return !terms[t] }) {
			terms[lexical.Stem(strings.ToLower(a))] = true // Terms drops "US" as the stop word "us"
		}
	}
	return &candidate{passage: passage, pos: pos, text: s, terms: terms, intro: intro}
}

// Excerpt cuts s to at most n runes at a word boundary and marks the cut with " …", so a
// quote stays faithful (nothing but the cut changes) and a run-on "sentence" of a corpus
// without punctuation cannot become a wall of text. s is returned as it is when it fits.
func Excerpt(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + " …"
}

// scoreCandidates sets each candidate's cover and score and returns the local IDF of the
// question's terms.
func scoreCandidates(cs []*candidate, ps []Passage, weights map[string]float64, k *kind) map[string]float64 {
	df := map[string]int{}
	for _, c := range cs {
		for t := range weights {
			if c.terms[t] || prefixMatch(t, c.terms) {
				df[t]++
			}
		}
	}
	n := float64(len(cs))
	idf := map[string]float64{}
	for t := range weights {
		idf[t] = math.Log(1 + n/(float64(df[t])+0.5))
	}
	var total float64
	for t, w := range weights {
		total += w * idf[t]
	}
	for _, c := range cs {
		var got, ctx float64
		for t, w := range weights {
			switch {
			case c.terms[t]:
				got += w * idf[t]
			case prefixMatch(t, c.terms):
				got += 0.5 * w * idf[t]
			case c.context[t]:
				ctx += w * idf[t]
			}
		}
		c.cover = min(1, got/total) // summed in map order: may round past 1
		got += contextWeight * ctx
		c.score = got / total * (1 - passageWeight + passageWeight*ps[c.passage].Score)
		if c.fits = k.fits(c.text); c.fits && k != nil {
			c.score += kindBonus
		}
	}
	return idf
}

// prefixMatch reports whether a term of the sentence and t share a prefix of at least five
// letters while one is a prefix of the other ("trust", "trustworthi").
func prefixMatch(t string, terms map[string]bool) bool {
	if len(t) < 5 {
		return false
	}
	for s := range terms {
		if len(s) >= 5 && s != t && (strings.HasPrefix(s, t) || strings.HasPrefix(t, s)) {
			return true
		}
	}
	return false
}

// redundant reports whether c repeats most of the terms of a sentence already chosen.
func redundant(c *candidate, chosen []*candidate) bool {
	for _, o := range chosen {
		if o.passage == c.passage && o.pos == c.pos {
			return true
		}
		var shared int
		for t := range c.terms {
			if o.terms[t] {
				shared++
			}
		}
		if union := len(c.terms) + len(o.terms) - shared; union > 0 && float64(shared)/float64(union) > 0.6 {
			return true
		}
	}
	return false
}

// WithMarker puts the citation marker [n] before the sentence's closing punctuation:
// "It hosted the talks [1]."
func WithMarker(s string, n int) string {
	marker := " [" + strconv.Itoa(n) + "]"
	body := strings.TrimRight(s, ".!?")
	return body + marker + s[len(body):]
}
