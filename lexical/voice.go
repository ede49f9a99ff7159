package lexical

import "regexp"

// AuthorTerm is the search term of the word "author" (and of "writer", "blogger" and
// "columnist", its synonyms here). Retrieval gives it, as a byline term, to every passage
// written in the first person (FirstPerson) of a document with an author, and the
// extractive answerer to every such sentence, so "when was the author in Oman?" finds
// "This week, I will be in Oman" (issue 8, item 3: the author is the article's "I").
const AuthorTerm = "author"

// firstPersonRE matches the first person singular: "I" (as a capital, so the Roman
// numeral of "World War I" counts too, a rare miss), "me", "my", "myself", "mine".
var firstPersonRE = regexp.MustCompile(`\bI\b|\b(?i:me|my|myself|mine)\b`)

// FirstPerson reports whether text speaks in the first person singular.
func FirstPerson(text string) bool { return firstPersonRE.MatchString(text) }
