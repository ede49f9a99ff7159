package eval_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/eval"
	"github.com/falaj-bot/falaj/internal/seedtest"
	"github.com/falaj-bot/falaj/retrieval"
)

// TestQuestionSet is the quality gate on the public question set with the offline
// default (local embedder, extractive answers): hit@3 = 14/14, hit@1 ≥ 12/14, both
// unanswerable questions declined, and no answerable one refused.
func TestQuestionSet(t *testing.T) {
	r := runSet(t, "../testdata/questions.jsonl")
	if r.Answerable != 14 || r.Unanswerable != 2 {
		t.Fatalf("question set has %d answerable and %d unanswerable cases; want 14 and 2", r.Answerable, r.Unanswerable)
	}
	if r.Hit3 != 14 {
		t.Errorf("hit@3 = %d/14; want 14/14", r.Hit3)
	}
	if r.Hit1 < 12 {
		t.Errorf("hit@1 = %d/14; want ≥ 12", r.Hit1)
	}
	if r.Abstained != 2 {
		t.Errorf("declined %d of 2 unanswerable questions", r.Abstained)
	}
	if r.OverRefused != 0 {
		t.Errorf("declined %d answerable questions", r.OverRefused)
	}
	if r.AnswerHit < 12 {
		t.Errorf("answer-hit = %d/14; want ≥ 12 (a cited passage holds the answer)", r.AnswerHit)
	}
	if r.ValidCites != r.Answered {
		t.Errorf("%d of %d answers have invalid citation markers", r.Answered-r.ValidCites, r.Answered)
	}
}

// TestParaphrases guards our own, harder set: no off-topic question answered, and no
// fewer right answers than recorded in docs/BENCHMARKS.md.
func TestParaphrases(t *testing.T) {
	r := runSet(t, "../testdata/paraphrases.jsonl")
	if r.Abstained != r.Unanswerable {
		t.Errorf("answered %d of %d off-topic questions", r.Unanswerable-r.Abstained, r.Unanswerable)
	}
	if r.AnswerHit < 15 || r.Hit3 < 16 {
		t.Errorf("answer-hit %d/18, hit@3 %d/18; recorded 15 and 16", r.AnswerHit, r.Hit3)
	}
}

// TestDevCheck guards the check half of dev.jsonl (ids with an even number; the odd
// half is for tuning, docs/RETRIEVAL.md). The floors are the figures measured after
// the retrieval work of issue 8 minus a small margin (docs/RETRIEVAL.md, "Issue 8: what was
// kept"); raise them when a change lifts the figures on the check data.
func TestDevCheck(t *testing.T) {
	t.Parallel()
	s := loadShared(t, "dev.jsonl#even")
	r := runCases(t, s.Cases)
	if r.Answerable != 30 || r.Unanswerable != 10 {
		t.Fatalf("dev.jsonl#even has %d answerable and %d unanswerable cases; want 30 and 10", r.Answerable, r.Unanswerable)
	}
	for _, g := range []guard{
		{"hit@3", r.Hit3, 18, true},
		{"cited-hit", r.AnswerHit, 3, true},
		{"wrong-cited", r.WrongCited, 5, false},
		{"abstained", r.Abstained, 7, true},
		{"unanswerable with citations", r.UnanswerableCited, 4, false},
	} {
		g.check(t)
	}
}

// TestDebianFAQ guards the second domain, the Debian FAQ derived at run time from the
// doc-debian package (eval.DebianFAQ), indexed in memory. Without the package it fails
// in CI (CI=true installs it) and skips elsewhere.
func TestDebianFAQ(t *testing.T) {
	t.Parallel()
	s, err := eval.DebianFAQ(eval.DebianFAQDir)
	if errors.Is(err, eval.ErrNoDebianFAQ) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	ix, _, err := retrieval.Open(t.Context(), retrieval.Config{Corpus: s.Corpus, CorpusName: s.CorpusName})
	if err != nil {
		t.Fatal(err)
	}
	// The converter's expectation must survive cleaning and chunking: every one is in a
	// passage, or the set would measure the converter instead of retrieval.
	var texts []string
	srcs, err := ix.Sources(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range srcs {
		for i := 1; i <= src.Passages; i++ {
			p, err := ix.Passage(t.Context(), fmt.Sprintf("%s#%d", src.Doc, i))
			if err != nil {
				t.Fatal(err)
			}
			texts = append(texts, p.Text)
		}
	}
	for _, c := range s.Cases {
		if c.Answerable && !slices.ContainsFunc(texts, func(p string) bool { return eval.Contains(p, c.ExpectAny) }) {
			t.Errorf("%s: no passage holds %q", c.ID, c.ExpectAny)
		}
	}
	eng, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix, MinConfidence: retrieval.DefaultMinConfidence})
	if err != nil {
		t.Fatal(err)
	}
	r, err := eval.Run(t.Context(), s.Cases, ix, eng, 0)
	if err != nil {
		t.Fatal(err)
	}
	logReport(t, r)
	if r.Answerable < 100 || r.Unanswerable < 10 {
		t.Fatalf("%d answerable and %d unanswerable FAQ questions; want ≥ 100 and ≥ 10", r.Answerable, r.Unanswerable)
	}
	for _, g := range []guard{
		{"hit@1", r.Hit1, 42, true},
		{"hit@3", r.Hit3, 61, true},
		{"cited-hit", r.AnswerHit, 38, true},
		{"wrong-cited", r.WrongCited, 60, false},
		{"unanswerable with citations", r.UnanswerableCited, 8, false},
		{"abstained", r.Abstained, 9, true},
	} {
		g.check(t)
	}
}

