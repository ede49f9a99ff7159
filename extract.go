package falaj

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/falaj-bot/falaj/lexical"
)

// The extractive answerer composes an answer from the retrieved passages' own sentences,
// so it needs no model and cannot invent: every sentence it shows is a sentence of a cited
// passage (white space folded, bullets dropped), followed by the [n] of that passage.
//
// Scoring, per sentence of the top extractPassages passages:
//   - the question's content terms (lexical.Terms) found in the sentence, each weighted by
//     its rarity among the candidate sentences (a local IDF), so "sanctions" counts more
//     than "Oman"; a term that only shares a prefix of 5+ letters ("trust"/"trustworthy")
//     counts half; terms from the previous question of a follow-up count 0.35;
//   - divided by the weight of all the question's terms: the coverage, from 0 to 1;
//   - plus contextWeight for the terms its passage has elsewhere: a sentence about "the
//     talks" in a passage about Afghanistan answers "Oman's role in Afghanistan" better
//     than one about "Oman's role" in a passage on Iran;
//   - scaled by the passage's retrieval score (sentencePassageWeight of it), which weighs words by
//     their rarity in the whole corpus, plus a bonus when the sentence has what the
//     question asks for (a year for "when", a number for "how much", a reason for "why":
//     "because", "makes it", "rooted in"…; an aim or position for "what does X want").
//
// The best sentence is always shown; up to two more follow (see choose): close runners-up
// from any passage that name what the best names, or sentences of a passage already quoted that add a question term
// the answer lacks ("Trump … “very good”" after "Talks between the United States and
// Iran in Oman …"). Sentences that repeat most of what is shown are skipped. Below
// minCoverage for the best sentence the Engine declines rather than cite a weak match.
const (
	extractPassages       = 4    // passages whose sentences are candidates
	maxSentences          = 3    // sentences in an answer
	maxAnswerRunes        = 700  // stop adding sentences past this length
	minCoverage           = 0.25 // the best sentence must cover this share of the question
	sameFraction          = 0.4  // a further sentence from a quoted passage must score this share of the best, and add a term
	extraOtherFraction    = 0.85 // any other further sentence must score this share of the best
	nameWeight            = 2.5  // weight of a question's names (lexical.ProperTerms) against its other terms
	historyWeight         = 0.35 // weight of terms that come from the previous question
	minSentenceLen        = 4    // words; shorter lines (headings, bylines) are not answers
	maxSentenceRunes      = 450  // a longer sentence is cut at a word boundary, marked with …
	headingWords          = 12   // a line this short without closing punctuation is a heading
	contextWeight         = 0.3  // weight of question terms found in the sentence's passage but not in it
	sentencePassageWeight = 0.4  // share of a sentence's score that its passage's retrieval score (0..1) scales
)

type candidate struct {
	context map[string]bool // terms of the sentence's whole passage
	passage int             // index into the passages
	pos     int             // sentence position within the passage
	text    string          // display text
	terms   map[string]bool
	score   float64
	cover   float64
	fits    bool // has what the question's kind asks for (a year for "when"…)
}

var (
	reYear   = regexp.MustCompile(`\b(1[0-9]{3}|20[0-9]{2})s?\b|\b(January|February|March|April|May|June|July|August|September|October|November|December)\b|\bBCE\b`)
	reNumber = regexp.MustCompile(`[0-9]`)
	// reAimQuestion matches a question about what a party wants; reAim, wording that
	// states an aim or a position.
	reAimQuestion = regexp.MustCompile(`\b(want|wants|wanted|asking for|ask for|demand|demands|seek|seeks|goals?|aims?|objectives?)\b`)
	reAim         = regexp.MustCompile(`(?i)\b(positions?|demands?|demanded|seeks?|sought|wants?|wanted|requires?|required|insists?|insisted|focused on|calls? for|called for|aims?|aimed|goals?|objectives?|priorit(y|ies))\b`)
	// reReason matches wording that gives a reason or a cause.
	reReason = regexp.MustCompile(`(?i)\b(because|since|due to|thanks to|so that|allows?|enables?|makes? it|made it|rooted in|reasons?|as a result|therefore|thus|built)\b`)
	reSpace  = regexp.MustCompile(`\s+`)
)

