// Package openaitest is a scripted OpenAI-compatible chat server for tests. It speaks the
// wire format of /v1/chat/completions, streamed (server-sent events, one delta per event)
// and not (one JSON body), and replays the behaviours real models show: reasoning blocks,
// preambles, each citation style, partial NOT_IN_SOURCES, refusals, uncited replies and
// truncation by finish_reason "length". It imports only the standard library.
package openaitest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Model is the model name the server reports.
const Model = "scripted-model-1"

// Reply is one scripted reply: its deltas in order and its finish reason.
type Reply struct {
	Deltas []string // streamed one per event; a non-streamed reply is their concatenation
	Finish string   // "stop", "length", "content_filter"; "": "stop"
}

// Text is the reply's deltas joined.
func (r Reply) Text() string { return strings.Join(r.Deltas, "") }

// Request is the part of a chat completion request the server records.
type Request struct {
	Model    string `json:"model"`
	Stream   bool   `json:"stream"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	MaxTokens           int      `json:"max_tokens"`
	MaxCompletionTokens int      `json:"max_completion_tokens"`
	Temperature         *float64 `json:"temperature"`
}

// Server is a scripted chat server. Answer replies to streamed requests (the answers);
// Rewrite, when set, to non-streamed ones (follow-up rewrites), else Answer does.
type Server struct {
	URL string // the base URL including /v1, for OPENAI_BASE_URL

	mu       sync.Mutex
	answer   Reply
	rewrite  *Reply
	requests []Request
}

// New starts a server on 127.0.0.1:0 that answers every request with answer; it stops
// when the test ends.
func New(t testing.TB, answer Reply) *Server {
	t.Helper()
	s := &Server{answer: answer}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
			writeError(w, http.StatusNotFound, "unknown path "+r.URL.Path)
			return
		}
		body, err := io.ReadAll(r.Body)
		var req Request
		if err == nil {
			err = json.Unmarshal(body, &req)
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad request body")
			return
		}
		s.mu.Lock()
		s.requests = append(s.requests, req)
		reply := s.answer
		if !req.Stream && s.rewrite != nil {
			reply = *s.rewrite
		}
		s.mu.Unlock()
		if req.Stream {
			writeStream(w, reply)
		} else {
			writeChat(w, reply)
		}
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/v1"
	return s
}

// SetAnswer makes later requests get reply (streamed ones, and non-streamed ones unless
// SetRewrite was called).
func (s *Server) SetAnswer(reply Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer = reply
}

// SetRewrite makes non-streamed requests (follow-up rewrites) get reply.
func (s *Server) SetRewrite(reply Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rewrite = &reply
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func finish(r Reply) string {
	if r.Finish == "" {
		return "stop"
	}
	return r.Finish
}

// Chunk is one server-sent event of a streamed chat completion by model: delta as the
// content, finish as the finish_reason ("": null, the reply goes on).
func Chunk(model, delta, finish string) string {
	fr := "null"
	if finish != "" {
		fr = `"` + finish + `"`
	}
	c, _ := json.Marshal(delta)
	return fmt.Sprintf(`data: {"id":"chatcmpl-s","object":"chat.completion.chunk","created":1700000000,"model":%q,"choices":[{"index":0,"delta":{"content":%s},"logprobs":null,"finish_reason":%s}]}`+"\n\n", model, c, fr)
}

func writeStream(w http.ResponseWriter, r Reply) {
	w.Header().Set("Content-Type", "text/event-stream")
	event := func(delta, finish string) {
		fmt.Fprint(w, Chunk(Model, delta, finish))
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	fmt.Fprintf(w, `data: {"id":"chatcmpl-s","object":"chat.completion.chunk","created":1700000000,"model":%q,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`+"\n\n", Model)
	for _, d := range r.Deltas {
		event(d, "")
	}
	event("", finish(r))
	fmt.Fprint(w, "data: [DONE]\n\n")
}

func writeChat(w http.ResponseWriter, r Reply) {
	w.Header().Set("Content-Type", "application/json")
	c, _ := json.Marshal(r.Text())
	fmt.Fprintf(w, `{"id":"chatcmpl-n","object":"chat.completion","created":1700000000,"model":%q,"choices":[{"index":0,"message":{"role":"assistant","content":%s},"logprobs":null,"finish_reason":%q}],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}`,
		Model, c, finish(r))
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	m, _ := json.Marshal(msg)
	fmt.Fprintf(w, `{"error":{"message":%s,"type":"invalid_request_error","param":null,"code":null}}`, m)
}

// Outcome is what Falaj should make of a behaviour, in the terms of falaj.Answer.
type Outcome struct {
	Status   string // "answered", "related" or "declined"
	Answerer string // "llm" or "extractive"
	Note     string // the note's start; "" for none
}

// Notes the Engine gives, as Outcome.Note starts.
const (
	NoteUncited = "The model's answer cited no source"
	NoteCut     = "LLM unavailable: the reply was cut at the token limit"
	NoteLong    = "The model's reply was too long"
)

// runaway is a reply that never stops: 200 KB of one cited sentence, in small pieces.
func runaway() []string {
	var d []string
	for range 200 << 10 / 40 {
		d = append(d, "The Ibadi tradition ", "informs Oman [1]. ")
	}
	return d
}

// Behaviour is one thing real models do, the reply that replays it and what Falaj should
// answer. Question is on the seed corpus's topic unless OffTopic.
type Behaviour struct {
	Name      string
	Question  string
	ChatModel string // the model name Falaj is configured with; "": any chat model
	Reply     Reply
	Want      Outcome
	// WantText, when not "", is the exact answer text; WantCites the number of citations
	// (-1: any, at least one).
	WantText  string
	WantCites int
}

// OnTopic is a seed-corpus question retrieval answers confidently.
const OnTopic = "Which religious tradition informs Oman's pragmatic diplomacy?"

// Behaviours are the scripted replies, one per behaviour seen from real models
// (issue 9), each with the outcome Falaj must give for it.
var Behaviours = []Behaviour{
	{Name: "plain cited answer", Question: OnTopic,
		Reply:    Reply{Deltas: []string{"Oman's diplomacy draws on ", "the Ibadi tradition [2], ", "which values tolerance [2][1]."}},
		Want:     Outcome{"answered", "llm", ""},
		WantText: "Oman's diplomacy draws on the Ibadi tradition [1], which values tolerance [1][2].", WantCites: 2},
	{Name: "think block", Question: OnTopic,
		Reply:    Reply{Deltas: []string{"<think>\nThe passages do not", " say much directly. Passage 3 looks off.\n</think>\n\n", "Oman's diplomacy draws on the Ibadi tradition [1]."}},
		Want:     Outcome{"answered", "llm", ""},
		WantText: "Oman's diplomacy draws on the Ibadi tradition [1].", WantCites: 1},
	{Name: "think block opened by the chat template", Question: OnTopic, ChatModel: "qwen3:8b",
		Reply:    Reply{Deltas: []string{"Okay, the user asks about religion. I cannot find", " a date.\n</think>\n", "The Ibadi tradition informs it [1]."}},
		Want:     Outcome{"answered", "llm", ""},
		WantText: "The Ibadi tradition informs it [1].", WantCites: 1},
	{Name: "preamble", Question: OnTopic,
		Reply:    Reply{Deltas: []string{"Sure! Based on the provided passages, here is the answer:\n\n", "The Ibadi tradition informs Oman's diplomacy [1]."}},
		Want:     Outcome{"answered", "llm", ""},
		WantText: "The Ibadi tradition informs Oman's diplomacy [1].", WantCites: 1},
	{Name: "style [1, 2]", Question: OnTopic, Reply: Reply{Deltas: []string{"The Ibadi tradition [1, 2]."}},
		Want: Outcome{"answered", "llm", ""}, WantText: "The Ibadi tradition [1][2].", WantCites: 2},
	{Name: "style [1][2]", Question: OnTopic, Reply: Reply{Deltas: []string{"The Ibadi tradition [1][2]."}},
		Want: Outcome{"answered", "llm", ""}, WantText: "The Ibadi tradition [1][2].", WantCites: 2},
	{Name: "style (Passage 2)", Question: OnTopic, Reply: Reply{Deltas: []string{"The Ibadi tradition (Passage", " 2)."}},
		Want: Outcome{"answered", "llm", ""}, WantText: "The Ibadi tradition [1].", WantCites: 1},
	{Name: "style [n=3]", Question: OnTopic, Reply: Reply{Deltas: []string{"The Ibadi tradition [n=", "3]."}},
		Want: Outcome{"answered", "llm", ""}, WantText: "The Ibadi tradition [1].", WantCites: 1},
	{Name: "style 【1】", Question: OnTopic, Reply: Reply{Deltas: []string{"The Ibadi tradition【1", "†source】."}},
		Want: Outcome{"answered", "llm", ""}, WantText: "The Ibadi tradition[1].", WantCites: 1},
	{Name: "style [Source 2]", Question: OnTopic, Reply: Reply{Deltas: []string{"The Ibadi tradition [Source 2]."}},
		Want: Outcome{"answered", "llm", ""}, WantText: "The Ibadi tradition [1].", WantCites: 1},
	{Name: "style ^1", Question: OnTopic, Reply: Reply{Deltas: []string{"The Ibadi tradition^", "1 informs it."}},
		Want: Outcome{"answered", "llm", ""}, WantText: "The Ibadi tradition[1] informs it.", WantCites: 1},
	{Name: "cited 'no details' is an answer", Question: OnTopic,
		Reply:    Reply{Deltas: []string{"No details of its rituals are given [2], but the Ibadi tradition informs it [1]."}},
		Want:     Outcome{"answered", "llm", ""},
		WantText: "No details of its rituals are given [1], but the Ibadi tradition informs it [2].", WantCites: 2},
	{Name: "partial NOT_IN_SOURCES", Question: OnTopic,
		Reply:    Reply{Deltas: []string{"Oman is guided by the Ibadi tradition [2]. ", "Its exact motives are NOT_IN_", "SOURCES."}},
		Want:     Outcome{"answered", "llm", ""},
		WantText: "Oman is guided by the Ibadi tradition [1].", WantCites: 1},
	{Name: "uncited sentences after the last marker", Question: OnTopic,
		Reply: Reply{Deltas: []string{"Oman is guided by the Ibadi tradition [2] and neutral [7]. ", "It also invented ",
			"the internet.\n\nI hope this helps!"}},
		Want:     Outcome{"answered", "llm", ""},
		WantText: "Oman is guided by the Ibadi tradition [1] and neutral.", WantCites: 1},
	{Name: "one marker at the end of a run", Question: OnTopic,
		Reply:    Reply{Deltas: []string{"Oman's diplomacy is pragmatic. ", "It draws on the Ibadi tradition [1]."}},
		Want:     Outcome{"answered", "llm", ""},
		WantText: "Oman's diplomacy is pragmatic. It draws on the Ibadi tradition [1].", WantCites: 1},
	{Name: "NOT_IN_SOURCES", Question: OnTopic, Reply: Reply{Deltas: []string{"NOT_IN", "_SOURCES"}},
		Want: Outcome{"related", "llm", ""}, WantCites: -1},
	{Name: "refusal in words", Question: OnTopic,
		Reply: Reply{Deltas: []string{"The passages do not mention ", "which tradition that is. Sorry."}},
		Want:  Outcome{"related", "llm", ""}, WantCites: -1},
	{Name: "uncited answer", Question: OnTopic,
		Reply: Reply{Deltas: []string{"Oman's diplomacy is informed by Ibadi Islam, ", "a tolerant tradition."}},
		Want:  Outcome{"answered", "extractive", NoteUncited}, WantCites: -1},
	{Name: "phantom citations only", Question: OnTopic,
		Reply: Reply{Deltas: []string{"Oman follows the Ibadi school [7], a tolerant tradition [9]."}},
		Want:  Outcome{"answered", "extractive", NoteUncited}, WantCites: -1},
	{Name: "injected PWNED", Question: OnTopic, Reply: Reply{Deltas: []string{"PW", "NED"}},
		Want: Outcome{"answered", "extractive", NoteUncited}, WantCites: -1},
	{Name: "cut at the token limit", Question: OnTopic,
		Reply: Reply{Deltas: []string{"<think>Let me think about this at length"}, Finish: "length"},
		Want:  Outcome{"answered", "extractive", NoteCut}, WantCites: -1},
	{Name: "runaway reply cut at 64 KB", Question: OnTopic, Reply: Reply{Deltas: runaway()},
		Want: Outcome{"answered", "llm", NoteLong}, WantCites: 1},
	{Name: "off-topic question: model not asked", Question: "What is the capital of France?",
		Reply: Reply{Deltas: []string{"Paris [1]."}},
		Want:  Outcome{"declined", "extractive", ""}, WantCites: 0},
}
