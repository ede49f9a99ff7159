package extract

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
)

//go:embed kinds.txt
var kindsTxt string

// kind is what a question asks for: a year for "when", a reason for "why".
type kind struct {
	name     string
	question *regexp.Regexp // matches the lower-case question
	answer   *regexp.Regexp // matches a sentence that has it
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
		out = append(out, kind{name: f[0], question: q, answer: a})
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
