package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/prompts"
)

func TestGenerateStreamsDeltas(t *testing.T) {
	deltas := []string{"Oman ", "hosted indirect ", "talks in Muscat [1], ", "carrying messages [2]."}
	_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
			t.Errorf("request %s %s; want POST /v1/chat/completions", r.Method, r.URL.Path)
		}
		if got := r.Header.Get("Authorization"); got != "Bearer sk-test-secret" {
			t.Errorf("Authorization = %q; want the key as bearer token", got)
		}
		req := decodeChat(t, r)
		if !req.Stream || req.Model != DefaultChatModel || req.MaxTokens != DefaultMaxTokens ||
			fmt.Sprint(float32(req.Temperature)) != "0.2" {
			t.Errorf("request stream=%v model=%q max_tokens=%d temperature=%v; want true, %q, %d, 0.2",
				req.Stream, req.Model, req.MaxTokens, req.Temperature, DefaultChatModel, DefaultMaxTokens)
		}
		if len(req.Messages) != 2 || req.Messages[0].Role != "system" || req.Messages[1].Role != "user" {
			t.Errorf("messages = %+v; want system then user", req.Messages)
		}
		writeStream(w, "stop", deltas...)
	})
	var got []string
	gen, err := mustNew(t, cfg).Generate(t.Context(), falaj.Question{Text: "Where were the talks?"}, testPassages(),
		func(d string) { got = append(got, d) })
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if !slices.Equal(got, deltas) {
		t.Errorf("onText got %q; want the deltas in order %q", got, deltas)
	}
	if want := strings.Join(deltas, ""); gen.Text != want {
		t.Errorf("Text = %q; want the deltas joined, %q", gen.Text, want)
	}
	if gen.Model != testModel {
		t.Errorf("Model = %q; want the model the server named, %q", gen.Model, testModel)
	}
}

// TestGenerateThenCheck runs replies through Generate and falaj.CheckCitations, as the
// Engine does.
func TestGenerateThenCheck(t *testing.T) {
	for _, tt := range []struct {
		name      string
		reply     string
		wantText  string
		wantCited []string // passage IDs
		answered  bool
	}{
		{"valid citations", "Oman hosted the talks [1] and carried messages [2].",
			"Oman hosted the talks [1] and carried messages [2].",
			[]string{"oman-hosts-iran-us-discussions#2", "oman-quiet-role-in-us-iran-diplomacy#1"}, true},
		{"phantom citation stripped", "Oman hosted the talks [7]. Officials carried messages [2].",
			"Oman hosted the talks. Officials carried messages [1].",
			[]string{"oman-quiet-role-in-us-iran-diplomacy#1"}, true},
		{"not in sources", prompts.NotInSources, "", nil, false},
		{"not in sources in words", "The provided passages do not say what Iran wanted.",
			"The provided passages do not say what Iran wanted.", nil, false},
		{"uncited injection obeyed", "PWNED", "PWNED", nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				writeStream(w, "stop", tt.reply)
			})
			ps := testPassages()
			gen, err := mustNew(t, cfg).Generate(t.Context(), falaj.Question{Text: "What did Oman do?"}, ps, nil)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			text, cited, answered := falaj.CheckCitations(gen.Text, ps)
			var ids []string
			for _, c := range cited {
				ids = append(ids, c.Passage.ID)
			}
			if text != tt.wantText || answered != tt.answered || !slices.Equal(ids, tt.wantCited) {
				t.Errorf("CheckCitations(%q) = %q, %v, answered %v; want %q, %v, %v",
					gen.Text, text, ids, answered, tt.wantText, tt.wantCited, tt.answered)
			}
		})
	}
}

