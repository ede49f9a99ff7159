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
//   - times a small prior for the passage's retrieval rank, plus a bonus when the sentence
//     has what the question asks for (a year for "when", a number for "how much").
//
// The best sentence is always shown; up to two more follow when they score at least
// extraFraction of the best and repeat little of what is already shown. Below
// minCoverage for the best sentence the Engine declines rather than cite a weak match.
const (
	extractPassages = 4    // passages whose sentences are candidates
	maxSentences    = 3    // sentences in an answer
	maxAnswerRunes  = 700  // stop adding sentences past this length
	minCoverage     = 0.25 // the best sentence must cover this share of the question
	extraFraction   = 0.7  // a further sentence must score this share of the best
	historyWeight   = 0.35 // weight of terms that come from the previous question
	minSentenceLen  = 4    // words; shorter lines (headings, bylines) are not answers
)

type candidate struct {
	passage int    // index into the passages
	pos     int    // sentence position within the passage
	text    string // display text
	terms   map[string]bool
	score   float64
	cover   float64
}

var (
	reYear   = regexp.MustCompile(`\b(1[0-9]{3}|20[0-9]{2})s?\b|\b(January|February|March|April|May|June|July|August|September|October|November|December)\b|\bBCE\b`)
	reNumber = regexp.MustCompile(`[0-9]`)
	reSpace  = regexp.MustCompile(`\s+`)
)

// extract fills a with an extractive answer to q from ps, or a decline.
func (e *Engine) extract(q Question, query string, ps []Passage, a *Answer) {
	a.Answerer, a.Model = AnswererExtractive, ""
	weights := questionWeights(q.Text, query)
	cands := candidates(ps)
	if len(weights) == 0 || len(cands) == 0 {
		e.decline(a)
		return
	}
	scoreCandidates(cands, weights, wantKind(q.Text))
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
	chosen := []*candidate{best}
	length := len([]rune(best.text))
	for _, c := range cands[1:] {
		if len(chosen) == maxSentences || length >= maxAnswerRunes {
			break
		}
		if c.score < extraFraction*best.score || c.cover < minCoverage {
			break
		}
		if redundant(c, chosen) {
			continue
		}
		chosen = append(chosen, c)
		length += len([]rune(c.text))
	}

	numbers := map[int]int{} // passage index → citation number
	var b strings.Builder
	for _, c := range chosen {
		n, ok := numbers[c.passage]
		if !ok {
			n = len(a.Citations) + 1
			numbers[c.passage] = n
			a.Citations = append(a.Citations, Citation{N: n, Passage: ps[c.passage]})
		}
		cit := &a.Citations[n-1]
		cit.Quote = strings.TrimSpace(cit.Quote + " " + c.text)
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(withMarker(c.text, n))
	}
	a.Text, a.Answered = b.String(), true
}

// questionWeights gives each content term of the question weight 1, and terms only in
// the search query (a follow-up's previous question) historyWeight.
func questionWeights(question, query string) map[string]float64 {
	w := map[string]float64{}
	for _, t := range lexical.Terms(query) {
		w[t] = historyWeight
	}
	for _, t := range lexical.Terms(question) {
		w[t] = 1
	}
	return w
}

func candidates(ps []Passage) []*candidate {
	var cs []*candidate
	for i, p := range ps[:min(len(ps), extractPassages)] {
		for j, s := range lexical.Sentences(p.Text) {
			s = strings.TrimSpace(reSpace.ReplaceAllString(s, " "))
			s = strings.TrimSpace(strings.TrimLeft(s, "•·*-–— "))
			if len(lexical.Words(s)) < minSentenceLen {
				continue
			}
			terms := map[string]bool{}
			for _, t := range lexical.Terms(s) {
				terms[t] = true
			}
			cs = append(cs, &candidate{passage: i, pos: j, text: s, terms: terms})
		}
	}
	return cs
}

type answerKind int

const (
	kindAny answerKind = iota
	kindTime
	kindNumber
)

// wantKind guesses what kind of fact the question asks for from its opening words.
func wantKind(q string) answerKind {
	l := strings.ToLower(q)
	switch {
	case strings.HasPrefix(l, "when"), strings.Contains(l, "what year"), strings.Contains(l, "which year"),
		strings.Contains(l, "what date"), strings.Contains(l, "in what year"):
		return kindTime
	case strings.Contains(l, "how much"), strings.Contains(l, "how many"), strings.Contains(l, "what size"),
		strings.Contains(l, "what percentage"), strings.Contains(l, "what share"), strings.Contains(l, "how large"):
		return kindNumber
	}
	return kindAny
}

func scoreCandidates(cs []*candidate, weights map[string]float64, kind answerKind) {
	df := map[string]int{}
	for _, c := range cs {
		for t := range weights {
			if c.terms[t] || prefixMatch(t, c.terms) {
				df[t]++
			}
		}
	}
	n := float64(len(cs))
	idf := func(t string) float64 { return math.Log(1 + n/(float64(df[t])+0.5)) }
	var total float64
	for t, w := range weights {
		total += w * idf(t)
	}
	for _, c := range cs {
		var got float64
		for t, w := range weights {
			switch {
			case c.terms[t]:
				got += w * idf(t)
			case prefixMatch(t, c.terms):
				got += 0.5 * w * idf(t)
			}
		}
		c.cover = got / total
		c.score = c.cover / (1 + 0.1*float64(c.passage))
		switch {
		case kind == kindTime && reYear.MatchString(c.text),
			kind == kindNumber && reNumber.MatchString(c.text):
			c.score += 0.1
		}
	}
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
