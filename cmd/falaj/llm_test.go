package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// sseChunk is one server-sent event of a streamed OpenAI chat completion.
func sseChunk(content, finish string) string {
	fr := "null"
	if finish != "" {
		fr = `"` + finish + `"`
	}
	c, _ := json.Marshal(content)
	return fmt.Sprintf(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"test-model","choices":[{"index":0,"delta":{"content":%s},"finish_reason":%s}]}`+"\n\n", c, fr)
}

// fakeOpenAI serves /v1/chat/completions as a stream of deltas. With dropAfter > 0 it
// closes the connection after that many deltas, as a server that dies mid-answer.
func fakeOpenAI(t *testing.T, dropAfter int, deltas ...string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		var req struct {
			Model    string `json:"model"`
			Stream   bool   `json:"stream"`
			Messages []struct {
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"messages"`
		}
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
	var r struct {
		Answerer   string `json:"answerer"`
		Model      string `json:"model"`
		Answered   int    `json:"answered"`
		ValidCites int    `json:"valid_citations"`
		Abstained  int    `json:"abstained"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	// The phantom [9] is dropped, so every answer's markers are valid; the two off-topic
	// questions are declined before the model is asked.
	if r.Answerer != "llm" || r.Model != "test-model" || r.Answered != 14 || r.ValidCites != 14 || r.Abstained != 2 {
		t.Errorf("eval with the LLM: %+v; want 14 answered by test-model, all with valid citations, 2 abstained", r)
	}
}