// TestGenerateFailures forces each failure at the server and checks the short reason
// people see and how many requests were made. It runs in a synctest bubble, so backoff
// waits take no real time.
func TestGenerateFailures(t *testing.T) {
	for _, tt := range []struct {
		name     string
		handler  func(n int, w http.ResponseWriter, r *http.Request) // n counts requests from 1
		closed   bool                                                // no server listening
		want     string                                              // UserMessage, exactly
		wantErr  error                                               // in the chain, when not nil
		requests int
	}{
		{name: "unreachable", closed: true, want: "could not reach %s (4 tries)"},
		{name: "401 not retried", handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
			writeError(w, 401, "Incorrect API key provided: sk-test-***cret.", "invalid_request_error")
		}, want: "the API key was rejected (401)", requests: 1},
		{name: "403 not retried", handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
			writeError(w, 403, "Country not supported", "invalid_request_error")
		}, want: "access was refused (403)", requests: 1},
		{name: "404 Ollama model missing", handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(404)
			fmt.Fprint(w, `{"error":"model \"gpt-4o-mini\" not found, try pulling it first"}`)
		}, want: "the model gpt-4o-mini or the endpoint was not found (404)", requests: 1},
		{name: "400 not retried", handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
			writeError(w, 400, "max_tokens is too large", "invalid_request_error")
		}, want: "the server refused the request (400)", requests: 1},
		{name: "429 forever", handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
			writeError(w, 429, "Rate limit reached", "requests")
		}, want: "rate limited (429) after 4 tries", requests: 4},
		{name: "500 forever", handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
			writeError(w, 500, "The server had an error", "server_error")
		}, want: "the server failed (500) after 4 tries", requests: 4},
		{name: "502 from a proxy, HTML body", handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(502)
			fmt.Fprint(w, "<html>Bad Gateway</html>")
		}, want: "the server failed (502) after 4 tries", requests: 4},
		{name: "malformed JSON in stream", handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Oman\n\n")
		}, want: "the reply was malformed", requests: 1},
		{name: "not an event stream", handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
			writeChat(w, "Oman [1].", "stop") // a server that ignores stream:true
		}, want: "the server did not answer as an OpenAI-compatible API (its reply was application/json, not an event stream); " +
			"check OPENAI_BASE_URL, which usually ends in /v1", wantErr: ErrNotEventStream, requests: 1},
		{name: "an HTML page with 200", handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!doctype html>\n<html><body>Welcome to nginx!</body></html>\n")
		}, want: "the server did not answer as an OpenAI-compatible API (its reply was text/html, not an event stream); " +
			"check OPENAI_BASE_URL, which usually ends in /v1", wantErr: ErrNotEventStream, requests: 1},
		{name: "empty reply", handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
			writeStream(w, "stop", "", "  ")
		}, want: "the model returned an empty reply", wantErr: ErrEmptyReply, requests: 1},
		{name: "cut at max tokens", handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
			writeStream(w, "length", "Oman hosted the talks [1] and")
		}, want: "the reply was cut at the token limit", wantErr: ErrTruncated, requests: 1},
		{name: "content filter", handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
			writeStream(w, "content_filter", "Oman")
		}, want: "the reply was stopped by the content filter", wantErr: ErrFiltered, requests: 1},
		{name: "stream ends without finish reason", handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, chunk("Oman hosted", ""))
		}, want: "the reply stream ended early", wantErr: ErrStreamEnded, requests: 1},
		{name: "connection killed mid-stream", handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, chunk("Oman hosted", ""))
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // drops the connection without ending the chunked body
		}, want: "the reply stream broke off", wantErr: ErrStreamBroken, requests: 1},
		{name: "error event mid-stream", handler: func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, chunk("Oman", ""))
			fmt.Fprint(w, `data: {"error":{"message":"overloaded","type":"server_error"}}`+"\n\n")
		}, want: "the server reported an error mid-reply", requests: 1},
		{name: "503 then success", handler: func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 1 {
				writeError(w, 503, "overloaded", "server_error")
				return
			}
			writeStream(w, "stop", "Oman [1].")
		}, requests: 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var requests atomic.Int32
			srv, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				tt.handler(int(requests.Add(1)), w, r)
			})
			if tt.closed {
				srv.Close()
				tt.want = fmt.Sprintf(tt.want, srv.Listener.Addr())
			}
			var logs bytes.Buffer
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			synctest.Test(t, func(t *testing.T) {
				cfg.HTTPClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
				_, err := mustNew(t, cfg).Generate(t.Context(), falaj.Question{Text: "What did Oman do?"}, testPassages(), nil)
				if tt.want == "" {
					if err != nil {
						t.Fatalf("Generate: %v; want success", err)
					}
					return
				}
				if !falaj.IsUserError(err) || falaj.UserMessage(err) != tt.want {
					t.Errorf("Generate error %v; want a UserError %q", err, tt.want)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("Generate error %v; want it to wrap %v", err, tt.wantErr)
				}
			})
			if got := int(requests.Load()); !tt.closed && got != tt.requests {
				t.Errorf("server got %d requests; want %d", got, tt.requests)
			}
			if tt.want != "" && !strings.Contains(logs.String(), "level=WARN msg=\"llm answer failed\"") {
				t.Errorf("no Warn logged for the failure; log:\n%s", logs.String())
			}
			if strings.Contains(logs.String(), "sk-test-secret") {
				t.Errorf("the API key appears in the log:\n%s", logs.String())
			}
		})
	}
}

