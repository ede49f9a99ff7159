package lexical

import (
	"regexp"
	"strings"
	"unicode"
)

// acronymDef matches an acronym in brackets, as in "Quadrilateral Coordination Group
// (QCG)" or "Joint Comprehensive Plan of Action (JCPOA)"; the long form is checked by
// longForm.
var acronymDef = regexp.MustCompile(`\(([A-Z]{2,8})\)`)

// commonAcronyms are expanded in every document, as if each had defined them; a
// document's own definition wins. Short on purpose: only acronyms that news about
// diplomacy uses without defining.
var commonAcronyms = map[string]string{
	"AI":   "artificial intelligence",
	"EU":   "European Union",
	"GCC":  "Gulf Cooperation Council",
	"GDP":  "gross domestic product",
	"IAEA": "International Atomic Energy Agency",
	"NATO": "North Atlantic Treaty Organization",
	"UAE":  "United Arab Emirates",
	"UK":   "United Kingdom",
	"UN":   "United Nations",
	"US":   "United States",
	"USA":  "United States",
}

// Acronyms finds the acronyms a document defines, adds commonAcronyms, and returns
// the long form of each, keyed by the acronym in capitals. A passage that uses only
// "QCG" is then also found by "Quadrilateral Coordination Group", and the reverse.
func Acronyms(body string) map[string]string {
	out := map[string]string{}
	for a, l := range commonAcronyms {
		out[a] = l
	}
	for _, m := range acronymDef.FindAllStringSubmatchIndex(body, -1) {
		acr := body[m[2]:m[3]]
		before := strings.Fields(body[max(0, m[0]-200):m[0]])
		if long := longForm(before, acr); long != "" {
			out[acr] = strings.Trim(long, "\"“”‘’'(),")
		}
	}
	return out
}

// UsedAcronyms returns the acronyms of acr that text uses, written in capitals
// (dotted or not: "U.S." counts as "US"), each with its number of uses.
func UsedAcronyms(text string, acr map[string]string) map[string]int {
	out := map[string]int{}
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && r != '.' }) {
		f = strings.ReplaceAll(f, ".", "")
		if _, ok := acr[f]; ok {
			out[f]++
		}
	}
	return out
}

// longForm returns the words at the end of before whose initials spell acr, each
// capitalised word giving one letter and short function words ("of", "and") giving
// their initial or nothing; "" when there is no such run.
func longForm(before []string, acr string) string {
	letters := []rune(strings.ToUpper(acr))
	var match func(wi, li int) int // returns the start word index, or -1
	match = func(wi, li int) int {
		if li < 0 {
			return wi + 1
		}
		if wi < 0 {
			return -1
		}
		w := strings.Trim(before[wi], "\"“”‘’'(),")
		r := []rune(w)
		if len(r) == 0 {
			return -1
		}
		if unicode.ToUpper(r[0]) == letters[li] && (unicode.IsUpper(r[0]) || IsStopword(strings.ToLower(w))) {
			if s := match(wi-1, li-1); s >= 0 {
				return s
			}
		}
		if IsStopword(strings.ToLower(w)) && li < len(letters)-1 {
			return match(wi-1, li)
		}
		return -1
	}
	start := match(len(before)-1, len(letters)-1)
	if start < 0 {
		return ""
	}
	return strings.Join(before[start:], " ")
}
