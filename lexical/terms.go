package lexical

import (
	"strings"
	"unicode"
)

// Terms returns the search terms of s in order: its Words without stop words and
// single letters, each passed through Stem. Words written in capitals ("US", "WHO")
// are kept even when they spell a stop word, unless most of s is in capitals. The
// names and demonyms of a few countries become the country's term ("Iranian" is
// "iran"; "United States", "U.S.", "USA", "America" and "American" are all "us"; see
// country.go).
func Terms(s string) []string {
	ws := countries(words(s))
	shouting := mostlyUpper(s)
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		if isTerm(w, shouting) {
			out = append(out, Stem(w.text))
		}
	}
	return out
}

// HasTerms reports whether Terms(s) is not empty, without stemming; a long s is tried
// on its first words first (a term there is a term of s: cut at a space, the words are
// the same), since the chunker asks it of every passage.
func HasTerms(s string) bool {
	shouting := mostlyUpper(s)
	const head = 256
	if len(s) > head {
		if i := strings.IndexByte(s[head:], ' '); i >= 0 && hasTerm(s[:head+i], shouting) {
			return true
		}
	}
	return hasTerm(s, shouting)
}

// hasTerm reports whether s has a word Terms keeps, shouting being mostlyUpper of the
// whole text.
func hasTerm(s string, shouting bool) bool {
	for _, w := range countries(words(s)) {
		if isTerm(w, shouting) {
			return true
		}
	}
	return false
}

// isTerm reports whether Terms keeps w: not a single letter (a digit is kept), not a
// stop word unless an acronym in a text that is not mostly capitals, or a country.
func isTerm(w word, shouting bool) bool {
	if len([]rune(w.text)) < 2 && !isAllDigits(w.text) {
		return false
	}
	return !stopwords[w.text] || w.acronym && !shouting || w.country
}

// ProperTerms returns the stems of the words of s that look like names: an acronym
// ("FIFA", "U.S."), or a capitalised word that does not start a sentence ("Brazil" in
// "Who is the president of Brazil?"). Stop words are left out and country names
// become the country's term, as in Terms. The retrieval confidence weighs a name the
// corpus never uses more than an unknown common word.
func ProperTerms(s string) map[string]bool {
	out := map[string]bool{}
	if mostlyUpper(s) {
		return out
	}
	for _, sent := range Sentences(s) {
		for i, w := range countries(words(sent)) {
			if len([]rune(w.text)) < 2 || (stopwords[w.text] && !w.acronym && !w.country) {
				continue
			}
			if w.acronym || (i > 0 && w.capital) {
				out[Stem(w.text)] = true
			}
		}
	}
	return out
}

// IsStopword reports whether the lower-case word w is an English function word or a
// question word that carries no topic ("the", "which", "did", "about").
func IsStopword(w string) bool { return stopwords[w] }

func isAllDigits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}

func mostlyUpper(s string) bool {
	up, low := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			up++
		case unicode.IsLower(r):
			low++
		}
	}
	return up > low
}

// stopwords: a common English list (function words, auxiliaries, pronouns), question
// words, and verbs that frame questions rather than name topics ("tell", "say",
// "describe", "mention", "want", "make", "happen").
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
a about above after again against all also am an and any are aren arent as at
be because been before being below between both but by
can cannot could couldn couldnt
did didn didnt do does doesn doesnt doing don dont down during
each either else ever every few for from further
had hadn hadnt has hasn hasnt have haven havent having he her here hers herself him
himself his how however
i if in into is isn isnt it its itself
just let lets me might more most much must mustn my myself
neither no nor not now of off on once only or other ought our ours ourselves out over own
same shall shan she should shouldn shouldnt so some such
than that thats the their theirs them themselves then there theres these they this
those through thus to too
under until up upon us very
was wasn wasnt we were weren what whats when whens where wheres whether which while who
whom whos whose why whys will with within without would wouldn wouldnt
yet you your yours yourself yourselves
ll re ve
tell told explain please know since
say says said describe described describes mention mentioned mentions
want wants wanted make makes made get gets got happen happened happens
according consider considered regarding
`) {
		m[w] = true
	}
	return m
}()