// TestRetryAfterHonoured: a 429 with Retry-After: 3 is retried exactly 3 s later (fake
// time), and a Retry-After past the deadline is not waited for.
func TestRetryAfterHonoured(t *testing.T) {
	for _, tt := range []struct {
		name       string
		retryAfter string
		deadline   time.Duration
		wantWait   time.Duration
		wantErr    string
	}{
		{"seconds", "3", 0, 3 * time.Second, ""},
		{"milliseconds header", "", 0, 1500 * time.Millisecond, ""},
		{"capped at 30s", "600", 10 * time.Minute, 30 * time.Second, ""},
		{"past the deadline gives up at once", "120", 0, 0, "rate limited (429) after 1 try"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var requests atomic.Int32
			_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if requests.Add(1) == 1 {
					if tt.retryAfter != "" {
						w.Header().Set("Retry-After", tt.retryAfter)
					} else {
						w.Header().Set("Retry-After-Ms", "1500")
					}
					writeError(w, 429, "Rate limit reached", "requests")
					return
				}
				writeStream(w, "stop", "Oman [1].")
			})
			cfg.Deadline = tt.deadline
			synctest.Test(t, func(t *testing.T) {
				cfg.HTTPClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
				c := mustNew(t, cfg)
				start := time.Now()
				_, err := c.Generate(t.Context(), falaj.Question{Text: "q"}, testPassages(), nil)
				if waited := time.Since(start); waited != tt.wantWait {
					t.Errorf("Generate took %v of fake time; want exactly the Retry-After wait %v", waited, tt.wantWait)
				}
				if got := errMsg(err); got != tt.wantErr {
					t.Errorf("Generate error %q; want %q", got, tt.wantErr)
				}
			})
		})
	}
}

func errMsg(err error) string {
	if err == nil {
		return ""
	}
	return falaj.UserMessage(err)
}

