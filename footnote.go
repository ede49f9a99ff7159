package falaj

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Marker is one citation marker in an answer's text: Text[Start:End] is "[1]" (or
// "[1, 2]", as some models write), and Ns are the cited numbers, each a Citation's N.
type Marker struct {
	Start, End int
	Ns         []int
}

// bracketRE matches what front ends show as citation markers: "[1]" and "[1, 2]".
var bracketRE = regexp.MustCompile(`\[(\d+(?:\s*,\s*\d+)*)\]`)

// footnoteContext is how many characters of the text before a bracket are compared
// with the passages to tell the sources' own footnotes from citations. The web page's
// script (web/static/app.js, citationMarkers) does the same with the same number.
const footnoteContext = 32

// CitationMarkers returns the citation markers of a's text, in order, for front ends to
// render as citations (links, buttons). A bracket is one when every number in it is a
// Citation's N, and it is not a footnote marker of the sources themselves: an answer may
// copy a sentence with its footnote ("…in 2011.[12]"; the extractive answerer quotes
// sentences whole), and a "[1]" there must never open citation 1. A bracket counts as
// the sources' own when it and the words before it (up to footnoteContext characters, not
// reaching back past the previous citation marker and the punctuation after it, white
// space folded) appear in a
// cited passage. Everything that is not a returned Marker is text.
func CitationMarkers(a Answer) []Marker {
	if len(a.Citations) == 0 {
		return nil
	}
	cited := make(map[int]bool, len(a.Citations))
	passages := make([]string, 0, len(a.Citations))
	for _, c := range a.Citations {
		cited[c.N] = true
		if strings.Contains(c.Passage.Text, "[") {
			passages = append(passages, foldSpace(c.Passage.Text))
		}
	}
	var out []Marker
	after := 0 // end of the previous citation marker: the sources' text cannot reach back past it
	for _, m := range bracketRE.FindAllStringSubmatchIndex(a.Text, -1) {
		var ns []int
		for _, f := range strings.Split(a.Text[m[2]:m[3]], ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || !cited[n] {
				ns = nil
				break
			}
			ns = append(ns, n)
		}
		if ns == nil || inPassages(a.Text, after, m[0], m[1], passages) {
			continue
		}
		out = append(out, Marker{Start: m[0], End: m[1], Ns: ns})
		after = m[1] + len(afterMarkerRE.FindString(a.Text[m[1]:]))
	}
	return out
}

// afterMarkerRE matches the punctuation and blanks after a citation marker: the end of
// the answer's own sentence, not the sources' text.
var afterMarkerRE = regexp.MustCompile(`^[.,;:!?)\]»”’\s]+`)

// inPassages reports whether text[start:end], a bracket, with the words before it (at
// most footnoteContext characters back, not before from) is in one of passages, whose
// white space is folded. A bracket with no letter or digit before it is a citation.
func inPassages(text string, from, start, end int, passages []string) bool {
	if len(passages) == 0 {
		return false
	}
	i := start
	for n := 0; n < footnoteContext && i > from; n++ {
		_, size := utf8.DecodeLastRuneInString(text[from:i])
		i -= size
	}
	from = i
	if strings.IndexFunc(text[from:start], func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return false
	}
	needle := strings.TrimLeftFunc(foldSpace(text[from:end]), unicode.IsSpace)
	for _, p := range passages {
		if strings.Contains(p, needle) {
			return true
		}
	}
	return false
}

// foldSpace replaces each run of white space in s with one space.
func foldSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
