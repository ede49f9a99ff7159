package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/falaj-bot/falaj/eval"
)

// TestRun tunes two variants over a two-setting grid with a small dev set: every
// combination gets a row, one is chosen by the score, and the check half is reported for
// the default (and, asked with -also, for bm25). Without a Debian FAQ the check goes on
// without it.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	dev := `{"id":"d01","question":"When was the Aflaj irrigation system developed?","expect_any":["2500 BCE"],"answerable":true}
{"id":"d02","question":"Which index does Oman want to rank in the top 50 of?","expect_any":["Government AI Readiness Index"],"answerable":true}
{"id":"d03","question":"What is the capital of France?"}
{"id":"d04","question":"How do I bake sourdough bread?"}
`
	if err := os.WriteFile(filepath.Join(dir, "dev.jsonl"), []byte(dev), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb strings.Builder
	err := run(t.Context(), []string{"-root", "../..", "-eval-dir", dir, "-faq", t.TempDir(),
		"-variants", "default,bm25", "-min-confidence", "-1,0.45", "-min-cover", "0.25", "-off-topic", "0.2",
		"-also", "bm25"}, &out, &errb)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, errb.String())
	}
	got := out.String()
	for _, want := range []string{
		"2 variants × 2 threshold settings",
		"| default | off / 0.25 / 0.2 |", "| bm25 | off / 0.25 / 0.2 |", "0.45 / 0.25 / 0.2 |",
		"| 1 | ", // ranked
		"| dev.jsonl#even — default, 0.45 / 0.25 / 0.2 | 1+1 |",
		"| dev.jsonl#even — bm25, ", // -also
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "**chosen**"); n != 1 {
		t.Errorf("%d settings chosen; want 1:\n%s", n, got)
	}
	if !strings.Contains(errb.String(), "no Debian FAQ") {
		t.Errorf("stderr %q; want a note that the FAQ check was left out", errb.String())
	}
	for _, args := range [][]string{{"-variants", "nope"}, {"-off-topic", "0"}, {"-min-cover", "-0.5"}} {
		if err := run(t.Context(), append([]string{"-root", "../..", "-eval-dir", dir}, args...), &out, &errb); err == nil {
			t.Errorf("run %q: no error", args)
		}
	}
}

// TestRanking puts a setting that loses a public question from the top 3 below every
// setting that keeps them all, even with a better score; among eligible ones the score
// decides, then hit@1.
func TestRanking(t *testing.T) {
	public := func(hit3 int) []eval.Report { return []eval.Report{{Answerable: 14, Hit3: hit3}} }
	results := []result{
		{variant: "loses-public", reports: public(13), sum: eval.Report{AnswerHit: 30}},
		{variant: "low", reports: public(14), sum: eval.Report{AnswerHit: 10}},
		{variant: "high-fewer-hit1", reports: public(14), sum: eval.Report{AnswerHit: 20, Hit1: 3}},
		{variant: "high-more-hit1", reports: public(14), sum: eval.Report{AnswerHit: 20, Hit1: 5}},
	}
	var got []string
	for _, i := range ranking(results) {
		got = append(got, results[i].variant)
	}
	want := []string{"high-more-hit1", "high-fewer-hit1", "low", "loses-public"}
	if !slices.Equal(got, want) {
		t.Errorf("ranking %v; want %v", got, want)
	}
}
