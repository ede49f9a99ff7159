package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/internal/openaitest"
)

// sseChunk is one server-sent event of a streamed OpenAI chat completion by test-model.
func sseChunk(content, finish string) string { return openaitest.Chunk("test-model", content, finish) }

// fakeOpenAI serves /v1/chat/completions as a stream of deltas. With dropAfter > 0 it
// closes the connection after that many deltas, as a server that dies mid-answer.
func fakeOpenAI(t *testing.T, dropAfter int, deltas ...string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		var req openaitest.Request
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &req); err != nil || !req.Stream || req.Model != "test-model" || len(req.Messages) < 2 {
			http.Error(w, `{"error":{"message":"bad request","type":"invalid_request_error"}}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for i, d := range deltas {
			if dropAfter > 0 && i == dropAfter {
				conn, _, err := http.NewResponseController(w).Hijack()
				if err == nil {
					conn.Close()
				}
				return
			}
			fmt.Fprint(w, sseChunk(d, ""))
			http.NewResponseController(w).Flush()
		}
		fmt.Fprint(w, sseChunk("", "stop"))
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestAskWithLLM(t *testing.T) {
	srv := fakeOpenAI(t, 0, "Oman is trusted ", "because its quiet diplomacy ", "is discreet and neutral [1].")
	vars := env("OPENAI_BASE_URL", srv.URL+"/v1", "FALAJ_CHAT_MODEL", "test-model", "FALAJ_INDEX_DIR", "off")

	out, errOut, code := runCLI(t, vars, "", "ask", "--json", "Why is Oman trusted as a mediator?")
	if code != 0 {
		t.Fatalf("exit %d; stderr %s", code, errOut)
	}
	var doc struct {
		Answer    string `json:"answer"`
		Answered  bool   `json:"answered"`
		Answerer  string `json:"answerer"`
		Model     string `json:"model"`
		Citations []struct {
			N int `json:"n"`
		} `json:"citations"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Answerer != "llm" || doc.Model != "test-model" || !doc.Answered || len(doc.Citations) != 1 {
		t.Errorf("got answerer %q model %q answered %v citations %d; want an llm answer citing one passage:\n%s",
			doc.Answerer, doc.Model, doc.Answered, len(doc.Citations), out)
	}

	// Human output (to a pipe: not streamed) is the answer, then the sources.
	out, errOut, code = runCLI(t, vars, "", "ask", "Why is Oman trusted as a mediator?")
	if code != 0 {
		t.Fatalf("exit %d; stderr %s", code, errOut)
	}
	if !strings.HasPrefix(out, "Oman is trusted because its quiet diplomacy is discreet and neutral [1].\n\nSources:\n[1] ") {
		t.Errorf("streamed output:\n%s", out)
	}
	if strings.Contains(out, "checked answer") {
		t.Errorf("the checked answer was printed again although it matches the stream:\n%s", out)
	}

	// --no-llm answers extractively without asking the model.
	out, _, _ = runCLI(t, vars, "", "ask", "--no-llm", "--json", "Why is Oman trusted as a mediator?")
	if !strings.Contains(out, `"answerer": "extractive"`) {
		t.Errorf("--no-llm did not answer extractively:\n%s", out)
	}
}

func TestAskLLMDiesMidAnswer(t *testing.T) {
	srv := fakeOpenAI(t, 1, "Oman is trusted ", "because [1].")
	vars := env("OPENAI_BASE_URL", srv.URL+"/v1", "FALAJ_CHAT_MODEL", "test-model", "FALAJ_INDEX_DIR", "off")
	out, errOut, code := runCLI(t, vars, "", "ask", "Why is Oman trusted as a mediator?")
	if code != 0 {
		t.Fatalf("exit %d; a dead model must not fail the question. stderr %s", code, errOut)
	}
	// stdout is not a terminal: the partial, unchecked model text is never printed, only
	// the checked (here extractive) answer, once.
	if strings.Contains(out, "Oman is trusted") || strings.Contains(out, "--- checked answer ---") ||
		!strings.Contains(out, "Note: LLM unavailable") || !strings.Contains(out, "Sources:") {
		t.Errorf("want only the extractive answer with a note:\n%s", out)
	}
}

func TestEvalWithLLM(t *testing.T) {
	srv := fakeOpenAI(t, 0, "The sources say so [1] and [9].")
	vars := env("OPENAI_BASE_URL", srv.URL+"/v1", "FALAJ_CHAT_MODEL", "test-model", "FALAJ_INDEX_DIR", "off")
	out, errOut, code := runCLI(t, vars, "", "eval", "--json", "--questions", "../../testdata/questions.jsonl")
	if code != 0 {
		t.Fatalf("exit %d; stderr %s", code, errOut)
	}
	var rs []struct { // one report per set
		Answerer   string `json:"answerer"`
		Model      string `json:"model"`
		Answered   int    `json:"answered"`
		ValidCites int    `json:"valid_citations"`
		Abstained  int    `json:"abstained"`
	}
	if err := json.Unmarshal([]byte(out), &rs); err != nil || len(rs) != 1 {
		t.Fatalf("eval --json: %d reports, %v; want 1", len(rs), err)
	}
	r := rs[0]
	// The phantom [9] is dropped, so every answer's markers are valid; the two off-topic
	// questions are declined before the model is asked.
	if r.Answerer != "llm" || r.Model != "test-model" || r.Answered != 14 || r.ValidCites != 14 || r.Abstained != 2 {
		t.Errorf("eval with the LLM: %+v; want 14 answered by test-model, all with valid citations, 2 abstained", r)
	}
}

// TestAskScriptedBehaviours: `falaj ask --json` gives, for each behaviour real models
// show (openaitest.Behaviours), the outcome the Engine gives: the same status, answerer,
// note and citations, and no reasoning, sentinel or injected text in the answer.
func TestAskScriptedBehaviours(t *testing.T) {
	for _, b := range openaitest.Behaviours {
		t.Run(b.Name, func(t *testing.T) {
			srv := openaitest.New(t, b.Reply)
			vars := env("OPENAI_BASE_URL", srv.URL, "FALAJ_CHAT_MODEL", cmp.Or(b.ChatModel, "test-model"), "FALAJ_INDEX_DIR", "off")
			out, errOut, code := runCLI(t, vars, "", "ask", "--json", b.Question)
			if code != 0 {
				t.Fatalf("exit %d; stderr %s", code, errOut)
			}
			var doc struct {
				Answer    string            `json:"answer"`
				Answered  bool              `json:"answered"`
				Status    string            `json:"status"`
				Answerer  string            `json:"answerer"`
				Note      string            `json:"note"`
				Citations []json.RawMessage `json:"citations"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			w := b.Want
			if doc.Status != w.Status || doc.Answerer != w.Answerer || doc.Answered != (w.Status == "answered") ||
				!strings.HasPrefix(doc.Note, w.Note) || (w.Note == "" && doc.Note != "") {
				t.Errorf("status %q by %q, note %q; want %q by %q, note %q", doc.Status, doc.Answerer, doc.Note, w.Status, w.Answerer, w.Note)
			}
			if b.WantText != "" && doc.Answer != b.WantText {
				t.Errorf("answer %q; want %q", doc.Answer, b.WantText)
			}
			if n := len(doc.Citations); (b.WantCites >= 0 && n != b.WantCites) || (b.WantCites < 0 && n == 0) {
				t.Errorf("%d citations; want %d (-1: some)", n, b.WantCites)
			}
			for _, bad := range []string{"<think", "PWNED", "NOT_IN_SOURCES"} {
				if strings.Contains(doc.Answer, bad) {
					t.Errorf("%q in the answer %q", bad, doc.Answer)
				}
			}
		})
	}
}

// TestLLMSettingsNameThemselves: an invalid LLM setting is a usage error (exit 2) that
// names the variable and its allowed range; FALAJ_TEMPERATURE=0 is valid and sent as 0.
func TestLLMSettingsNameThemselves(t *testing.T) {
	srv := openaitest.New(t, openaitest.Reply{Deltas: []string{"Oman is trusted [1]."}})
	for _, tt := range []struct {
		name, value, want string
	}{
		{"FALAJ_TEMPERATURE", "3", "FALAJ_TEMPERATURE=3 in the environment is not valid: give a number from 0 to 2"},
		{"FALAJ_CONTEXT_TOKENS", "100", "FALAJ_CONTEXT_TOKENS=100 in the environment is not valid: give the model's context window in tokens, at least 1024"},
		{"FALAJ_CONTEXT_TOKENS", "-5", "FALAJ_CONTEXT_TOKENS=-5 in the environment is not valid"},
		{"FALAJ_MAX_TOKENS", "-5", "FALAJ_MAX_TOKENS=-5 in the environment is not valid"},
		{"FALAJ_LLM_DEADLINE", "-1s", "FALAJ_LLM_DEADLINE=-1s in the environment is not valid"},
		{"FALAJ_EMBED_BATCH", "-2", "FALAJ_EMBED_BATCH=-2 in the environment is not valid: give a positive number of texts"},
		{"FALAJ_REASONING", "maybe", "FALAJ_REASONING=maybe in the environment is not valid: give auto, on or off"},
		{"FALAJ_TEMPERATURE", "warm", `FALAJ_TEMPERATURE="warm" in the environment is not a number`},
	} {
		// Checked with or without an LLM (and with --no-llm): the value is a mistake either way.
		for _, llmVars := range [][]string{{"OPENAI_BASE_URL", srv.URL}, nil} {
			t.Run(fmt.Sprintf("%s=%s/llm=%v", tt.name, tt.value, llmVars != nil), func(t *testing.T) {
				vars := env(append([]string{"FALAJ_INDEX_DIR", "off", tt.name, tt.value}, llmVars...)...)
				for _, args := range [][]string{{"ask", "Why is Oman trusted as a mediator?"}, {"ask", "--no-llm", "Why Oman?"}} {
					_, errOut, code := runCLI(t, vars, "", args...)
					if code != 2 || !strings.Contains(errOut, tt.want) {
						t.Errorf("falaj %q: exit %d, stderr %q; want 2 and %q", args, code, errOut, tt.want)
					}
				}
			})
		}
	}
	// A value from the settings file is named with the file.
	file := filepath.Join(t.TempDir(), "falaj.env")
	if err := os.WriteFile(file, []byte("FALAJ_TEMPERATURE=5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCLI(t, env("FALAJ_ENV_FILE", file, "FALAJ_INDEX_DIR", "off"), "", "ask", "Why Oman?")
	if want := "FALAJ_TEMPERATURE=5 in " + file + " is not valid"; code != 2 || !strings.Contains(errOut, want) {
		t.Errorf("FALAJ_TEMPERATURE=5 in a settings file: exit %d, stderr %q; want 2 and %q", code, errOut, want)
	}
	vars := env("OPENAI_BASE_URL", srv.URL, "FALAJ_INDEX_DIR", "off", "FALAJ_TEMPERATURE", "0")
	if _, errOut, code := runCLI(t, vars, "", "ask", "Why is Oman trusted as a mediator?"); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	reqs := srv.Requests()
	if len(reqs) == 0 || reqs[len(reqs)-1].Temperature == nil || *reqs[len(reqs)-1].Temperature != 0 {
		t.Errorf("FALAJ_TEMPERATURE=0 sent %+v; want temperature 0 in the request", reqs)
	}
}

// TestServeScriptedBehaviours: the web API gives, for each scripted model behaviour, the
// outcome `falaj ask` gives (TestAskScriptedBehaviours), on POST /api/ask and on the
// event stream, whose deltas carry only checked text: the answer itself, or nothing.
func TestServeScriptedBehaviours(t *testing.T) {
	srv := openaitest.New(t, openaitest.Reply{})
	ctx, stop := context.WithCancel(t.Context())
	stderr := &urlWriter{urls: make(chan string, 1)}
	done := make(chan error, 1)
	vars := env("OPENAI_BASE_URL", srv.URL, "FALAJ_CHAT_MODEL", "test-model", "FALAJ_WEB_RATE", "-1")
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--index-dir", "off"}, strings.NewReader(""), io.Discard, stderr, vars)
	}()
	var base string
	select {
	case base = <-stderr.urls:
	case err := <-done:
		t.Fatalf("serve ended before serving: %v\n%s", err, stderr.buf.String())
	}
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	for _, b := range openaitest.Behaviours {
		if b.ChatModel != "" {
			continue // needs another model setting; covered by ask and the Engine
		}
		t.Run(b.Name, func(t *testing.T) {
			srv.SetAnswer(b.Reply)
			body, _ := json.Marshal(map[string]string{"question": b.Question})
			res, err := http.Post(base+"api/ask", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			var a falaj.AnswerJSON
			err = json.NewDecoder(res.Body).Decode(&a)
			res.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			w := b.Want
			if string(a.Status) != w.Status || a.Answerer != w.Answerer || !strings.HasPrefix(a.Note, w.Note) || (w.Note == "" && a.Note != "") {
				t.Errorf("POST /api/ask: status %q by %q, note %q; want %q by %q, note %q", a.Status, a.Answerer, a.Note, w.Status, w.Answerer, w.Note)
			}

			res, err = http.Get(base + "api/ask/stream?q=" + url.QueryEscape(b.Question))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var deltas strings.Builder
			var final falaj.AnswerJSON
			sc := bufio.NewScanner(res.Body)
			sc.Buffer(nil, 1<<20)
			event := ""
			for sc.Scan() {
				line := sc.Text()
				switch {
				case strings.HasPrefix(line, "event: "):
					event = strings.TrimPrefix(line, "event: ")
				case strings.HasPrefix(line, "data: ") && event == "delta":
					var d string
					if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &d); err != nil {
						t.Fatal(err)
					}
					deltas.WriteString(d)
				case strings.HasPrefix(line, "data: ") && event == "answer":
					if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &final); err != nil {
						t.Fatal(err)
					}
				}
			}
			if string(final.Status) != w.Status || final.Answerer != w.Answerer {
				t.Errorf("stream: status %q by %q; want %q by %q", final.Status, final.Answerer, w.Status, w.Answerer)
			}
			if got := deltas.String(); got != "" && got != final.Answer {
				t.Errorf("stream deltas %q; want the checked answer %q or nothing", got, final.Answer)
			}
		})
	}
}
