package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// env returns a lookupEnv with only vars set: tests never read the real environment.
func env(vars ...string) func(string) (string, bool) {
	m := map[string]string{"FALAJ_ENV_FILE": os.DevNull} // no .env from the working directory
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

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds cmd/falaj once per test run.
func binary(t testing.TB) string {
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
	var stderr bytes.Buffer
	ask := func() (map[string]any, time.Duration) {
		t.Helper()
		stderr.Reset()
		cmd := exec.Command(bin, "ask", "--json", "--log-level", "debug", "Why is Oman trusted as a mediator?")
		cmd.Env = []string{"FALAJ_INDEX_DIR=" + dir, "HOME=" + dir, "PATH=" + os.Getenv("PATH")}
		cmd.Dir = dir
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
	if !strings.Contains(stderr.String(), "from_cache=false") {
		t.Errorf("first run did not build the index; stderr:\n%s", stderr.String())
	}
	doc2, second := ask()
	if !strings.Contains(stderr.String(), "from_cache=true") {
		t.Errorf("second run did not reuse the saved index; stderr:\n%s", stderr.String())
	}
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
		{"empty question", []string{"ask", "   "}, "", 2, "empty"},
		{"empty question on stdin", []string{"ask", "-"}, " \n", 2, "empty"},
		{"no question", []string{"ask"}, "", 2, "no question given"},
		{"k out of range", []string{"ask", "-k", "0", "Why Oman?"}, "", 2, "1 to 50"},
		{"chunk size out of range", []string{"ask", "--chunk-size", "5", "Why Oman?"}, "", 2, "200 to 5000"},
		{"huge question", []string{"ask", strings.Repeat("why ", 400)}, "", 2, "1599 characters long; the limit is 1000"},
		{"huge question on stdin", []string{"ask", "-"}, strings.Repeat("a", 5000), 2, "5000 characters long; the limit is 1000"},
		{"endless question on stdin", []string{"ask", "-"}, strings.Repeat("a", 5<<20), 2, "longer than 1048576 bytes; the limit is 1000"},
		{"missing corpus", []string{"ask", "--corpus", missing, "Why Oman?"}, "", 2, "--corpus " + missing + ": cannot read the corpus folder (no such file"},
		{"corpus not a folder", []string{"ask", "--corpus", "main.go", "Why Oman?"}, "", 2, "--corpus main.go: not a folder"},
		{"missing prompts dir", []string{"ask", "--prompts-dir", missing, "Why Oman?"}, "", 2, "--prompts-dir " + missing + ": cannot load the prompts"},
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
	in := "What did Oman do during the Arab boycott of Qatar in 2017?\nAnd in the Yemeni civil war?\n/sources\n/quit\n"
	out, errOut, code := runCLI(t, env("FALAJ_INDEX_DIR", "off"), in, "chat")
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, errOut)
	}
	answers := strings.Split(out, "\n> ")
	if len(answers) < 4 {
		t.Fatalf("want a prompt per line; got:\n%s", out)
	}
	if !strings.Contains(answers[1], "Remained neutral; avoided participation") {
		t.Errorf("first answer lacks the Qatar row:\n%s", answers[1])
	}
	if !strings.Contains(answers[2], "did not participate in the coalition") || strings.Contains(answers[2], "avoided participation") {
		t.Errorf("the follow-up did not answer about Yemen with the conversation's context, or repeated the first answer:\n%s", answers[2])
	}
	if !strings.Contains(answers[3], "passage") || !strings.Contains(answers[3], "Yemen") {
		t.Errorf("/sources did not show the last answer's passages:\n%s", answers[3])
	}
}

func TestChatEndsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe() // a terminal that never sends a line
	defer pw.Close()
	done := make(chan error, 1)
	prompted := make(chan struct{})
	out := &promptWatcher{prompted: prompted}
	var errb bytes.Buffer
	go func() { done <- run(ctx, []string{"chat", "--index-dir", "off"}, pr, out, &errb, env()) }()
	<-prompted // chat waits at its prompt
	cancel()   // Ctrl-C
	if err := <-done; err != nil {
		t.Errorf("chat after Ctrl-C = %v; want a quiet nil", err)
	}
}

