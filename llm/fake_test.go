package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/falaj-bot/falaj"
)

// The fakes below speak the wire format of the OpenAI API: chat completions as JSON and
// as server-sent events, embeddings as JSON, errors as {"error":{...}}.

const testModel = "gpt-4o-mini-2024-07-18"

// chunk is one SSE event of a streamed chat completion.
func chunk(content string, finish string) string {
	fr := "null"
	if finish != "" {
		fr = `"` + finish + `"`
	}
	c, _ := json.Marshal(content)
	return fmt.Sprintf(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":%q,"system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":%s},"logprobs":null,"finish_reason":%s}]}`+"\n\n",
		testModel, c, fr)
}

// writeStream answers a streamed chat completion with deltas, then finish, then [DONE].
func writeStream(w http.ResponseWriter, finish string, deltas ...string) {
	w.Header().Set("Content-Type", "text/event-stream")
	fmt.Fprint(w, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"`+testModel+`","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`+"\n\n")
	for _, d := range deltas {
		fmt.Fprint(w, chunk(d, ""))
		w.(http.Flusher).Flush()
	}
	if finish != "" {
		fmt.Fprint(w, chunk("", finish))
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// writeChat answers a non-streamed chat completion.
func writeChat(w http.ResponseWriter, content, finish string) {
	w.Header().Set("Content-Type", "application/json")
	c, _ := json.Marshal(content)
	fmt.Fprintf(w, `{"id":"chatcmpl-2","object":"chat.completion","created":1700000000,"model":%q,"choices":[{"index":0,"message":{"role":"assistant","content":%s},"logprobs":null,"finish_reason":%q}],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}`,
		testModel, c, finish)
}

// writeError answers with an API error.
func writeError(w http.ResponseWriter, status int, message, typ string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	m, _ := json.Marshal(message)
	fmt.Fprintf(w, `{"error":{"message":%s,"type":%q,"param":null,"code":null}}`, m, typ)
}

// chatRequest is the part of a chat completion request the tests look at.
type chatRequest struct {
	Model       string  `json:"model"`
	Stream      bool    `json:"stream"`
	Temperature float64 `json:"temperature"`
	MaxTokens   int     `json:"max_tokens"`
	Messages    []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
}

func decodeChat(t *testing.T, r *http.Request) chatRequest {
	t.Helper()
	var req chatRequest
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("read request body: %v", err)
	}
	if err := json.Unmarshal(b, &req); err != nil {
		t.Errorf("request body is not JSON: %v\n%s", err, b)
	}
	return req
}

// newServer starts a fake API on 127.0.0.1:0 and returns a Config pointing at it.
func newServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, Config) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the whole body first: only then does the server watch the connection, so
		// that r.Context() ends when the client gives up.
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read request body: %v", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, Config{APIKey: "sk-test-secret", BaseURL: srv.URL + "/v1"}
}

func mustNew(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// testPassages are three passages in the shape retrieval returns them.
func testPassages() []falaj.Passage {
	return []falaj.Passage{
		{ID: "oman-hosts-iran-us-discussions#2", Doc: "oman-hosts-iran-us-discussions", Title: "Oman hosts Iran–US discussions",
			Author: "Reuters", Outlet: "Reuters", Date: "2025-04-12", Ordinal: 2,
			Text: "Oman hosted indirect talks between Iran and the United States in Muscat."},
		{ID: "oman-quiet-role-in-us-iran-diplomacy#1", Doc: "oman-quiet-role-in-us-iran-diplomacy", Title: "Oman's quiet role in US–Iran diplomacy",
			Author: "Jane Doe", Ordinal: 1,
			Text: "Omani officials carried messages between the delegations."},
		{ID: "oman-diplomatic-bridge-in-afghanistan#3", Doc: "oman-diplomatic-bridge-in-afghanistan", Title: "Oman: a diplomatic bridge in Afghanistan",
			Author: "John Roe", Ordinal: 3,
			Text: "Muscat also facilitated contacts on Afghanistan."},
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