// TestBackoffGrows checks the waits between retries without Retry-After: each within
// its jitter band, growing, the total inside the deadline.
func TestBackoffGrows(t *testing.T) {
	var requests atomic.Int32
	_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		writeError(w, 500, "boom", "server_error")
	})
	cfg.Retries = 5
	synctest.Test(t, func(t *testing.T) {
		var times []time.Time
		cfg.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			times = append(times, time.Now())
			return (&http.Transport{DisableKeepAlives: true}).RoundTrip(r)
		})}
		_, err := mustNew(t, cfg).Generate(t.Context(), falaj.Question{Text: "q"}, testPassages(), nil)
		if got := errMsg(err); got != "the server failed (500) after 6 tries" {
			t.Errorf("Generate error %q; want 6 tries", got)
		}
		for i := 1; i < len(times); i++ {
			gap, full := times[i].Sub(times[i-1]), min(baseBackoff<<(i-1), maxBackoff)
			if gap < full/2 || gap > full {
				t.Errorf("wait before try %d = %v; want between %v and %v", i+1, gap, full/2, full)
			}
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestGenerateTimeouts runs on real time with short limits: a network read does not let
// a synctest bubble's clock advance. The handlers block until the client gives up.
func TestGenerateTimeouts(t *testing.T) {
	for _, tt := range []struct {
		name    string
		cfg     Config
		partial bool // send one delta, then stall
		want    string
	}{
		{"silent server hits the attempt timeout", Config{Timeout: 50 * time.Millisecond, Retries: -1}, false,
			"the model did not answer within 50ms"},
		{"stalled stream hits the attempt timeout", Config{Timeout: 50 * time.Millisecond, Retries: -1}, true,
			"the model did not answer within 50ms"},
		{"silent server hits the deadline", Config{Timeout: time.Minute, Deadline: 100 * time.Millisecond}, false,
			"the model did not answer within 100ms"},
		{"timeouts are retried", Config{Timeout: 30 * time.Millisecond, Retries: 1}, false,
			"the model did not answer within 30ms (2 tries)"},
		{"no retry when the backoff would outlast the deadline", Config{Timeout: 30 * time.Millisecond, Deadline: 150 * time.Millisecond}, false,
			"the model did not answer within 30ms"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.partial {
					w.Header().Set("Content-Type", "text/event-stream")
					fmt.Fprint(w, chunk("Oman", ""))
					w.(http.Flusher).Flush()
				}
				<-r.Context().Done()
			})
			tt.cfg.APIKey, tt.cfg.BaseURL = cfg.APIKey, cfg.BaseURL
			var got []string
			_, err := mustNew(t, tt.cfg).Generate(t.Context(), falaj.Question{Text: "q"}, testPassages(),
				func(d string) { got = append(got, d) })
			if errMsg(err) != tt.want {
				t.Errorf("Generate error %v; want %q", err, tt.want)
			}
			if tt.partial && !slices.Equal(got, []string{"Oman"}) {
				t.Errorf("streamed %q before the stall; want [Oman]", got)
			}
		})
	}
}

func TestGenerateCancelled(t *testing.T) {
	started := make(chan struct{})
	_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-started
		cancel()
	}()
	_, err := mustNew(t, cfg).Generate(ctx, falaj.Question{Text: "q"}, testPassages(), nil)
	if !errors.Is(err, context.Canceled) || errMsg(err) != "the question was cancelled" {
		t.Errorf("Generate after cancel: %v; want a UserError wrapping context.Canceled", err)
	}
}