func TestHelp(t *testing.T) {
	for _, cmd := range []string{"ask", "chat", "ingest", "sources", "eval", "serve", "discord", "feedback"} {
		for _, args := range [][]string{{cmd, "--help"}, {cmd, "-h"}, {"help", cmd}} {
			out, errOut, code := runCLI(t, env(), "", args...)
			// On stdout, so that falaj ask --help | less shows it.
			if code != 0 || !strings.HasPrefix(out, "Usage: falaj "+cmd) || errOut != "" {
				t.Errorf("falaj %q: code %d, stdout %q, stderr %q; want 0 and the usage on stdout only", args, code, out, errOut)
			}
			if regexp.MustCompile(`(?m)^  -[a-z]`).MatchString(out) || !strings.Contains(out, "\n  --") {
				t.Errorf("falaj %q lists flags with one dash; README writes --json:\n%s", args, out)
			}
		}
	}
}

func TestFlagMistakeGivesTheErrorAndAHint(t *testing.T) {
	out, errOut, code := runCLI(t, env(), "", "ask", "--nope", "Why Oman?")
	want := "falaj: flag provided but not defined: -nope\nRun 'falaj ask --help' for usage.\n"
	if code != 2 || out != "" || errOut != want {
		t.Errorf("falaj ask --nope: code %d, stdout %q, stderr %q; want 2 and only %q", code, out, errOut, want)
	}
	// A flag that takes a value, last on the line: no value, not "--" taken for one.
	out, errOut, code = runCLI(t, env(), "", "ask", "Why Oman?", "--k")
	want = "falaj: flag needs a value: --k\nRun 'falaj ask --help' for usage.\n"
	if code != 2 || out != "" || errOut != want {
		t.Errorf("falaj ask ... --k: code %d, stdout %q, stderr %q; want 2 and only %q", code, out, errOut, want)
	}
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestIngestIncrementalAndSkipped(t *testing.T) {
	corpus, index := t.TempDir(), t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(corpus, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.txt", "---\ntitle: Alpha\nauthor: A. Writer\n---\nOman hosted talks between the parties in Muscat. The talks were quiet and discreet.\n")
	write("b.md", "Beta notes\n\nThe Sultanate kept a neutral posture during the boycott of Qatar.\n")
	write("c.txt", "\xff\xfe not text \x00\x01")
	vars := env("FALAJ_CORPUS", corpus, "FALAJ_INDEX_DIR", index)

	out, errOut, code := runCLI(t, vars, "", "ingest")
	if code != 0 {
		t.Fatalf("ingest: exit %d, stderr %s", code, errOut)
	}
	if !strings.Contains(out, "2 documents") || !strings.Contains(out, "skipped 1 file:\n  c.txt") || strings.Contains(errOut, "c.txt") {
		t.Errorf("first ingest: stdout %q, stderr %q; want 2 documents and c.txt listed once, on stdout", out, errOut)
	}

	out, _, _ = runCLI(t, vars, "", "ingest")
	if !strings.Contains(out, "(0 embedded") {
		t.Errorf("unchanged corpus re-embedded something: %q", out)
	}

	write("b.md", "Beta notes\n\nThe Sultanate stayed neutral in the Yemeni civil war.\n")
	out, _, _ = runCLI(t, vars, "", "ingest")
	if !strings.Contains(out, "(1 embedded") {
		t.Errorf("after editing b.md: %q; want exactly its one passage embedded", out)
	}

	out, errOut, code = runCLI(t, vars, "", "sources")
	if code != 0 || !strings.Contains(out, "Alpha") || !strings.Contains(out, "A. Writer") || !strings.Contains(out, "2 documents") {
		t.Errorf("sources: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if errOut != "" {
		t.Errorf("sources on an unchanged corpus reports the skipped file again: %q", errOut)
	}
}

func TestSkippedFilesReportedOncePerBuild(t *testing.T) {
	corpus, index := t.TempDir(), t.TempDir()
	for name, text := range map[string]string{
		"a.txt": "Talks\n\nOman hosted talks between the parties in Muscat.\n",
		"c.txt": "\xff\xfe not text \x00\x01",
		"d.txt": "\x00\x01\x02\x03",
	} {
		if err := os.WriteFile(filepath.Join(corpus, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vars := env("FALAJ_CORPUS", corpus, "FALAJ_INDEX_DIR", index)
	_, errOut, code := runCLI(t, vars, "", "ask", "Where were the talks?")
	if code != 0 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "2 corpus files skipped") || strings.Contains(errOut, "c.txt") {
		t.Errorf("first ask: exit %d, stderr %q; want one line saying 2 files were skipped", code, errOut)
	}
	_, errOut, _ = runCLI(t, vars, "", "ask", "Where were the talks?")
	if errOut != "" {
		t.Errorf("second ask, nothing changed: stderr %q; want nothing", errOut)
	}
	_, errOut, _ = runCLI(t, vars, "", "ask", "--log-level", "debug", "Where were the talks?")
	if !strings.Contains(errOut, "c.txt") || !strings.Contains(errOut, "d.txt") {
		t.Errorf("--log-level debug does not name the skipped files: %q", errOut)
	}
}

// promptWatcher is a stdout that closes prompted when the chat prompt is first written.
type promptWatcher struct {
	mu       sync.Mutex
	buf      bytes.Buffer
	prompted chan struct{}
}

func (w *promptWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, _ := w.buf.Write(p)
	if strings.HasSuffix(w.buf.String(), "\n> ") && w.prompted != nil {
		close(w.prompted)
		w.prompted = nil
	}
	return n, nil
}

func TestSettingsFileErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.env")
	_, errOut, code := runCLI(t, env("FALAJ_ENV_FILE", missing), "", "ask", "Why Oman?")
	if code != 1 || !strings.Contains(errOut, "FALAJ_ENV_FILE") || !strings.Contains(errOut, missing) {
		t.Errorf("a missing FALAJ_ENV_FILE: exit %d, stderr %q; want an error naming the variable and the file", code, errOut)
	}
	bad := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(bad, []byte("FALAJ_K=3\nthis is not a setting\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = runCLI(t, env("FALAJ_ENV_FILE", bad), "", "ask", "Why Oman?")
	if code != 1 || !strings.Contains(errOut, ":2: want KEY=VALUE") {
		t.Errorf("a malformed .env: exit %d, stderr %q; want the file and line named", code, errOut)
	}
}

func TestSettingErrorsNameTheirSource(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"flag", nil, []string{"ask", "-k", "0", "Why Oman?"}, "--k 0: give a number of passages from 1 to 50"},
		{"environment", []string{"FALAJ_K", "0"}, []string{"ask", "Why Oman?"}, "FALAJ_K=0 in the environment: give a number"},
		{"the flag wins over the environment", []string{"FALAJ_K", "7"}, []string{"ask", "-k", "99", "Why Oman?"}, "--k 99:"},
		{"chunk size", []string{"FALAJ_CHUNK_SIZE", "5"}, []string{"ask", "Why Oman?"}, "FALAJ_CHUNK_SIZE=5 in the environment: give 200 to 5000"},
		{"corpus", []string{"FALAJ_CORPUS", "/nonexistent/corpus"}, []string{"sources"}, "FALAJ_CORPUS=/nonexistent/corpus in the environment: cannot read"},
		{"web rate", []string{"FALAJ_WEB_RATE", "0"}, []string{"serve"}, "FALAJ_WEB_RATE=0 in the environment would refuse every question"},
		{"embedder", []string{"FALAJ_EMBEDDER", "bogus"}, []string{"ask", "Why Oman?"}, "FALAJ_EMBEDDER=bogus in the environment: want local, glove"},
		{"embedder flag", nil, []string{"sources", "--embedder", "bogus"}, "--embedder bogus: want local"},
		{"log level", []string{"FALAJ_LOG_LEVEL", "loud"}, []string{"ask", "Why Oman?"}, "FALAJ_LOG_LEVEL=loud in the environment: want debug, info"},
		{"log level flag", nil, []string{"ingest", "--log-level", "loud"}, "--log-level loud: want debug"},
		{"local dim", []string{"FALAJ_LOCAL_DIM", "3"}, []string{"ask", "Why Oman?"}, "FALAJ_LOCAL_DIM=3 in the environment: give 16 to 8192"},
		{"vectors", []string{"FALAJ_VECTORS", "int4"}, []string{"ask", "Why Oman?"}, "FALAJ_VECTORS=int4 in the environment: want int8"},
		{"negative probes", []string{"FALAJ_PROBES", "-1"}, []string{"ask", "Why Oman?"}, "FALAJ_PROBES=-1 in the environment: give a number of partitions"},
		{"probes not a number", []string{"FALAJ_PROBES", "many"}, []string{"ask", "Why Oman?"}, `FALAJ_PROBES="many" in the environment is not a whole number`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runCLI(t, env(append([]string{"FALAJ_INDEX_DIR", "off"}, tt.env...)...), "", tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("falaj %q with %q: exit %d, stderr %q; want 2 and %q", tt.args, tt.env, code, errOut, tt.want)
			}
		})
	}
	// A value from the settings file is named with the file.
	file := filepath.Join(t.TempDir(), "falaj.env")
	if err := os.WriteFile(file, []byte("FALAJ_K=0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, _ := runCLI(t, env("FALAJ_ENV_FILE", file, "FALAJ_INDEX_DIR", "off"), "", "ask", "Why Oman?")
	if want := "FALAJ_K=0 in " + file; !strings.Contains(errOut, want) {
		t.Errorf("FALAJ_K=0 in a settings file: stderr %q; want %q", errOut, want)
	}
	if err := os.WriteFile(file, []byte("FALAJ_EMBEDDER=bogus\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCLI(t, env("FALAJ_ENV_FILE", file, "FALAJ_INDEX_DIR", "off"), "", "ask", "Why Oman?")
	if want := "FALAJ_EMBEDDER=bogus in " + file; code != 2 || !strings.Contains(errOut, want) {
		t.Errorf("FALAJ_EMBEDDER=bogus in a settings file: exit %d, stderr %q; want 2 and %q", code, errOut, want)
	}
}

// TestREADMEJSONExample: README's `falaj ask --json` example has the keys the command
// prints (note, omitted unless something degraded, aside).
func TestREADMEJSONExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(readme), "`falaj ask --json` prints\n\n```json\n")
	example, _, ok := strings.Cut(rest, "```")
	var doc map[string]any
	if err := json.Unmarshal([]byte(example), &doc); !ok || err != nil {
		t.Fatalf("README's ask --json example is not JSON (%v):\n%s", err, example)
	}
	out, errOut, code := runCLI(t, env("FALAJ_INDEX_DIR", "off"), "", "ask", "--json", "Why is Oman trusted as a mediator?")
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil {
		t.Fatalf("ask --json: exit %d, %v, stderr %q", code, err, errOut)
	}
	keys := func(m map[string]any) string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return strings.Join(ks, " ")
	}
	if keys(doc) != keys(got) {
		t.Errorf("README's example has keys %s; ask --json prints %s", keys(doc), keys(got))
	}
	cd, cg := doc["citations"].([]any), got["citations"].([]any)
	if len(cd) == 0 || len(cg) == 0 || keys(cd[0].(map[string]any)) != keys(cg[0].(map[string]any)) {
		t.Errorf("README's citation keys differ from ask --json's: %v vs %v", cd, cg)
	}
}

func TestMisspeltSettingInDotEnvIsReported(t *testing.T) {
	file := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(file, []byte("FALAJ_KK=3\nFALAJ_K=3\nOTHER_TOOL=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCLI(t, env("FALAJ_ENV_FILE", file), "", "sources", "--index-dir", "off")
	if code != 0 || !strings.Contains(errOut, "FALAJ_KK in "+file+" is no Falaj setting") ||
		strings.Contains(errOut, "FALAJ_K ") || strings.Contains(errOut, "OTHER_TOOL") {
		t.Errorf("exit %d, stderr %q; want a warning about FALAJ_KK only", code, errOut)
	}
	// Every setting .env.example documents is known.
	example, err := readDotEnv(filepath.Join("..", "..", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("..", "..", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") { // commented-out settings too
		if k, _, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "# "), "="); ok && !strings.Contains(k, " ") {
			example[k] = ""
		}
	}
	if len(example) < 10 {
		t.Fatalf(".env.example has %d settings; the parsing above is wrong", len(example))
	}
	if got := unknownSettings(example); len(got) > 0 {
		t.Errorf(".env.example documents %q, which knownSettings lacks", got)
	}
}

func TestIndexDirWithoutACacheDir(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("the cache dir comes from os.UserCacheDir there")
	}
	for _, tt := range []struct {
		name string
		env  []string
		want string // "": memory only
	}{
		{"XDG_CACHE_HOME", []string{"XDG_CACHE_HOME", "/xdg/cache", "HOME", "/home/u"}, "/xdg/cache/falaj"},
		{"HOME", []string{"HOME", "/home/u"}, "/home/u/.cache/falaj"},
		{"a relative XDG_CACHE_HOME is ignored", []string{"XDG_CACHE_HOME", "cache", "HOME", "/home/u"}, "/home/u/.cache/falaj"},
		{"neither: memory only, never a shared /tmp path", nil, ""},
		{"off", []string{"FALAJ_INDEX_DIR", "off", "HOME", "/home/u"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := settings{env: env(tt.env...)}
			c := common{settings: s, indexDir: s.str("FALAJ_INDEX_DIR", "")}
			got, noCache := c.snapshotDir()
			if got != tt.want || (noCache != nil) != (tt.env == nil) {
				t.Errorf("snapshotDir() = %q, %v; want %q", got, noCache, tt.want)
			}
		})
	}
	// The command says so in one line and answers from memory.
	out, errOut, code := runCLI(t, env(), "", "sources")
	if code != 0 || !strings.Contains(out, "documents") || strings.Count(errOut, "no user cache dir") != 1 {
		t.Errorf("sources with no HOME: exit %d, stdout %q, stderr %q; want the sources and one warning", code, out, errOut)
	}
}

func TestAnswerTimeoutMustBePositive(t *testing.T) {
	for _, tt := range []struct {
		env  []string
		args []string
		want string
	}{
		{[]string{"FALAJ_ANSWER_TIMEOUT", "-1s"}, []string{"serve"}, "FALAJ_ANSWER_TIMEOUT=-1s in the environment: give a positive duration"},
		{[]string{"FALAJ_ANSWER_TIMEOUT", "0s"}, []string{"serve"}, "FALAJ_ANSWER_TIMEOUT=0s in the environment: give a positive duration"},
		{nil, []string{"serve", "--answer-timeout", "-5s"}, "--answer-timeout -5s: give a positive duration"},
	} {
		_, errOut, code := runCLI(t, env(append([]string{"FALAJ_INDEX_DIR", "off"}, tt.env...)...), "", tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("falaj %q with %q: exit %d, stderr %q; want 2 and %q", tt.args, tt.env, code, errOut, tt.want)
		}
	}
}

func TestInterruptedExitStatus(t *testing.T) {
	for _, tt := range []struct {
		name        string
		err         error
		interrupted bool
		want        int
	}{
		{"a server stopped by Ctrl-C", nil, true, 130},
		{"a server stopped by SIGTERM", nil, false, 0},
		{"an answer cancelled by Ctrl-C", context.Canceled, true, 130},
		{"bad usage stays bad usage", &usageError{msg: "x"}, true, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitStatus(tt.err, tt.interrupted, io.Discard); got != tt.want {
				t.Errorf("exitStatus(%v, interrupted %v) = %d; want %d", tt.err, tt.interrupted, got, tt.want)
			}
		})
	}
}

func TestEvalNamesTheBadLine(t *testing.T) {
	for _, tt := range []struct {
		name, set, want string
	}{
		{"not JSON", `{"question":"q","expect_any":["x"],"answerable":true}` + "\n{oops\n",
			"Line 2 of the question set %s cannot be used: it is not JSON (invalid character 'o' looking for beginning of object key string, at byte 2)."},
		{"wrong kind", `{"question":"q","expect_any":"x","answerable":true}`,
			"Line 1 of the question set %s cannot be used: expect_any should be a list, not a string."},
		{"no question", "\n\n" + `{"expect_any":["x"]}`,
			"Line 3 of the question set %s cannot be used: no question."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "set.jsonl")
			if err := os.WriteFile(path, []byte(tt.set), 0o600); err != nil {
				t.Fatal(err)
			}
			_, errOut, code := runCLI(t, env("FALAJ_INDEX_DIR", "off"), "", "eval", "--questions", path)
			if want := fmt.Sprintf(tt.want, path); code != 1 || !strings.Contains(errOut, want) {
				t.Errorf("falaj eval on %q: exit %d, stderr %q; want %q", tt.set, code, errOut, want)
			}
			if strings.Contains(errOut, "not valid JSON Lines.\n") || strings.Contains(errOut, "[]string") {
				t.Errorf("stderr %q hides the line or shows a Go type", errOut)
			}
		})
	}
}

// TestAskSourceWithoutAuthor: a document without front matter is named by its first
// heading, with no author line rather than "Unknown" or an empty " — ".
func TestAskSourceWithoutAuthor(t *testing.T) {
	dir := t.TempDir()
	doc := "# Water Shares of Nizwa\n\nThe falaj of Nizwa divides its water into **time shares**, and the\nshares are sold at a weekly auction in the village square.\n"
	if err := os.WriteFile(filepath.Join(dir, "water-notes.md"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, env("FALAJ_INDEX_DIR", "off"), "", "ask", "--corpus", dir, "Where are the water shares of Nizwa sold?")
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, errOut)
	}
	if !strings.Contains(out, "[1] Water Shares of Nizwa, passage 1\n") {
		t.Errorf("sources do not name the document by its heading, without an author:\n%s", out)
	}
	if strings.Contains(out, "Unknown") || strings.Contains(out, " — ,") || strings.Contains(out, "**") {
		t.Errorf("output has an empty or made-up author, or Markdown marks:\n%s", out)
	}
}

// TestAskQuotesNoFootnoteMarkers is issue 10's defect 2 end to end: a source's own
// footnote markers ("2011.[12]", "[13][14]") never reach an answer, where they would read
// as citations of passages that were not listed.
func TestAskQuotesNoFootnoteMarkers(t *testing.T) {
	dir := t.TempDir()
	doc := "Oman hosted secret talks between the United States and Iran in 2011.[12] The talks moved to formal negotiations in 2013.[13][14]\n"
	if err := os.WriteFile(filepath.Join(dir, "talks.txt"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, env("FALAJ_INDEX_DIR", "off"), "", "ask", "--corpus", dir, "When did Oman host secret talks between the United States and Iran?")
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, errOut)
	}
	if !strings.Contains(out, "in 2011") || !strings.Contains(out, "[1]") {
		t.Fatalf("no cited answer:\n%s", out)
	}
	for _, bad := range []string{"[12]", "[13]", "[14]"} {
		if strings.Contains(out, bad) {
			t.Errorf("answer carries the source's marker %s:\n%s", bad, out)
		}
	}
}