// guard is one floor (atLeast) or ceiling on a figure.
type guard struct {
	name    string
	got     int
	limit   int
	atLeast bool
}

func (g guard) check(t *testing.T) {
	t.Helper()
	switch {
	case g.atLeast && g.got < g.limit:
		t.Errorf("%s = %d; want ≥ %d", g.name, g.got, g.limit)
	case !g.atLeast && g.got > g.limit:
		t.Errorf("%s = %d; want ≤ %d", g.name, g.got, g.limit)
	}
}

// loadShared loads a set spec from the shared evaluation folder: FALAJ_EVAL_DIR, a
// relative one taken from the repository root as falaj eval does, else ../shared/eval
// beside the repository. Without it the test fails in CI and skips elsewhere.
func loadShared(t *testing.T, spec string) eval.Set {
	t.Helper()
	dir := os.Getenv("FALAJ_EVAL_DIR")
	if dir == "" {
		dir = filepath.Join("..", "shared", "eval")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir) // tests run in eval/
	}
	file, _, _ := strings.Cut(spec, "#")
	if _, err := os.Stat(filepath.Join(dir, file)); err != nil && os.Getenv("CI") != "true" {
		t.Skipf("%v (set FALAJ_EVAL_DIR to the folder of dev.jsonl)", err)
	}
	s, err := eval.LoadSet(filepath.Join(dir, spec))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// runSet evaluates the offline default (embedded seeds, local embedder, extractive
// answers) on a question set and logs the report.
func runSet(t *testing.T, path string) eval.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := eval.ReadCases(f)
	if err != nil {
		t.Fatal(err)
	}
	return runCases(t, cases)
}

// runCases evaluates the offline default on cases and logs the report.
func runCases(t *testing.T, cases []eval.Case) eval.Report {
	t.Helper()
	eng, ix := seedtest.Engine(t)
	r, err := eval.Run(t.Context(), cases, ix, eng, 0)
	if err != nil {
		t.Fatal(err)
	}
	logReport(t, r)
	return r
}

func logReport(t *testing.T, r eval.Report) {
	t.Helper()
	var b strings.Builder
	_ = r.WriteText(&b)
	t.Log("\n" + b.String())
}

func TestReadCasesErrors(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"not json", "{\"question\": \n", "line 1"},
		{"no question", "{\"id\":\"a\",\"question\":\"  \"}\n", "no question"},
		{"answerable without expectation", "\n{\"id\":\"a\",\"question\":\"q\",\"answerable\":true}\n", "line 2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := eval.ReadCases(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadCases(%q) error = %v; want one mentioning %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestValidCitations(t *testing.T) {
	p := falaj.Passage{ID: "d#1"}
	for _, tt := range []struct {
		name string
		a    falaj.Answer
		want bool
	}{
		{"all markers match", falaj.Answer{Text: "A [1]. B [2].", Citations: []falaj.Citation{{N: 1, Passage: p}, {N: 2, Passage: p}}}, true},
		{"phantom marker", falaj.Answer{Text: "A [3].", Citations: []falaj.Citation{{N: 1, Passage: p}}}, false},
		{"unused citation", falaj.Answer{Text: "A [1].", Citations: []falaj.Citation{{N: 1, Passage: p}, {N: 2, Passage: p}}}, false},
		{"no markers", falaj.Answer{Text: "A.", Citations: []falaj.Citation{{N: 1, Passage: p}}}, false},
	} {
		if got := eval.ValidCitations(tt.a); got != tt.want {
			t.Errorf("%s: ValidCitations = %v; want %v", tt.name, got, tt.want)
		}
	}
}
