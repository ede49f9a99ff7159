package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/falaj-bot/falaj"
)

type event struct{ name, data string }

// parseEvents reads an event stream strictly as the server frames it: "event:" and one
// "data:" line per event, a blank line after each, comments starting with ":".
func parseEvents(t *testing.T, body string) []event {
	t.Helper()
	if !strings.HasSuffix(body, "\n\n") {
		t.Errorf("stream does not end with a blank line: %q", body)
	}
	var out []event
	for _, block := range strings.Split(strings.TrimSuffix(body, "\n\n"), "\n\n") {
		if strings.HasPrefix(block, ":") {
			continue
		}
		lines := strings.Split(block, "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "event: ") || !strings.HasPrefix(lines[1], "data: ") {
			t.Fatalf("malformed event %q", block)
		}
		data := strings.TrimPrefix(lines[1], "data: ")
		if !json.Valid([]byte(data)) {
			t.Errorf("event data is not one line of JSON: %q", data)
		}
		out = append(out, event{strings.TrimPrefix(lines[0], "event: "), data})
	}
	return out
}

func streamURL(base, q string) string { return base + "/api/ask/stream?q=" + url.QueryEscape(q) }

func TestStream(t *testing.T) {
	ts, _ := newTestServer(t, nil)
	res, body := do(t, "GET", streamURL(ts.URL, "Why is Oman trusted as a mediator?"), "", "")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("stream = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	events := parseEvents(t, body)
	last := events[len(events)-1]
	if last.name != "answer" {
		t.Fatalf("last event = %q; want answer: %q", last.name, body)
	}
	a := decode[falaj.AnswerJSON](t, last.data)
	var streamed strings.Builder
	for _, e := range events[:len(events)-1] {
		if e.name != "delta" {
			t.Fatalf("event %q before the answer; want only deltas", e.name)
		}
		streamed.WriteString(decode[string](t, e.data))
	}
	if !a.Answered || streamed.String() != a.Answer {
		t.Errorf("deltas %q, answer %q (answered %v); want the deltas to spell the answer", streamed.String(), a.Answer, a.Answered)
	}
}

func TestStreamFramesPieces(t *testing.T) {
	pieces := []string{"Oman ", "hosted\n\ndata: x", " the talks [1]."}
	ts, _ := newTestServer(t, func(c *Config) {
		// Only an LLM streams several pieces, and no LLM runs here: a double sends them.
		c.Answerer = answerFunc(func(_ context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error) {
			for _, p := range pieces {
				onText(p)
			}
			return falaj.Answer{ID: "x", Question: q.Text, Text: strings.Join(pieces, ""), Answered: true}, nil
		})
	})
	_, body := do(t, "GET", streamURL(ts.URL, "Where?"), "", "")
	events := parseEvents(t, body)
	if len(events) != len(pieces)+1 {
		t.Fatalf("%d events; want %d deltas and the answer: %q", len(events), len(pieces), body)
	}
	for i, p := range pieces {
		if got := decode[string](t, events[i].data); events[i].name != "delta" || got != p {
			t.Errorf("event %d = %s %q; want delta %q", i, events[i].name, got, p)
		}
	}
}

func TestStreamError(t *testing.T) {
	log, logs := bufLogger()
	ts, _ := newTestServer(t, func(c *Config) { c.Answerer, c.Logger = failWith(errors.New("index on fire")), log })
	res, body := do(t, "GET", streamURL(ts.URL, "Why?"), "", "")
	if res.StatusCode != 200 {
		t.Fatalf("status %d; want 200 (the stream had started)", res.StatusCode)
	}
	events := parseEvents(t, body)
	if len(events) != 1 || events[0].name != "error" {
		t.Fatalf("events %q; want one error", body)
	}
	e := decode[errorJSON](t, events[0].data)
	if e.Error != falaj.UserMessage(errors.New("")) || e.ErrorID == "" || strings.Contains(body, "on fire") {
		t.Errorf("error event %+v; want the fixed message and an error id, not the cause", e)
	}
	if !strings.Contains(logs.String(), "error_id="+e.ErrorID) {
		t.Errorf("log lacks error id %s:\n%s", e.ErrorID, logs)
	}
}

func TestStreamRefusesBadInput(t *testing.T) {
	ts, _ := newTestServer(t, nil)
	for _, tt := range []struct {
		name, method, path string
		status             int
		want               string
	}{
		{"no q", "GET", "/api/ask/stream", 400, "text was empty"},
		{"blank q", "GET", "/api/ask/stream?q=%20%0A", 400, "text was empty"},
		{"long q", "GET", "/api/ask/stream?q=" + strings.Repeat("x", falaj.MaxQuestionRunes+1), 400, "the limit is 1000"},
		{"bad history", "GET", "/api/ask/stream?q=why&history=%5B1%5D", 400, "history parameter must be a JSON array"},
		{"history an object", "GET", "/api/ask/stream?q=why&history=%7B%7D", 400, `[{"question": "...", "answer": "..."}]: got object, not an array.`},
		{"POST", "POST", "/api/ask/stream?q=why", 405, "use GET, HEAD"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, body := do(t, tt.method, ts.URL+tt.path, "", "")
			if res.StatusCode != tt.status || !strings.HasPrefix(res.Header.Get("Content-Type"), jsonType) {
				t.Fatalf("%s %.50s = %d %s; want %d JSON", tt.method, tt.path, res.StatusCode, res.Header.Get("Content-Type"), tt.status)
			}
			e := decode[errorJSON](t, body)
			if !strings.Contains(e.Error, tt.want) {
				t.Errorf("error %q; want it to contain %q", e.Error, tt.want)
			}
			if strings.Contains(e.Error, "falaj.") || strings.Contains(e.Error, "Go value") {
				t.Errorf("error %q shows Go's names for types", e.Error)
			}
		})
	}
}

// TestStreamKeepAlive waits, in fake time, past the keep-alive interval while the
// answerer is silent, and checks a comment kept the connection busy before the answer.
func TestStreamKeepAlive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBlocker()
		s, err := New(Config{Answerer: b, Rate: -1})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() {
			s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/ask/stream?q=why", nil))
			close(done)
		}()
		<-b.started
		time.Sleep(2*keepAlive + time.Second)
		close(b.release)
		<-done
		want := ": keep-alive\n\n: keep-alive\n\nevent: answer\n"
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("stream %q; want two keep-alives, then the answer", rec.Body.String())
		}
	})
}

// TestStreamClientGone checks that a reader who leaves cancels the answer.
func TestStreamClientGone(t *testing.T) {
	b := newBlocker()
	ts, _ := newTestServer(t, func(c *Config) { c.Answerer = b })
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, "GET", streamURL(ts.URL, "why"), nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	<-b.started
	cancel()
	if err := <-b.ended; !errors.Is(err, context.Canceled) {
		t.Errorf("answer ended with %v; want context.Canceled", err)
	}
}