// extract fills a with an extractive answer to q from ps, or a decline.
func (e *Engine) extract(q Question, query string, ps []Passage, a *Answer) {
	a.Answerer, a.Model = AnswererExtractive, ""
	weights := questionWeights(q.Text, query)
	cands := candidates(ps, q.Text)
	if len(q.History) > 0 {
		// A follow-up asks for something new: do not repeat the previous answer.
		prev := q.History[len(q.History)-1].Answer
		cands = slices.DeleteFunc(cands, func(c *candidate) bool {
			return strings.Contains(prev, strings.TrimRight(c.text, ".!?"))
		})
	}
	known := vocabulary(cands)
	addCompounds(weights, q.Text, known)
	substitute(weights, known)
	if len(weights) == 0 || len(cands) == 0 {
		e.decline(a)
		return
	}
	idf := scoreCandidates(cands, ps, weights, wantKind(q.Text))
	slices.SortStableFunc(cands, func(x, y *candidate) int {
		switch {
		case x.score > y.score:
			return -1
		case x.score < y.score:
			return 1
		}
		return 0
	})
	best := cands[0]
	if best.cover < minCoverage {
		e.decline(a)
		return
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
	numbers := map[int]int{} // passage index → citation number
	lastPos := map[int]int{} // passage index → position of its last quoted sentence
	var b strings.Builder
	for _, c := range chosen {
		n, ok := numbers[c.passage]
		if !ok {
			n = len(a.Citations) + 1
			numbers[c.passage] = n
			a.Citations = append(a.Citations, Citation{N: n, Passage: ps[c.passage]})
		}
		cit := &a.Citations[n-1]
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
		b.WriteString(withMarker(c.text, n))
	}
	a.Text, a.Answered = b.String(), true
}

// choose picks the answer's sentences from cands, best first. After the best, a sentence
// is added when it is not redundant, covers minCoverage of the question, and either
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
		if c.cover < minCoverage || redundant(c, chosen) || best.fits && !c.fits {
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

// vocabulary reports whether a term is used by any candidate sentence.
func vocabulary(cands []*candidate) func(string) bool {
	vocab := map[string]bool{}
	for _, c := range cands {
		for t := range c.terms {
			vocab[t] = true
		}
	}
	return func(t string) bool { return vocab[t] }
}

// addCompounds adds to weights the solid spelling of the question's word pairs that the
// candidates use ("break down" → "breakdown"), in place of parts they never use.
func addCompounds(weights map[string]float64, question string, known func(string) bool) {
	ws := lexical.Words(question)
	for i := 0; i+1 < len(ws); i++ {
		t := lexical.Stem(ws[i] + ws[i+1])
		if !known(t) || weights[t] > 0 {
			continue
		}
		weights[t] = 1
		for _, part := range []string{lexical.Stem(ws[i]), lexical.Stem(ws[i+1])} {
			if !known(part) {
				delete(weights, part)
			}
		}
	}
}

// substitute replaces a question term that no candidate uses by a synonym one does
// ("swap" → "exchange"; lexical.Substitute), keeping its weight.
func substitute(weights map[string]float64, known func(string) bool) {
	for t, w := range weights {
		if s := lexical.Substitute([]string{t}, known)[0]; s != t {
			delete(weights, t)
			weights[s] = max(weights[s], w)
		}
	}
}

// questionWeights gives each content term of the question weight 1, its names nameWeight,
// and terms only in the search query (a follow-up's previous question) historyWeight.
func questionWeights(question, query string) map[string]float64 {
	w := map[string]float64{}
	for _, t := range lexical.Terms(query) {
		w[t] = historyWeight
	}
	for _, t := range lexical.Terms(question) {
		w[t] = 1
	}
	// Names ("Iran", "QCG") say what the question is about; a verb like "hold" only how.
	for t := range lexical.ProperTerms(question) {
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
	for i, p := range ps[:min(len(ps), extractPassages)] {
		context := map[string]bool{}
		for _, t := range lexical.Terms(p.Text + " " + p.Title) {
			context[t] = true
		}
		j := 0 // sentence position within the passage, counting skipped ones
		for _, line := range strings.Split(p.Text, "\n") {
			for _, s := range lexical.Sentences(line) {
				j++
				if c := newCandidate(i, j, s, longForms, acr); c != nil {
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
	switch {
	case end == "", strings.HasSuffix(end, "?"), strings.HasSuffix(end, ":"):
		return nil
	case !strings.HasSuffix(end, ".") && !strings.HasSuffix(end, "!") && words < headingWords:
		return nil // a heading or caption
	}
	s = Excerpt(s, maxSentenceRunes)
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
	return &candidate{passage: passage, pos: pos, text: s, terms: terms}
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

type answerKind int

const (
	kindAny answerKind = iota
	kindTime
	kindNumber
	kindReason
	kindAim
)

// wantKind guesses what kind of fact the question asks for from its opening words.
func wantKind(q string) answerKind {
	l := strings.ToLower(q)
	switch {
	case strings.HasPrefix(l, "when"), strings.Contains(l, "what year"), strings.Contains(l, "which year"),
		strings.Contains(l, "what date"), strings.Contains(l, "in what year"):
		return kindTime
	case strings.HasPrefix(l, "why"), strings.Contains(l, "what makes"), strings.Contains(l, "what made"),
		strings.Contains(l, "reason"), strings.HasPrefix(l, "how come"):
		return kindReason
	case reAimQuestion.MatchString(l):
		return kindAim
	case strings.Contains(l, "how much"), strings.Contains(l, "how many"), strings.Contains(l, "what size"),
		strings.Contains(l, "what percentage"), strings.Contains(l, "what share"), strings.Contains(l, "how large"):
		return kindNumber
	}
	return kindAny
}

// scoreCandidates sets each candidate's cover and score and returns the local IDF of the
// question's terms.
func scoreCandidates(cs []*candidate, ps []Passage, weights map[string]float64, kind answerKind) map[string]float64 {
	df := map[string]int{}
	for _, c := range cs {
		for t := range weights {
			if c.terms[t] || prefixMatch(t, c.terms) {
				df[t]++
			}
		}
	}
	n := float64(len(cs))
	idfs := map[string]float64{}
	for t := range weights {
		idfs[t] = math.Log(1 + n/(float64(df[t])+0.5))
	}
	idf := func(t string) float64 { return idfs[t] }
	var total float64
	for t, w := range weights {
		total += w * idf(t)
	}
	for _, c := range cs {
		var got float64
		var ctx float64
		for t, w := range weights {
			switch {
			case c.terms[t]:
				got += w * idf(t)
			case prefixMatch(t, c.terms):
				got += 0.5 * w * idf(t)
			case c.context[t]:
				ctx += w * idf(t)
			}
		}
		c.cover = got / total
		got += contextWeight * ctx
		c.score = got / total * (1 - sentencePassageWeight + sentencePassageWeight*ps[c.passage].Score)
		if c.fits = fits(kind, c.text); c.fits && kind != kindAny {
			c.score += 0.1
		}
	}
	return idfs
}

// fits reports whether text has what a question of kind asks for.
func fits(kind answerKind, text string) bool {
	switch kind {
	case kindTime:
		return reYear.MatchString(text)
	case kindNumber:
		return reNumber.MatchString(text)
	case kindReason:
		return reReason.MatchString(text)
	case kindAim:
		return reAim.MatchString(text)
	}
	return true
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

// withMarker puts the citation marker before the sentence's closing punctuation:
// "It hosted the talks [1]."
func withMarker(s string, n int) string {
	marker := " [" + strconv.Itoa(n) + "]"
	body := strings.TrimRight(s, ".!?")
	return body + marker + s[len(body):]
}
