package falaj_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/internal/openaitest"
	"github.com/falaj-bot/falaj/llm"
	"github.com/falaj-bot/falaj/prompts"
	"github.com/falaj-bot/falaj/retrieval"
)

// The tests in this file run the real Engine on the seed corpus (retrieval.Open) with a
// real llm.Client talking to a fake OpenAI-compatible server over HTTP.

const llmTestModel = "gpt-4o-mini-2024-07-18"

// fakeLLM records the prompts it is sent and answers each request with reply(w, req).
type fakeLLM struct {
	mu      sync.Mutex
	prompts []string // the user message of each streamed request
}

// llmRequest is the part of a chat completion request the fake reads.
type llmRequest = openaitest.Request

func (f *fakeLLM) lastPrompt() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.prompts) == 0 {
		return ""
	}
	return f.prompts[len(f.prompts)-1]
}

// sseChunk is one event of a streamed chat completion.
func sseChunk(content, finish string) string { return openaitest.Chunk(llmTestModel, content, finish) }

// llmEngine starts the fake server with handler and returns an Engine using it.
func llmEngine(t *testing.T, cfg llm.Config, handler func(f *fakeLLM, req llmRequest, w http.ResponseWriter)) (*falaj.Engine, *fakeLLM, *httptest.Server) {
	t.Helper()
	f := &fakeLLM{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req llmRequest
		if err := json.Unmarshal(body, &req); err != nil || r.URL.Path != "/v1/chat/completions" {
			t.Errorf("fake LLM got %s %s (%v)", r.Method, r.URL.Path, err)
		}
		if req.Stream && len(req.Messages) == 2 {
			f.mu.Lock()
			f.prompts = append(f.prompts, req.Messages[1].Content)
			f.mu.Unlock()
		}
		handler(f, req, w)
	}))
	t.Cleanup(srv.Close)

	ix, _, err := retrieval.Open(context.Background(), retrieval.Config{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL = srv.URL + "/v1"
	c, err := llm.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix, Generator: c, Rewriter: c, MinConfidence: retrieval.DefaultMinConfidence})
	if err != nil {
		t.Fatal(err)
	}
	return e, f, srv
}

func streamReply(w http.ResponseWriter, finish string, deltas ...string) {
	w.Header().Set("Content-Type", "text/event-stream")
	for _, d := range deltas {
		fmt.Fprint(w, sseChunk(d, ""))
	}
	fmt.Fprint(w, sseChunk("", finish))
	fmt.Fprint(w, "data: [DONE]\n\n")
}

const onTopic = openaitest.OnTopic

