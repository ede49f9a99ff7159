package lexical

import (
	"regexp"
	"strings"
)

// reHyphenated matches a word written with a hyphen: "back-channel", "de-escalation".
var reHyphenated = regexp.MustCompile(`\b(\p{L}+)[-‐‑](\p{L}+)\b`)

// Hyphenated returns the term of each hyphenated word of s written solid ("back-channel" →
// the stem of "backchannel"), so a text that spells it "backchannel" and one that spells
// it "back-channel" share a term. Terms still gives the parts.
func Hyphenated(s string) []string {
	if !strings.ContainsAny(s, "-‐‑") {
		return nil // most text: the regular expression is the cost of indexing
	}
	var out []string
	for _, m := range reHyphenated.FindAllStringSubmatch(s, -1) {
		out = append(out, Stem(strings.ToLower(m[1]+m[2])))
	}
	return out
}

// Compounds returns the terms of adjacent word pairs of s written solid ("break down" →
// "breakdown", "back channel" → "backchannel") that known reports as a term of the corpus.
// Retrieval adds them to a query, so a question's spelling need not match the article's.
func Compounds(s string, known func(term string) bool) []string {
	ws := Words(s)
	var out []string
	for i := 0; i+1 < len(ws); i++ {
		if t := Stem(ws[i] + ws[i+1]); known(t) {
			out = append(out, t)
		}
	}
	return append(out, Hyphenated(s)...)
}