// TestRequestParameters: reasoning models get max_completion_tokens, a larger budget
// and no temperature; a temperature of 0 is sent as 0, not dropped.
func TestRequestParameters(t *testing.T) {
	for _, tt := range []struct {
		name, model string
		cfg         Config
		wantField   string // "max_tokens" or "max_completion_tokens"
		wantMax     int
		wantTemp    string // the raw JSON value, "" for absent
	}{
		{"chat model", "gpt-4o-mini", Config{}, "max_tokens", DefaultMaxTokens, "0.2"},
		{"temperature zero sent", "llama3.1", Config{Temperature: new(0.0)}, "max_tokens", DefaultMaxTokens, "0"},
		{"o3 family", "o3-mini", Config{ContextTokens: 128000}, "max_completion_tokens", DefaultReasoningMaxTokens, ""},
		{"gpt-5 family, zero temperature not sent", "gpt-5-mini", Config{Temperature: new(0.0), ContextTokens: 128000}, "max_completion_tokens", DefaultReasoningMaxTokens, ""},
		{"think-aloud model on a large context", "deepseek-r1:8b", Config{ContextTokens: 32768}, "max_tokens", DefaultReasoningMaxTokens, "0.2"},
		{"think-aloud model on Ollama's 4096", "qwen3:8b", Config{ContextTokens: 4096}, "max_tokens", 2047, "0.2"},
		{"token field set", "my-model", Config{TokenParam: "max_completion_tokens", MaxTokens: 800}, "max_completion_tokens", 800, "0.2"},
		{"reasoning forced on", "my-model", Config{Reasoning: "on", ContextTokens: 16384}, "max_tokens", DefaultReasoningMaxTokens, "0.2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				var body map[string]json.RawMessage
				if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
					t.Fatal(err)
				}
				other := map[string]string{"max_tokens": "max_completion_tokens", "max_completion_tokens": "max_tokens"}[tt.wantField]
				if got := string(body[tt.wantField]); got != fmt.Sprint(tt.wantMax) || body[other] != nil {
					t.Errorf("%s = %s, %s = %s; want %s = %d only", tt.wantField, got, other, body[other], tt.wantField, tt.wantMax)
				}
				if got := string(body["temperature"]); got != tt.wantTemp {
					t.Errorf("temperature = %q; want %q", got, tt.wantTemp)
				}
				writeStream(w, "stop", "Oman [1].")
			})
			c := tt.cfg
			c.APIKey, c.BaseURL, c.ChatModel = cfg.APIKey, cfg.BaseURL, tt.model
			if _, err := mustNew(t, c).Generate(t.Context(), falaj.Question{Text: "q"}, testPassages(), nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPlaceholderKeyForLocalServers(t *testing.T) {
	_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer "+placeholderKey {
			t.Errorf("Authorization = %q; want the placeholder for a keyless local server", got)
		}
		writeStream(w, "stop", "Oman [1].")
	})
	cfg.APIKey = ""
	if _, err := mustNew(t, cfg).Generate(t.Context(), falaj.Question{Text: "q"}, testPassages(), nil); err != nil {
		t.Fatal(err)
	}
}

func TestRewrite(t *testing.T) {
	history := []falaj.Turn{{Question: "Who hosted the US–Iran talks?", Answer: "Oman hosted them in Muscat [1]."}}
	for _, tt := range []struct {
		name  string
		reply string
		want  string
	}{
		{"plain", "What did Iran want in the US–Iran talks hosted by Oman?", "What did Iran want in the US–Iran talks hosted by Oman?"},
		{"label and quotes removed", "Standalone question: \"What did Iran want in the talks?\"\nBecause…", "What did Iran want in the talks?"},
		{"preamble line", "Here is the standalone question:\nWhy did Oman host the US–Iran talks?", "Why did Oman host the US–Iran talks?"},
		{"think block and bold", "<think>The user asks about Iran.</think>\n**What did Iran want in the US–Iran talks?**", "What did Iran want in the US–Iran talks?"},
		{"last question wins", "Sure! What did Iran want?\nRewritten: What did Iran want in the US–Iran talks in Muscat?", "What did Iran want in the US–Iran talks in Muscat?"},
		{"question word without mark", "What Iran wanted in the US–Iran talks", "What Iran wanted in the US–Iran talks"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				req := decodeChat(t, r)
				if req.Stream || len(req.Messages) != 1 || !strings.Contains(req.Messages[0].Content, "Oman hosted them in Muscat") {
					t.Errorf("rewrite request %+v; want one non-streamed message with the history", req)
				}
				writeChat(w, tt.reply, "stop")
			})
			got, err := mustNew(t, cfg).Rewrite(t.Context(), falaj.Question{Text: "and what did Iran want?", History: history})
			if err != nil || got != tt.want {
				t.Errorf("Rewrite = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	t.Run("no history, no request", func(t *testing.T) {
		_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			t.Error("Rewrite called the model for a question without history")
		})
		if got, err := mustNew(t, cfg).Rewrite(t.Context(), falaj.Question{Text: "Who mediated?"}); got != "Who mediated?" || err != nil {
			t.Errorf("Rewrite = %q, %v; want the question unchanged", got, err)
		}
	})
	for _, tt := range []struct{ name, reply string }{
		{"an answer, not a question", "Iran wanted sanctions relief and guarantees that the United States would not leave the deal again."},
		{"only a preamble", "Here is the standalone question:"},
		{"far too long", "What did Iran want " + strings.Repeat("in the talks and the negotiations and the meetings ", 10) + "?"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeChat(w, tt.reply, "stop") })
			got, err := mustNew(t, cfg).Rewrite(t.Context(), falaj.Question{Text: "and what did Iran want?", History: history})
			if !errors.Is(err, ErrNotAQuestion) || errMsg(err) != "the model's rewrite of the follow-up was not a question" {
				t.Errorf("Rewrite = %q, %v; want ErrNotAQuestion", got, err)
			}
		})
	}
	t.Run("malformed reply", func(t *testing.T) {
		_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"choices":[{"message":{"content":"What`)
		})
		_, err := mustNew(t, cfg).Rewrite(t.Context(), falaj.Question{Text: "and Iran?", History: history})
		if errMsg(err) != "the reply was malformed" {
			t.Errorf("Rewrite error %v; want \"the reply was malformed\"", err)
		}
	})
}