// passageInPrompt returns the text of passage [n] in a rendered answer prompt.
func passageInPrompt(t *testing.T, prompt string, n int) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)\n\[` + fmt.Sprint(n) + `\] [^\n]*\n<passage>\n(.*?)\n</passage>`).FindStringSubmatch(prompt)
	if m == nil {
		t.Fatalf("passage %d not in the prompt:\n%s", n, prompt)
	}
	return m[1]
}

func TestEngineLLMAnswerWithCitations(t *testing.T) {
	e, f, _ := llmEngine(t, llm.Config{APIKey: "sk-test"}, func(_ *fakeLLM, _ llmRequest, w http.ResponseWriter) {
		streamReply(w, "stop", "Oman's diplomacy draws on ", "the Ibadi tradition [2], ", "which values tolerance [2][1].")
	})
	var streamed strings.Builder
	a, err := e.Answer(context.Background(), falaj.Question{Text: onTopic}, func(d string) { streamed.WriteString(d) })
	if err != nil {
		t.Fatal(err)
	}
	if a.Answerer != falaj.AnswererLLM || a.Model != llmTestModel || !a.Answered || a.Note != "" {
		t.Fatalf("answer by %q (model %q), answered %v, note %q; want an LLM answer by %s",
			a.Answerer, a.Model, a.Answered, a.Note, llmTestModel)
	}
	// The model cited prompt passage 2 first: it becomes [1], and prompt passage 1 becomes [2].
	if want := "Oman's diplomacy draws on the Ibadi tradition [1], which values tolerance [1][2]."; a.Text != want {
		t.Errorf("Text = %q; want %q", a.Text, want)
	}
	if len(a.Citations) != 2 {
		t.Fatalf("%d citations; want 2", len(a.Citations))
	}
	prompt := f.lastPrompt()
	for i, n := range []int{2, 1} {
		if got, want := strings.TrimSpace(a.Citations[i].Passage.Text), passageInPrompt(t, prompt, n); !strings.Contains(want, got[:min(len(got), 60)]) {
			t.Errorf("citation %d is passage %q; want prompt passage %d, %q", i+1, got, n, want)
		}
	}
	if !strings.Contains(prompt, "<question>\n"+onTopic+"\n</question>") {
		t.Errorf("the question is not in the prompt as quoted data:\n%s", prompt)
	}
	if !strings.HasPrefix(streamed.String(), "Oman's diplomacy draws on the Ibadi tradition") {
		t.Errorf("streamed %q; want the model's deltas", streamed.String())
	}
}

func TestEngineLLMFallsBack(t *testing.T) {
	for _, tt := range []struct {
		name     string
		cfg      llm.Config
		closed   bool // the server is gone before the question
		handler  func(f *fakeLLM, req llmRequest, w http.ResponseWriter)
		wantNote string
	}{
		{"server killed mid-stream", llm.Config{APIKey: "sk-test"}, false, func(_ *fakeLLM, _ llmRequest, w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, sseChunk("Oman's diplomacy draws on", ""))
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // the connection drops mid-reply
		}, "LLM unavailable: the reply stream broke off."},
		{"server down", llm.Config{APIKey: "sk-test", Retries: -1}, true, nil,
			"LLM unavailable: could not reach 127.0.0.1:"},
		{"bad key", llm.Config{APIKey: "sk-wrong"}, false, func(_ *fakeLLM, _ llmRequest, w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`)
		}, "LLM unavailable: the API key was rejected (401)."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, _, srv := llmEngine(t, tt.cfg, tt.handler)
			if tt.closed {
				srv.Close()
			}
			a, err := e.Answer(context.Background(), falaj.Question{Text: onTopic}, nil)
			if err != nil {
				t.Fatalf("Answer: %v; want the extractive answer", err)
			}
			if a.Answerer != falaj.AnswererExtractive || !a.Answered || len(a.Citations) == 0 || !strings.Contains(a.Text, "Ibadi") {
				t.Errorf("answer by %q, answered %v, %d citations: %q; want the extractive answer with citations",
					a.Answerer, a.Answered, len(a.Citations), a.Text)
			}
			if !strings.HasPrefix(a.Note, tt.wantNote) {
				t.Errorf("Note = %q; want it to start %q", a.Note, tt.wantNote)
			}
		})
	}
}

// TestEngineScriptedBehaviours replays what real models do (openaitest.Behaviours: think
// blocks, preambles, each citation style, partial NOT_IN_SOURCES, refusals, uncited
// replies, truncation) through the real client and Engine on the seed corpus, and checks
// the final answer, its citations, its note and the streamed text.
func TestEngineScriptedBehaviours(t *testing.T) {
	ix, _, err := retrieval.Open(context.Background(), retrieval.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range openaitest.Behaviours {
		t.Run(b.Name, func(t *testing.T) {
			srv := openaitest.New(t, b.Reply)
			c, err := llm.New(llm.Config{BaseURL: srv.URL, ChatModel: b.ChatModel})
			if err != nil {
				t.Fatal(err)
			}
			e, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix, Generator: c, Rewriter: c, MinConfidence: retrieval.DefaultMinConfidence})
			if err != nil {
				t.Fatal(err)
			}
			var streamed strings.Builder
			a, err := e.Answer(context.Background(), falaj.Question{Text: b.Question}, func(d string) { streamed.WriteString(d) })
			if err != nil {
				t.Fatal(err)
			}
			checkOutcome(t, b, a, streamed.String())
			reqs := srv.Requests()
			if b.Want.Status == "declined" && len(reqs) != 0 {
				t.Errorf("the model was asked %d times about an off-topic question", len(reqs))
			}
			for _, r := range reqs {
				if p := r.Messages[len(r.Messages)-1].Content; strings.Contains(p, "part=") {
					t.Errorf("the prompt numbers passages twice:\n%s", p)
				}
			}
		})
	}
}

