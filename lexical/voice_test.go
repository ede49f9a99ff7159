package lexical

import "testing"

func TestFirstPerson(t *testing.T) {
	for text, want := range map[string]bool{
		"This week, I will be in Oman.":            true,
		"My view is that talks help.":              true,
		"They asked me about it.":                  true,
		"We remain optimistic.":                    false, // an institution's voice, not the author's
		"Oman is a mediator; it is trusted.":       false,
		"Myanmar and Mexico sent envoys.":          false, // words that merely start with "my"/"me"
		"The index ranks it; Item I is the first.": true,  // a Roman numeral: a rare false positive, kept
	} {
		if got := FirstPerson(text); got != want {
			t.Errorf("FirstPerson(%q) = %v; want %v", text, got, want)
		}
	}
	if Stem("writer") == AuthorTerm || len(Synonyms(AuthorTerm)) == 0 {
		t.Errorf("AuthorTerm %q has synonyms %v; want writer, blogger, columnist", AuthorTerm, Synonyms(AuthorTerm))
	}
}
