package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// env returns a lookupEnv with only vars set: tests never read the real environment.
func env(vars ...string) func(string) (string, bool) {
	m := map[string]string{"FALAJ_ENV_FILE": filepath.Join(os.TempDir(), "falaj-test-no-such.env")}
	for i := 0; i+1 < len(vars); i += 2 {
		m[vars[i]] = vars[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func runCLI(t *testing.T, lookup func(string) (string, bool), stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb, lookup)
	code = exitCode(err, &errb)
	return out.String(), errb.String(), code
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds cmd/falaj once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "falaj-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "falaj")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v", buildErr)
	}
	return binPath
}

func TestAskJSONEndToEnd(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	ask := func() (map[string]any, time.Duration) {
		t.Helper()
		cmd := exec.Command(bin, "ask", "--json", "Why is Oman trusted as a mediator?")
		cmd.Env = []string{"FALAJ_INDEX_DIR=" + dir, "HOME=" + dir, "PATH=" + os.Getenv("PATH")}
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		out, err := cmd.Output()
		took := time.Since(start)
		if err != nil {
			t.Fatalf("falaj ask --json: %v\nstderr: %s", err, stderr.String())
		}
		var doc map[string]any
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatalf("falaj ask --json printed invalid JSON: %v\n%s", err, out)
		}
		return doc, took
	}
	doc, first := ask()
	for _, key := range []string{"question", "answer", "answered", "citations", "timings_ms", "answerer", "model"} {
		if _, ok := doc[key]; !ok {
			t.Errorf("JSON has no %q key: %v", key, doc)
		}
	}
	if doc["answered"] != true {
		t.Fatalf("answered = %v; want true for a question the corpus covers: %v", doc["answered"], doc)
	}
	if doc["answerer"] != "extractive" {
		t.Errorf("answerer = %v; want extractive with no keys", doc["answerer"])
	}
	cits, _ := doc["citations"].([]any)
	if len(cits) == 0 {
		t.Fatalf("no citations: %v", doc)
	}
	for _, c := range cits {
		m := c.(map[string]any)
		for _, key := range []string{"n", "doc", "title", "author", "passage", "text", "score"} {
			if _, ok := m[key]; !ok {
				t.Errorf("citation has no %q key: %v", key, m)
			}
		}
		if !strings.Contains(doc["answer"].(string), "["+jsonNumber(m["n"])+"]") {
			t.Errorf("answer %q does not carry marker [%v]", doc["answer"], m["n"])
		}
	}
	if _, ok := doc["timings_ms"].(map[string]any)["total"]; !ok {
		t.Errorf("timings_ms has no total: %v", doc["timings_ms"])
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("no snapshot written to FALAJ_INDEX_DIR %s (%v)", dir, err)
	}
	doc2, second := ask()
	if doc2["answer"] != doc["answer"] {
		t.Errorf("second answer %q differs from first %q", doc2["answer"], doc["answer"])
	}
	t.Logf("first ask %v (builds the index), second %v (loads the snapshot)", first, second)
}

func TestAskHumanOutput(t *testing.T) {
	out, errOut, code := runCLI(t, env("FALAJ_INDEX_DIR", "off"), "", "ask", "When was the Quadrilateral Coordination Group launched?")
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, errOut)
	}
	if !strings.Contains(out, "January 2016") || !strings.Contains(out, "[1]") || !strings.Contains(out, "Sources:") {
		t.Errorf("answer lacks the fact, a marker or the sources:\n%s", out)
	}
	if !strings.Contains(out, "Giorgio Cafiero") {
		t.Errorf("sources do not name the author:\n%s", out)
	}
}

func TestAskDeclinesOffTopic(t *testing.T) {
	out, errOut, code := runCLI(t, env("FALAJ_INDEX_DIR", "off"), "", "ask", "--json", "What is the capital of France?")
	if code != 0 {
		t.Fatalf("exit %d; declining is an answer. stderr: %s", code, errOut)
	}
	var doc struct {
		Answered  bool  `json:"answered"`
		Citations []any `json:"citations"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Answered || len(doc.Citations) != 0 {
		t.Errorf("answered=%v with %d citations; want a decline citing nothing:\n%s", doc.Answered, len(doc.Citations), out)
	}
}

func TestBadInput(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	for _, tt := range []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		wantErr  string
	}{
		{"empty question", []string{"ask", "   "}, "", 1, "empty"},
		{"no question", []string{"ask"}, "", 1, "empty"},
		{"huge question", []string{"ask", strings.Repeat("why ", 400)}, "", 1, "limit"},
		{"huge question on stdin", []string{"ask", "-"}, strings.Repeat("a", 5000), 1, "limit"},
		{"missing corpus", []string{"ask", "--corpus", missing, "Why Oman?"}, "", 1, missing},
		{"unknown command", []string{"frobnicate"}, "", 2, "unknown command"},
		{"bad flag", []string{"ask", "--nope", "x"}, "", 2, "nope"},
		{"bad embedder", []string{"ask", "--embedder", "magic", "Why Oman?"}, "", 2, "magic"},
		{"bad k", []string{"ask", "-k", "many", "Why Oman?"}, "", 2, "many"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runCLI(t, env("FALAJ_INDEX_DIR", "off"), tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d; want %d (stderr %q)", code, tt.wantCode, errOut)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q does not mention %q", errOut, tt.wantErr)
			}
		})
	}
}

func TestEnvPrecedence(t *testing.T) {
	dir := t.TempDir()
	dotenv := filepath.Join(dir, ".env")
	if err := os.WriteFile(dotenv, []byte("# comment\nFALAJ_K=3\nexport FALAJ_EMBEDDER=\"magic\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// .env says embedder=magic: an error names it.
	_, errOut, code := runCLI(t, env("FALAJ_ENV_FILE", dotenv, "FALAJ_INDEX_DIR", "off"), "", "ask", "Why Oman?")
	if code != 2 || !strings.Contains(errOut, "magic") {
		t.Errorf(".env value not used: code %d, stderr %q", code, errOut)
	}
	// The environment overrides .env.
	_, errOut, code = runCLI(t, env("FALAJ_ENV_FILE", dotenv, "FALAJ_INDEX_DIR", "off", "FALAJ_EMBEDDER", "local"), "", "ask", "Why is Oman trusted as a mediator?")
	if code != 0 {
		t.Errorf("environment did not override .env: code %d, stderr %q", code, errOut)
	}
	// A flag overrides both.
	_, errOut, code = runCLI(t, env("FALAJ_ENV_FILE", dotenv, "FALAJ_INDEX_DIR", "off"), "", "ask", "--embedder", "local", "Why is Oman trusted as a mediator?")
	if code != 0 {
		t.Errorf("flag did not override .env: code %d, stderr %q", code, errOut)
	}
}

func TestChatFollowUp(t *testing.T) {
	in := "What did the US and Iran discuss in Oman?\n/sources\n/quit\n"
	out, errOut, code := runCLI(t, env("FALAJ_INDEX_DIR", "off"), in, "chat")
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, errOut)
	}
	if !strings.Contains(out, "[1]") || !strings.Contains(out, "passage") {
		t.Errorf("chat did not answer with sources:\n%s", out)
	}
}

func TestHelp(t *testing.T) {
	for _, cmd := range []string{"ask", "chat", "ingest", "sources", "eval"} {
		_, errOut, code := runCLI(t, env(), "", cmd, "--help")
		if code != 0 || !strings.Contains(errOut, "Usage: falaj "+cmd) {
			t.Errorf("falaj %s --help: code %d, stderr %q", cmd, code, errOut)
		}
	}
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
