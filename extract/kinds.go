package extract

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/falaj-bot/falaj/lexical"
)

//go:embed kinds.txt
var kindsTxt string

// kind is what a question asks for: a year for "when", a reason for "why".
type kind struct {
	name     string
	question *regexp.Regexp // matches the lower-case question
	answer   *regexp.Regexp // matches a sentence that has it; for meta kinds, words naming the article
	// asking and naming match, in any case, the question's words that ask about the
	// article and name it, to take them out of the search (SearchText; meta kinds only).
	asking, naming *regexp.Regexp
}

// kinds holds the question kinds of kinds.txt, parsed once. A broken line fails every
// test of the package (parseKinds panics through mustKinds), not a question.
var kinds = mustKinds(kindsTxt)

func mustKinds(txt string) []kind {
	ks, err := parseKinds(txt)
	if err != nil {
		panic(err)
	}
	return ks
}

// parseKinds reads kinds.txt: name, question pattern and answer pattern, tab-separated;
// blank lines and lines starting with # are skipped.
func parseKinds(txt string) ([]kind, error) {
	var out []kind
	for i, line := range strings.Split(txt, "\n") {
		if line = strings.TrimRight(line, "\r"); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.ContainsFunc(line, func(r rune) bool { return r != '\t' && unicode.IsControl(r) }) {
			return nil, fmt.Errorf("kinds.txt:%d: a control character (a \\b written as a backspace?)", i+1)
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("kinds.txt:%d: %d tab-separated fields; want 3", i+1, len(f))
		}
		q, err := regexp.Compile(f[1])
		if err != nil {
			return nil, fmt.Errorf("kinds.txt:%d: question pattern: %w", i+1, err)
		}
		a, err := regexp.Compile(f[2])
		if err != nil {
			return nil, fmt.Errorf("kinds.txt:%d: answer pattern: %w", i+1, err)
		}
		k := kind{name: f[0], question: q, answer: a}
		if strings.HasPrefix(k.name, "meta:") {
			// Both compiled above without (?i): adding it cannot fail.
			k.asking, k.naming = regexp.MustCompile("(?i)"+f[1]), regexp.MustCompile("(?i)"+f[2])
		}
		out = append(out, k)
	}
	return out, nil
}

// kindOf returns the kind of question q, or nil when it asks for nothing in particular.
func kindOf(q string) *kind {
	l := strings.ToLower(q)
	for i := range kinds {
		if kinds[i].question.MatchString(l) {
			return &kinds[i]
		}
	}
	return nil
}

// fits reports whether text has what a question of kind k asks for; any text fits a nil kind.
func (k *kind) fits(text string) bool {
	return k == nil || k.answer.MatchString(text)
}

// Kind returns the name of what question q asks for as kinds.txt names it ("time",
// "reason", "aim", "number"), or "" when it asks for nothing in particular.
func Kind(q string) string {
	if k := kindOf(q); k != nil {
		return k.name
	}
	return ""
}

// SearchText returns what to search for to answer question q: q itself, or for a question
// about the article itself (a meta: kind in kinds.txt, "Who wrote the piece on
// Afghanistan?") q without the words that ask about the article ("who wrote", "the
// piece"), which no passage's text holds: the rest finds the document, and its byline
// answers. Of what the kind's question pattern matched, only content words stay ("the
// essay on the Sultanate" keeps "Sultanate"). q is returned as it is when nothing else
// would be left.
func SearchText(q string) string {
	k := kindOf(q)
	if k == nil || !strings.HasPrefix(k.name, "meta:") {
		return q
	}
	s := k.asking.ReplaceAllStringFunc(q, func(m string) string {
		var keep []string
		for _, w := range strings.Fields(m) {
			bare := strings.ToLower(strings.Trim(w, ".,;:!?'’\"“”"))
			bare = strings.TrimSuffix(strings.TrimSuffix(bare, "'s"), "’s") // what's → what
			if !lexical.IsStopword(bare) {
				keep = append(keep, w)
			}
		}
		return " " + strings.Join(keep, " ") + " "
	})
	s = strings.Join(strings.Fields(k.naming.ReplaceAllString(s, " ")), " ")
	if !strings.ContainsFunc(s, unicode.IsLetter) {
		return q
	}
	return s
}