func TestConfig(t *testing.T) {
	for _, tt := range []struct {
		cfg     Config
		enabled bool
		valid   bool
	}{
		{Config{}, false, true},
		{Config{APIKey: "sk-x"}, true, true},
		{Config{BaseURL: "http://localhost:11434/v1"}, true, true},
		{Config{BaseURL: "localhost:11434"}, true, false},
		{Config{APIKey: "sk-x", Temperature: new(2.5)}, true, false},
		{Config{APIKey: "sk-x", Temperature: new(0.0)}, true, true},
		{Config{BaseURL: "http://localhost:11434/v1", ContextTokens: 100}, true, false},
		{Config{APIKey: "sk-x", Reasoning: "maybe"}, true, false},
		{Config{APIKey: "sk-x", MaxTokens: -1}, true, false},
	} {
		_, err := New(tt.cfg)
		if tt.cfg.Enabled() != tt.enabled || (err == nil) != tt.valid {
			t.Errorf("Config %+v: Enabled() = %v, New error %v; want enabled %v, valid %v",
				tt.cfg, tt.cfg.Enabled(), err, tt.enabled, tt.valid)
		}
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2025, 4, 12, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{"none", http.Header{}, 0},
		{"seconds", http.Header{"Retry-After": {"7"}}, 7 * time.Second},
		{"fraction", http.Header{"Retry-After": {"0.5"}}, 500 * time.Millisecond},
		{"http date", http.Header{"Retry-After": {"Sat, 12 Apr 2025 10:00:04 GMT"}}, 4 * time.Second},
		{"date in the past", http.Header{"Retry-After": {"Sat, 12 Apr 2025 09:00:00 GMT"}}, 0},
		{"milliseconds win", http.Header{"Retry-After": {"7"}, "Retry-After-Ms": {"250"}}, 250 * time.Millisecond},
		{"long", http.Header{"Retry-After": {"3600"}}, time.Hour},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryAfter(tt.h, now); got != tt.want {
				t.Errorf("retryAfter(%v) = %v; want %v", tt.h, got, tt.want)
			}
		})
	}
}

// TestGenerateReplyCap: a server that streams without end is read only up to
// falaj.MaxReplyBytes of answer; the text so far is returned, for the caller to cut.
func TestGenerateReplyCap(t *testing.T) {
	for _, tt := range []struct {
		name    string
		delta   string
		wantErr error
	}{
		{"answer text", "Oman hosted the talks [1]. ", nil},
		{"endless reasoning", "<think>" + strings.Repeat("hmm ", 1<<14), ErrOnlyReasoning},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				for range 100000 { // far more than the cap; the client stops reading
					if _, err := fmt.Fprint(w, chunk(tt.delta, "")); err != nil {
						return
					}
				}
			})
			gen, err := mustNew(t, cfg).Generate(t.Context(), falaj.Question{Text: "q"}, testPassages(), nil)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Generate error %v; want %v", err, tt.wantErr)
			}
			if n := len(gen.Text); n > falaj.MaxReplyBytes+len(tt.delta) {
				t.Errorf("read %d bytes of text; want at most about %d", n, falaj.MaxReplyBytes)
			}
		})
	}
}
