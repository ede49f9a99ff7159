package arabic

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Light stemming, after Larkey, Ballesteros and Connell's "light10": a word loses at most
// one of the prefixes below and then suffixes, as long as two letters (three for the
// article) are left. Words are normalised first (ة is ه, أ is ا).
var (
	// prefixes, longest first: conjunction + preposition + article, then the parts.
	prefixes = []string{"وبال", "وكال", "فبال", "وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ك", "ل"}
	// suffixes, longest first.
	suffixes = []string{"يات", "ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي", "هم", "هن", "كم", "نا", "تم"}
)

// minStem is the shortest stem, in letters, a prefix or suffix may leave.
const minStem = 2

// Stems returns w (normalised) and its lighter forms, most specific first, without
// duplicates: w itself, w without a prefix, then each of those without suffixes. The
// caller looks each up in turn, so "والمحادثات" is found as "المحادثات", "محادثات" or
// "محادث", whichever the dictionary lists.
func Stems(w string) []string {
	w = Normalize(w)
	out := []string{w}
	add := func(s string) {
		if utf8.RuneCountInString(s) < minStem {
			return
		}
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	bases := []string{w}
	for _, p := range prefixes {
		if p == "لل" && strings.HasPrefix(w, p) && utf8.RuneCountInString(w) > 3 {
			// ل before the article drops its alef: للري is ل + الري.
			add("ا" + strings.TrimPrefix(w, "ل"))
			bases = append(bases, "ا"+strings.TrimPrefix(w, "ل"))
		}
		if rest, ok := strings.CutPrefix(w, p); ok && utf8.RuneCountInString(rest) >= minStem+len([]rune(p))/2 {
			add(rest)
			bases = append(bases, rest)
			if p == "و" || p == "ف" { // a conjunction may be followed by the article or a preposition
				for _, q := range []string{"ال", "لل", "ب", "ل", "ك"} {
					if r2, ok := strings.CutPrefix(rest, q); ok && utf8.RuneCountInString(r2) > minStem {
						add(r2)
						bases = append(bases, r2)
					}
				}
			}
			break
		}
	}
	for _, b := range bases {
		for _, s := range suffixes {
			if rest, ok := strings.CutSuffix(b, s); ok && utf8.RuneCountInString(rest) > minStem {
				add(rest)
				if s == "ات" || s == "يات" { // a sound feminine plural: the singular ends in ه
					add(rest + "ه")
				}
			}
		}
	}
	// Verb forms, last: the imperfect's prefix, with the future's س (يتركز → تركز,
	// سيحل → حل), and the past's ت or وا (انسحبت → انسحب, لعبته → لعبت → لعب), as the
	// dictionary lists verbs in the past tense.
	for _, b := range slices.Clone(out) {
		if utf8.RuneCountInString(b) < 4 {
			continue
		}
		for _, p := range []string{"سيت", "ستت", "سي", "ست", "سن", "يت", "تت", "ي", "ت", "ن"} {
			if rest, ok := strings.CutPrefix(b, p); ok && utf8.RuneCountInString(rest) >= 3 {
				add(rest)
				break
			}
		}
		for _, s := range []string{"وا", "ت"} {
			if rest, ok := strings.CutSuffix(b, s); ok && utf8.RuneCountInString(rest) >= 3 {
				add(rest)
			}
		}
	}
	return out
}
