// Package lexical turns text into the units Falaj matches on: words, search terms
// (stop words dropped, stemmed) and sentences. It is shared by retrieval (BM25, the
// offline embedder, the confidence signal) and by the extractive answerer, so both
// agree on what "the same word" means. Standard library only; every function is
// deterministic and safe for concurrent use.
//
// Words are runs of letters and digits, lower-cased. Beyond the obvious, Words copes
// with the text Falaj actually sees:
//
//   - possessives: "Oman’s" and "Oman's" are "oman" (straight and curly apostrophes);
//     other apostrophes are dropped ("don't" is "dont");
//   - dotted acronyms: "U.S." is "us", like "US";
//   - numbers keep decimal points and lose thousands separators ("3.5", "6,000" is
//     "6000"); "10%" is "10"; decades and ordinals stay whole ("1980s", "16th");
//   - glued words from flattened tables are split where case or kind changes:
//     "IranPrisoner" is iran, prisoner; "exchange2023Brokered" is exchange, 2023,
//     brokered; "USAPrisoner" is usa, prisoner; all-caps acronyms ("JCPOA") stay whole.
//
// Terms are Words without stop words (English function words and question words such
// as what, which, did), stemmed with the Porter (1980) algorithm. An all-caps word is
// never a stop word unless the whole text is shouted, so "US" (the country) survives
// while "us" does not. A few countries' names and demonyms become one term per country
// ("Iranian" is "iran"; "United States", "U.S.", "USA", "America" and "American" are
// "us"): the list and its exceptions are in country.go.
package lexical

import (
	"strings"
	"unicode"
)

// word is one token with what Terms needs to know about its spelling.
type word struct {
	text    string // lower-cased
	acronym bool   // written in capitals, at least two letters ("US", "JCPOA")
	capital bool   // starts with a capital letter
	country bool   // a country's word standing for its name or demonym (see countries)
}

// Words returns the lower-cased words of s in order. See the package doc for the rules.
func Words(s string) []string {
	ws := words(s)
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.text
	}
	return out
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' || r == '‘' }

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }

// words scans s into tokens: maximal runs of letters and digits, with apostrophes
// between letters, and '.' or ',' between digits, kept inside.
func words(s string) []word {
	rs := []rune(s)
	var out []word
	for i := 0; i < len(rs); {
		if !isWordRune(rs[i]) {
			i++
			continue
		}
		// Dotted acronym: single capital letters each followed by '.', at least two.
		if j, ok := dottedAcronym(rs, i); ok {
			var b strings.Builder
			for k := i; k < j; k++ {
				if rs[k] != '.' {
					b.WriteRune(unicode.ToLower(rs[k]))
				}
			}
			out = append(out, word{text: b.String(), acronym: true, capital: true})
			i = j
			continue
		}
		j := i
		for j < len(rs) {
			r := rs[j]
			if isWordRune(r) {
				j++
				continue
			}
			if j+1 < len(rs) && j > i {
				prev, next := rs[j-1], rs[j+1]
				if isApostrophe(r) && unicode.IsLetter(prev) && unicode.IsLetter(next) {
					j++
					continue
				}
				if (r == '.' || r == ',') && unicode.IsDigit(prev) && unicode.IsDigit(next) {
					j++
					continue
				}
			}
			break
		}
		out = append(out, splitToken(rs[i:j])...)
		i = j
	}
	return out
}

// dottedAcronym reports whether rs[i:] starts with "X.Y." (two or more capital letters,
// each followed by a dot, the last not followed by a letter) and where it ends.
func dottedAcronym(rs []rune, i int) (int, bool) {
	j, n := i, 0
	for j+1 < len(rs) && unicode.IsUpper(rs[j]) && rs[j+1] == '.' {
		j += 2
		n++
	}
	if n < 2 || (j < len(rs) && isWordRune(rs[j])) {
		return 0, false
	}
	return j, true
}

// ordinalSuffixes may follow digits without starting a new word: "1980s", "16th".
var ordinalSuffixes = map[string]bool{"s": true, "st": true, "nd": true, "rd": true, "th": true}

// splitToken handles apostrophes and number punctuation in one raw token, then splits
// it at glue points (see the package doc).
func splitToken(rs []rune) []word {
	// Possessive "'s" is dropped; other apostrophes vanish.
	if n := len(rs); n >= 3 && isApostrophe(rs[n-2]) && (rs[n-1] == 's' || rs[n-1] == 'S') {
		rs = rs[:n-2]
	}
	clean := rs[:0:0]
	for k, r := range rs {
		if isApostrophe(r) {
			continue
		}
		if r == ',' { // thousands separator between digits
			continue
		}
		if r == '.' && !(k > 0 && unicode.IsDigit(rs[k-1])) {
			continue
		}
		clean = append(clean, r)
	}
	rs = clean

	var out []word
	start := 0
	for k := 1; k < len(rs); k++ {
		if glueAt(rs, k) {
			out = append(out, newWord(rs[start:k]))
			start = k
		}
	}
	if start < len(rs) {
		out = append(out, newWord(rs[start:]))
	}
	return out
}

func isDigitish(r rune) bool { return unicode.IsDigit(r) || r == '.' }

// glueAt reports whether a new word starts at rs[k].
func glueAt(rs []rune, k int) bool {
	prev, cur := rs[k-1], rs[k]
	switch {
	case unicode.IsLower(prev) && unicode.IsUpper(cur):
		return true // "IranPrisoner"
	case unicode.IsUpper(prev) && unicode.IsUpper(cur):
		// "USAPrisoner": a capital followed by two lower-case letters starts a word.
		return k+2 < len(rs) && unicode.IsLower(rs[k+1]) && unicode.IsLower(rs[k+2])
	case unicode.IsLetter(prev) && isDigitish(cur):
		return cur != '.' // "exchange2023"
	case isDigitish(prev) && unicode.IsLetter(cur):
		// "2023Brokered" splits; "1980s" and "16th" do not.
		e := k
		for e < len(rs) && unicode.IsLower(rs[e]) {
			e++
		}
		return !ordinalSuffixes[string(rs[k:e])]
	}
	return false
}

func newWord(rs []rune) word {
	upper := 0
	for _, r := range rs {
		if unicode.IsUpper(r) {
			upper++
		}
	}
	return word{
		text:    strings.ToLower(string(rs)),
		acronym: upper >= 2 && upper == countLetters(rs),
		capital: len(rs) > 0 && unicode.IsUpper(rs[0]),
	}
}

func countLetters(rs []rune) int {
	n := 0
	for _, r := range rs {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}
