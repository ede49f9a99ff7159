package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun tunes two variants over a two-gate grid with a small dev set: every
// combination gets a row, one is chosen by the score, and the check half is reported for
// the default. Without a Debian FAQ the check goes on without it.
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
		"-variants", "default,bm25", "-gates", "-1,0.45"}, &out, &errb)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, errb.String())
	}
	got := out.String()
	for _, want := range []string{
		"| default | off |", "| bm25 | off |", "| bm25 | 0.45 |",
		// Declining off-topic questions scores: the gate wins over no gate.
		"| default **chosen** | 0.45 |",
		"| dev.jsonl#even — default, gate 0.45 | 1+1 |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if !strings.Contains(errb.String(), "no Debian FAQ") {
		t.Errorf("stderr %q; want a note that the FAQ check was left out", errb.String())
	}
	if err := run(t.Context(), []string{"-root", "../..", "-eval-dir", dir, "-variants", "nope"}, &out, &errb); err == nil {
		t.Error("an unknown variant: no error")
	}
}
