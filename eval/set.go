package eval

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/falaj-bot/falaj"
)

// Set is a named question set, measured over its own corpus or the product's.
type Set struct {
	Name  string // how the row is labelled: the spec it was loaded from, e.g. "dev.jsonl#even"
	Cases []Case
	// Corpus is the set's own corpus (a second domain), indexed in memory for the run;
	// nil: the corpus Falaj is configured with.
	Corpus fs.FS
	// CorpusName names Corpus in messages, e.g. the folder; "" when Corpus is nil.
	CorpusName string
}

// The halves of a question set, by the number at the end of each case id (d01 is odd,
// d02 even). The odd half of dev.jsonl is for tuning, the even half for checking.
const (
	HalfOdd  = "odd"
	HalfEven = "even"
)

// Half returns the cases whose id ends in an odd number (half "odd") or an even one
// ("even"), in order. A case id without a trailing number, or another half, is an error:
// a split that silently drops cases would not be the fixed split it claims to be.
func Half(cases []Case, half string) ([]Case, error) {
	if half != HalfOdd && half != HalfEven {
		return nil, fmt.Errorf("half %q: want %q or %q", half, HalfOdd, HalfEven)
	}
	var out []Case
	for _, c := range cases {
		n, ok := idNumber(c.ID)
		if !ok {
			return nil, fmt.Errorf("half %s: case id %q does not end in a number", half, c.ID)
		}
		if (n%2 == 1) == (half == HalfOdd) {
			out = append(out, c)
		}
	}
	return out, nil
}

// idNumber returns the number formed by the digits at the end of id ("d07" → 7).
func idNumber(id string) (int, bool) {
	i := len(id)
	for i > 0 && id[i-1] >= '0' && id[i-1] <= '9' {
		i--
	}
	if i == len(id) {
		return 0, false
	}
	n, err := strconv.Atoi(id[i:])
	return n, err == nil
}

// DebianFAQSpec is the set spec of the Debian FAQ set (see DebianFAQ); "debian-faq:DIR"
// reads the FAQ from DIR instead of DebianFAQDir.
const DebianFAQSpec = "debian-faq"

// LoadSet loads a question set from a spec:
//
//	FILE                a JSON Lines question set over the configured corpus
//	FILE#odd, FILE#even the half of FILE whose ids end in an odd or even number (Half)
//	FILE@DIR            FILE over its own corpus, the folder DIR (also FILE#even@DIR)
//	debian-faq[:DIR]    the Debian FAQ as corpus and question set (DebianFAQ; DIR:
//	                    DebianFAQDir)
//
// The set is named by the spec without its directories ("dev.jsonl#even").
func LoadSet(spec string) (Set, error) {
	if spec == DebianFAQSpec || strings.HasPrefix(spec, DebianFAQSpec+":") {
		dir := strings.TrimPrefix(strings.TrimPrefix(spec, DebianFAQSpec), ":")
		if dir == "" {
			dir = DebianFAQDir
		}
		return DebianFAQ(dir)
	}
	file, corpus := spec, ""
	if i := strings.LastIndex(spec, "@"); i >= 0 {
		file, corpus = spec[:i], spec[i+1:]
	}
	file, half, _ := strings.Cut(file, "#")
	f, err := os.Open(file)
	if err != nil {
		return Set{}, fmt.Errorf("load set %s: %w", spec, err)
	}
	defer f.Close()
	cases, err := ReadCases(f)
	if err != nil {
		return Set{}, fmt.Errorf("load set %s: %w", spec, err)
	}
	name := filepath.Base(file)
	if half != "" {
		if cases, err = Half(cases, half); err != nil {
			return Set{}, fmt.Errorf("load set %s: %w", spec, err)
		}
		name += "#" + half
	}
	s := Set{Name: name, Cases: cases}
	if corpus != "" {
		st, err := os.Stat(corpus)
		if err != nil {
			return Set{}, fmt.Errorf("load set %s: corpus: %w", spec, err)
		}
		if !st.IsDir() {
			return Set{}, fmt.Errorf("load set %s: corpus %s is not a folder", spec, corpus)
		}
		s.Corpus, s.CorpusName = os.DirFS(corpus), corpus
		s.Name += "@" + filepath.Base(corpus)
	}
	return s, nil
}

// System is what a set is measured on: the searcher for hit@k and MRR, and the answerer.
type System struct {
	Searcher Searcher
	Answerer falaj.Answerer
}

// Builder builds the System for a corpus: nil corpus means the configured one. name
// names the corpus in messages. cmd/falaj builds an in-memory index and an Engine
// configured like the product's.
type Builder func(ctx context.Context, corpus fs.FS, name string) (System, error)

// RunSets measures every set and returns one Report per set, in order, each with Set
// set to the set's name. The configured corpus is built once and shared; a set with its
// own corpus gets a System of its own. k is as for Run.
func RunSets(ctx context.Context, sets []Set, build Builder, k int) ([]Report, error) {
	var shared *System
	out := make([]Report, 0, len(sets))
	for _, s := range sets {
		var sys System
		switch {
		case s.Corpus != nil:
			var err error
			if sys, err = build(ctx, s.Corpus, s.CorpusName); err != nil {
				return out, fmt.Errorf("eval %s: build %s: %w", s.Name, s.CorpusName, err)
			}
		case shared != nil:
			sys = *shared
		default:
			b, err := build(ctx, nil, "")
			if err != nil {
				return out, fmt.Errorf("eval %s: build: %w", s.Name, err)
			}
			shared, sys = &b, b
		}
		r, err := Run(ctx, s.Cases, sys.Searcher, sys.Answerer, k)
		if err != nil {
			return out, fmt.Errorf("eval %s: %w", s.Name, err)
		}
		r.Set = s.Name
		out = append(out, r)
	}
	return out, nil
}
