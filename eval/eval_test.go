package eval_test

import (
	"os"
	"strings"
	"testing"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/eval"
	"github.com/falaj-bot/falaj/internal/seedtest"
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
	eng, ix := seedtest.Engine(t)
	r, err := eval.Run(t.Context(), cases, ix, eng, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	_ = r.WriteText(&b)
	t.Log("\n" + b.String())
	return r
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
