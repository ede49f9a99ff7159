package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvalSets runs two sets in one call: the public set by --questions, and a set over
// its own corpus folder (FILE#odd@DIR); --json prints one report per set.
func TestEvalSets(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "wells")
	if err := os.Mkdir(corpus, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(corpus, "falaj.txt"), []byte("---\ntitle: Wells\n---\n\nA falaj channel carries water from a mother well to the fields by gravity.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	set := filepath.Join(dir, "wells.jsonl")
	lines := `{"id":"w1","question":"How does a falaj carry water to the fields?","expect_any":["by gravity"],"answerable":true}
{"id":"w2","question":"Who won the 1998 World Cup?"}
{"id":"w3","question":"What is the capital of Peru?"}
`
	if err := os.WriteFile(set, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := env("FALAJ_INDEX_DIR", "off")
	out, errOut, code := runCLI(t, vars, "", "eval", set+"#odd@"+corpus, "--questions", "../../testdata/questions.jsonl", "--json")
	if code != 0 {
		t.Fatalf("eval: code %d, stderr %s", code, errOut)
	}
	var reps []struct {
		Set          string `json:"set"`
		Answerable   int    `json:"answerable"`
		Unanswerable int    `json:"unanswerable"`
		Hit1         int    `json:"hit_at_1"`
		Abstained    int    `json:"abstained"`
	}
	if err := json.Unmarshal([]byte(out), &reps); err != nil {
		t.Fatalf("eval --json: %v\n%s", err, out)
	}
	if len(reps) != 2 {
		t.Fatalf("%d reports; want 2:\n%s", len(reps), out)
	}
	if r := reps[0]; r.Set != "wells.jsonl#odd@wells" || r.Answerable != 1 || r.Unanswerable != 1 || r.Hit1 != 1 || r.Abstained != 1 {
		t.Errorf("own-corpus row = %+v; want wells.jsonl#odd@wells, 1 answerable hit at 1, 1 unanswerable declined", r)
	}
	if r := reps[1]; r.Set != "questions.jsonl" || r.Answerable != 14 || r.Hit1 < 12 {
		t.Errorf("public row = %+v; want questions.jsonl, 14 answerable, hit@1 ≥ 12", r)
	}

	out, errOut, code = runCLI(t, vars, "", "eval", set+"@"+corpus, "--misses")
	if code != 0 {
		t.Fatalf("eval --misses: code %d, stderr %s", code, errOut)
	}
	for _, want := range []string{"set ", "hit@1", "wells.jsonl@wells", "misses of wells.jsonl@wells"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval --misses output lacks %q:\n%s", want, out)
		}
	}

	if _, errOut, code = runCLI(t, vars, "", "eval", set+"#half"); code != 1 || !strings.Contains(errOut, "half") {
		t.Errorf("eval FILE#half: code %d, stderr %q; want 1 and a message about the half", code, errOut)
	}
}