// checkOutcome checks answer a (and the text streamed for it) against behaviour b.
func checkOutcome(t *testing.T, b openaitest.Behaviour, a falaj.Answer, streamed string) {
	t.Helper()
	w := b.Want
	if string(a.Status) != w.Status || a.Answerer != w.Answerer || a.Answered != (w.Status == "answered") {
		t.Errorf("reply %q: status %q by %q (answered %v); want %q by %q", b.Reply.Text(), a.Status, a.Answerer, a.Answered, w.Status, w.Answerer)
	}
	if (w.Note == "" && a.Note != "") || !strings.HasPrefix(a.Note, w.Note) {
		t.Errorf("note %q; want it to start %q", a.Note, w.Note)
	}
	if b.WantText != "" && a.Text != b.WantText {
		t.Errorf("text %q; want %q", a.Text, b.WantText)
	}
	if len(a.Text) > falaj.MaxReplyBytes {
		t.Errorf("text of %d bytes; want at most falaj.MaxReplyBytes", len(a.Text))
	}
	if n := len(a.Citations); (b.WantCites >= 0 && n != b.WantCites) || (b.WantCites < 0 && n == 0) {
		t.Errorf("%d citations; want %d (-1: some)", n, b.WantCites)
	}
	for i, c := range a.Citations {
		if c.N != i+1 || c.Passage.ID == "" {
			t.Errorf("citation %d: N %d, passage %q", i, c.N, c.Passage.ID)
		}
	}
	switch {
	case a.Status == falaj.StatusRelated && streamed != "":
		t.Errorf("streamed %q for a refusal; want nothing", streamed)
	case a.Status != falaj.StatusRelated && streamed != a.Text:
		t.Errorf("streamed %q; want the answer text %q", streamed, a.Text)
	}
	for _, bad := range []string{"<think", "</think", "PWNED", prompts.NotInSources, "the user asks"} {
		if strings.Contains(streamed, bad) || strings.Contains(a.Text, bad) {
			t.Errorf("%q reached the person: streamed %q, text %q", bad, streamed, a.Text)
		}
	}
}

