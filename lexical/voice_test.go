package lexical

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/falaj-bot/falaj/seeds"
)

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

// TestFirstPersonMatchesItsRegexp: the scan answers as the regular expression it
// replaced (kept here as the specification) on tricky strings and every line of the seeds.
func TestFirstPersonMatchesItsRegexp(t *testing.T) {
	spec := regexp.MustCompile(`\bI\b|\b(?i:me|my|myself|mine)\b`)
	texts := []string{"", "I", "I'm here", "Mine.", "MY view", "my_view", "I2", "éI", "Iéme", "amy", "me-too", "IS", "i"}
	names, err := fs.Glob(seeds.FS, "*.txt")
	if err != nil || len(names) == 0 {
		t.Fatalf("seeds: %v %v", names, err)
	}
	for _, name := range names {
		b, err := fs.ReadFile(seeds.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, strings.Split(string(b), "\n")...)
	}
	for _, s := range texts {
		if got, want := FirstPerson(s), spec.MatchString(s); got != want {
			t.Errorf("FirstPerson(%q) = %v; the regexp says %v", s, got, want)
		}
	}
}

func TestHasTerms(t *testing.T) {
	long := strings.Repeat("it is what it is ", 40)
	for _, s := range []string{"", "It is what it is.", "a b c", "US", "THE US IS", "Oman", "2", "to be or not", "Iranian",
		long, long + "Oman", "Oman " + long, strings.ToUpper(long) + "US", "US " + strings.ToUpper(long)} {
		if got, want := HasTerms(s), len(Terms(s)) > 0; got != want {
			t.Errorf("HasTerms(%q) = %v; Terms gives %q", s, got, Terms(s))
		}
	}
}
