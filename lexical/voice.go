package lexical

import "strings"

// AuthorTerm is the search term of the word "author" (and of "writer", "blogger" and
// "columnist", its synonyms here). Retrieval gives it, as a byline term, to every passage
// written in the first person (FirstPerson) of a document with an author, and the
// extractive answerer to every such sentence, so "when was the author in Oman?" finds
// "This week, I will be in Oman" (issue 8, item 3: the author is the article's "I").
const AuthorTerm = "author"

// FirstPerson reports whether text speaks in the first person singular: it has the
// word "I" (as a capital, so the Roman numeral of "World War I" counts too, a rare miss)
// or "me", "my", "myself", "mine" in any case. Words are runs of ASCII letters, digits
// and underscores, as regexp's \b sees them ("I'm" has "I"); a scan, not a regular
// expression, because it runs on every passage at ingest.
func FirstPerson(text string) bool {
	start := -1
	for i := 0; i <= len(text); i++ {
		if i < len(text) && isASCIIWord(text[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			switch w := text[start:i]; {
			case w == "I", strings.EqualFold(w, "me"), strings.EqualFold(w, "my"),
				strings.EqualFold(w, "myself"), strings.EqualFold(w, "mine"):
				return true
			}
			start = -1
		}
	}
	return false
}

// isASCIIWord reports whether b is an ASCII letter, digit or underscore.
func isASCIIWord(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}