// TestEngineOffTopicNeverAsksModel: below the off-topic gate the model is not asked and the
// answer is a plain decline with no citations.
func TestEngineOffTopicNeverAsksModel(t *testing.T) {
	ix, _, err := retrieval.Open(context.Background(), retrieval.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := openaitest.New(t, openaitest.Reply{Deltas: []string{prompts.NotInSources}})
	c, err := llm.New(llm.Config{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	e, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix, Generator: c, OffTopicConfidence: 0.999})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.Answer(context.Background(), falaj.Question{Text: onTopic}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != falaj.StatusDeclined || len(a.Citations) != 0 || a.Text != prompts.Default().Decline() || len(srv.Requests()) != 0 {
		t.Errorf("status %q, %d citations, text %q after %d requests; want a plain decline without asking the model",
			a.Status, len(a.Citations), a.Text, len(srv.Requests()))
	}
}

// TestEngineLLMFollowUp: a follow-up is rewritten by the model (a non-streamed request)
// and the standalone question is what retrieval searches.
func TestEngineLLMFollowUp(t *testing.T) {
	const standalone = "Which religious tradition informs Oman's pragmatic diplomacy?"
	e, f, _ := llmEngine(t, llm.Config{APIKey: "sk-test"}, func(_ *fakeLLM, req llmRequest, w http.ResponseWriter) {
		if !req.Stream {
			c, _ := json.Marshal(standalone)
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"x","object":"chat.completion","model":%q,"choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}]}`, llmTestModel, c)
			return
		}
		streamReply(w, "stop", "The Ibadi tradition [1].")
	})
	a, err := e.Answer(context.Background(), falaj.Question{
		Text:    "and which tradition shapes it?",
		History: []falaj.Turn{{Question: "Is Oman's diplomacy pragmatic?", Answer: "Yes [1]."}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Query != standalone || !a.Answered || a.Answerer != falaj.AnswererLLM {
		t.Errorf("query %q, answered %v by %q; want the rewritten question searched and an LLM answer", a.Query, a.Answered, a.Answerer)
	}
	if p := f.lastPrompt(); !strings.Contains(p, standalone) {
		t.Errorf("the answer prompt does not carry the standalone question:\n%s", p)
	}
}

// TestEngineLLMRewriteFails: when rewriting a follow-up fails, the model is not asked again
// for the answer; the extractive answer comes with a note, searched with the history.
func TestEngineLLMRewriteFails(t *testing.T) {
	streams := 0 // streamed (answer) requests; there must be none
	e, _, _ := llmEngine(t, llm.Config{APIKey: "sk-test"}, func(f *fakeLLM, req llmRequest, w http.ResponseWriter) {
		if req.Stream {
			f.mu.Lock()
			streams++
			f.mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`)
	})
	a, err := e.Answer(context.Background(), falaj.Question{
		Text:    "And in the Yemeni civil war?",
		History: []falaj.Turn{{Question: "What did Oman do during the Arab boycott of Qatar in 2017?", Answer: "It remained neutral [1]."}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Answerer != falaj.AnswererExtractive || !strings.HasPrefix(a.Note, "LLM unavailable") || !a.Answered {
		t.Errorf("answerer %q, note %q, answered %v; want an extractive answer with a note", a.Answerer, a.Note, a.Answered)
	}
	if streams != 0 {
		t.Errorf("the model was asked for an answer %d times after rewriting failed", streams)
	}
}

// TestEngineLLMHangsPastCallerDeadline: a model that never answers costs the caller's
// deadline minus a reserve, and the caller still gets the extractive answer in time.
func TestEngineLLMHangsPastCallerDeadline(t *testing.T) {
	hang := make(chan struct{})
	e, _, _ := llmEngine(t, llm.Config{APIKey: "sk-test"}, func(_ *fakeLLM, _ llmRequest, _ http.ResponseWriter) {
		<-hang
	})
	t.Cleanup(func() { close(hang) }) // runs before the server's Close, which waits for handlers
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	a, err := e.Answer(ctx, falaj.Question{Text: "Why is Oman trusted as a mediator?"}, nil)
	if err != nil {
		t.Fatalf("Answer = %v; want the extractive fallback before the caller's deadline", err)
	}
	if a.Answerer != falaj.AnswererExtractive || !strings.HasPrefix(a.Note, "LLM unavailable") {
		t.Errorf("answerer %q note %q; want extractive with a note", a.Answerer, a.Note)
	}
}

// TestEngineScriptedRewrites: a follow-up's rewrite (a non-streamed request) is taken from
// the last question-like line; a rewrite that is no question falls back to searching with
// the history, and the model still answers, seeing the conversation.
func TestEngineScriptedRewrites(t *testing.T) {
	ix, _, err := retrieval.Open(context.Background(), retrieval.Config{})
	if err != nil {
		t.Fatal(err)
	}
	history := []falaj.Turn{{Question: "Is Oman's diplomacy pragmatic?", Answer: "Yes, it is pragmatic [1]."}}
	const followUp = "and which tradition shapes it?"
	for _, tt := range []struct {
		name, rewrite, wantQuery string
	}{
		{"preamble line", "Here is the standalone question:\n\"" + onTopic + "\"", onTopic},
		{"think block then question", "<think>They mean Oman.</think>\n" + onTopic, onTopic},
		{"an answer, not a question", "Oman's pragmatic diplomacy is shaped by the Ibadi school of Islam, which is known for tolerance and moderation in the region.",
			history[0].Question + " " + followUp},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.New(t, openaitest.Reply{Deltas: []string{"The Ibadi tradition [1]."}})
			srv.SetRewrite(openaitest.Reply{Deltas: []string{tt.rewrite}})
			c, err := llm.New(llm.Config{BaseURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			e, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix, Generator: c, Rewriter: c, MinConfidence: retrieval.DefaultMinConfidence})
			if err != nil {
				t.Fatal(err)
			}
			a, err := e.Answer(context.Background(), falaj.Question{Text: followUp, History: history}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if a.Query != tt.wantQuery || a.Answerer != falaj.AnswererLLM || a.Status != falaj.StatusAnswered || a.Note != "" {
				t.Errorf("query %q, %s by %s, note %q; want query %q answered by the model", a.Query, a.Status, a.Answerer, a.Note, tt.wantQuery)
			}
			reqs := srv.Requests()
			last := reqs[len(reqs)-1]
			if p := last.Messages[len(last.Messages)-1].Content; !last.Stream || !strings.Contains(p, history[0].Question) || strings.Contains(p, "pragmatic [1]") {
				t.Errorf("the answer prompt lacks the conversation, or keeps its old markers:\n%s", p)
			}
		})
	}
}

// TestEngineRealModel runs the questions of the scripted table (openaitest.Behaviours)
// against a real OpenAI-compatible server when FALAJ_TEST_OPENAI_URL is set (e.g.
// http://localhost:11434/v1), with FALAJ_TEST_CHAT_MODEL and FALAJ_TEST_OPENAI_KEY. A
// real model's wording cannot be scripted, so it checks what must hold whatever the model
// writes: a known status; an LLM answer's citations numbered 1..n and streamed exactly
// as returned; no reasoning block or sentinel shown; off-topic questions declined without
// asking the model.
func TestEngineRealModel(t *testing.T) {
	url := os.Getenv("FALAJ_TEST_OPENAI_URL")
	if url == "" {
		t.Skip("FALAJ_TEST_OPENAI_URL not set")
	}
	ix, _, err := retrieval.Open(context.Background(), retrieval.Config{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := llm.New(llm.Config{BaseURL: url, APIKey: os.Getenv("FALAJ_TEST_OPENAI_KEY"), ChatModel: os.Getenv("FALAJ_TEST_CHAT_MODEL"),
		Timeout: 2 * time.Minute, Deadline: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	e, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix, Generator: c, Rewriter: c, MinConfidence: retrieval.DefaultMinConfidence})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range openaitest.Behaviours {
		t.Run(b.Name, func(t *testing.T) {
			var streamed strings.Builder
			a, err := e.Answer(t.Context(), falaj.Question{Text: b.Question}, func(d string) { streamed.WriteString(d) })
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s by %s (%s), note %q: %s", a.Status, a.Answerer, a.Model, a.Note, a.Text)
			switch a.Status {
			case falaj.StatusAnswered, falaj.StatusRelated, falaj.StatusDeclined:
			default:
				t.Errorf("status %q", a.Status)
			}
			if b.Want.Status == "declined" && (a.Status != falaj.StatusDeclined || a.Answerer != falaj.AnswererExtractive) {
				t.Errorf("off-topic question: %s by %s; want declined before the model", a.Status, a.Answerer)
			}
			if a.Answerer == falaj.AnswererLLM && a.Status == falaj.StatusAnswered && streamed.String() != a.Text {
				t.Errorf("streamed %q; want the answer %q", streamed.String(), a.Text)
			}
			for i, ct := range a.Citations {
				if ct.N != i+1 {
					t.Errorf("citation %d numbered %d", i+1, ct.N)
				}
			}
			for _, bad := range []string{"<think", "</think", prompts.NotInSources} {
				if strings.Contains(streamed.String(), bad) || strings.Contains(a.Text, bad) {
					t.Errorf("%q reached the person: %q", bad, a.Text)
				}
			}
		})
	}
}

// TestEngineTimeBudgetSplit: the caller's deadline is one budget for the question; a
// follow-up rewrite that hangs uses only its share (rewriteShare, 30 %), so the answer
// still arrives well before the deadline.
func TestEngineTimeBudgetSplit(t *testing.T) {
	hang := make(chan struct{})
	e, _, _ := llmEngine(t, llm.Config{APIKey: "sk-test", Retries: -1}, func(_ *fakeLLM, req llmRequest, w http.ResponseWriter) {
		if !req.Stream {
			<-hang // the rewrite never comes
			return
		}
		streamReply(w, "stop", "The Ibadi tradition [1].")
	})
	t.Cleanup(func() { close(hang) })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	a, err := e.Answer(ctx, falaj.Question{Text: "and which tradition shapes it?",
		History: []falaj.Turn{{Question: "Is Oman's diplomacy pragmatic?", Answer: "Yes [1]."}}}, nil)
	if err != nil {
		t.Fatalf("Answer: %v; want an answer within the budget", err)
	}
	// 30 % of (3 s − 0.5 s reserve) is 0.75 s; allow for a slow machine, not for the
	// whole budget as before.
	if a.Timings.Rewrite > 1500*time.Millisecond || time.Since(start) > 2*time.Second {
		t.Errorf("rewrite took %v, the question %v; want the rewrite cut at its share of 3 s", a.Timings.Rewrite, time.Since(start))
	}
	if !a.Answered || !strings.HasPrefix(a.Note, "LLM unavailable") {
		t.Errorf("answered %v, note %q; want an extractive answer with a note", a.Answered, a.Note)
	}
}

// TestEngineLogsDroppedSentences: an answer whose uncited sentences were dropped says how
// many in one Info line; the streamed text never held them.
func TestEngineLogsDroppedSentences(t *testing.T) {
	srv := openaitest.New(t, openaitest.Reply{Deltas: []string{"Oman is guided by the Ibadi tradition [2]. ",
		"It also invented the internet. ", "I hope this helps!"}})
	c, err := llm.New(llm.Config{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ix, _, err := retrieval.Open(context.Background(), retrieval.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	e, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix, Generator: c, MinConfidence: retrieval.DefaultMinConfidence,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	if err != nil {
		t.Fatal(err)
	}
	var streamed strings.Builder
	a, err := e.Answer(context.Background(), falaj.Question{Text: onTopic}, func(d string) { streamed.WriteString(d) })
	if err != nil {
		t.Fatal(err)
	}
	if want := "Oman is guided by the Ibadi tradition [1]."; a.Text != want || streamed.String() != want {
		t.Errorf("answer %q, streamed %q; want %q", a.Text, streamed.String(), want)
	}
	if !regexp.MustCompile(`level=INFO msg="uncited sentences dropped from the llm answer" .*dropped=2`).MatchString(logs.String()) {
		t.Errorf("logs do not say 2 sentences were dropped:\n%s", logs.String())
	}
}
