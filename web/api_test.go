package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/falaj-bot/falaj"
)

const jsonType = "application/json"

func TestAskAnswers(t *testing.T) {
	ts, _ := newTestServer(t, nil)
	res, body := do(t, "POST", ts.URL+"/api/ask", jsonType, `{"question": "Why is Oman trusted as a mediator?"}`)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/ask = %d %s; want 200", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, jsonType) {
		t.Errorf("Content-Type = %q; want %s", ct, jsonType)
	}
	a := decode[falaj.AnswerJSON](t, body) // unknown fields fail: the body is AnswerJSON exactly
	if !a.Answered || len(a.Citations) == 0 || !strings.Contains(a.Answer, "[1]") {
		t.Fatalf("answer = %+v; want an answer citing [1]", a)
	}
	if a.Question != "Why is Oman trusted as a mediator?" || a.ID == "" || a.Answerer != falaj.AnswererExtractive {
		t.Errorf("answer question/id/answerer = %q/%q/%q", a.Question, a.ID, a.Answerer)
	}
	for _, c := range a.Citations {
		if c.ID == "" || c.Title == "" || c.Text == "" {
			t.Errorf("citation %d lacks id, title or text: %+v", c.N, c)
		}
	}
}

func TestAskDeclines(t *testing.T) {
	ts, _ := newTestServer(t, nil)
	res, body := do(t, "POST", ts.URL+"/api/ask", jsonType, `{"question": "What is the best recipe for chocolate cake?"}`)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/ask = %d %s; want 200 (declining is an answer)", res.StatusCode, body)
	}
	a := decode[falaj.AnswerJSON](t, body)
	if a.Answered {
		t.Errorf("answered = true for an off-corpus question: %q", a.Answer)
	}
	if !strings.Contains(body, `"citations":[]`) {
		t.Errorf("body %s; want \"citations\":[] (never null)", body)
	}
}

func TestAskWithHistory(t *testing.T) {
	ts, _ := newTestServer(t, nil)
	res, body := do(t, "POST", ts.URL+"/api/ask", jsonType,
		`{"question": "And what was discussed there?", "history": [{"question": "Where did Iran and the United States hold talks?", "answer": "In Muscat [1]."}]}`)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/ask = %d %s; want 200", res.StatusCode, body)
	}
	if a := decode[falaj.AnswerJSON](t, body); a.Question != "And what was discussed there?" {
		t.Errorf("question = %q", a.Question)
	}
}

func TestAskRefusesBadInput(t *testing.T) {
	ts, _ := newTestServer(t, func(c *Config) { c.MaxBodyBytes = 4096 })
	turns := make([]string, maxHistoryTurns+1)
	for i := range turns {
		turns[i] = `{"question": "q", "answer": "a"}`
	}
	for _, tt := range []struct {
		name, method, body string
		status             int
		want               string // in the error message
	}{
		{"empty body", "POST", "", 400, "must be one JSON object"},
		{"empty object", "POST", "{}", 400, "text was empty"},
		{"blank question", "POST", `{"question": " \n\t "}`, 400, "text was empty"},
		{"invalid JSON", "POST", `{"question": "why`, 400, "must be one JSON object"},
		{"not an object", "POST", `["why?"]`, 400, "got array, not an object"},
		{"unknown field", "POST", `{"q": "why?"}`, 400, `unknown field "q"`},
		{"wrong type", "POST", `{"question": 42}`, 400, `"question" must be a string`},
		{"two objects", "POST", `{"question": "a"} {"question": "b"}`, 400, "data after the JSON object"},
		{"question too long", "POST", fmt.Sprintf(`{"question": %q}`, strings.Repeat("é", falaj.MaxQuestionRunes+1)), 400, "the limit is 1000"},
		{"history too long", "POST", `{"question": "why?", "history": [` + strings.Join(turns, ",") + `]}`, 400, fmt.Sprintf("the limit is %d", maxHistoryTurns)},
		{"body too large", "POST", fmt.Sprintf(`{"question": %q}`, strings.Repeat("a", 5000)), 413, "larger than 4096 bytes"},
		{"GET", "GET", "", 405, "use POST"},
		{"PUT", "PUT", `{"question": "why?"}`, 405, "use POST"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, body := do(t, tt.method, ts.URL+"/api/ask", jsonType, tt.body)
			if res.StatusCode != tt.status {
				t.Fatalf("%s /api/ask %.60q = %d %s; want %d", tt.method, tt.body, res.StatusCode, body, tt.status)
			}
			e := decode[errorJSON](t, body)
			if !strings.Contains(e.Error, tt.want) {
				t.Errorf("error = %q; want it to contain %q", e.Error, tt.want)
			}
			if tt.status == 405 && res.Header.Get("Allow") != "POST" {
				t.Errorf("Allow = %q; want POST", res.Header.Get("Allow"))
			}
		})
	}
}

func TestAskFailures(t *testing.T) {
	for _, tt := range []struct {
		name     string
		answerer falaj.Answerer
		timeout  time.Duration
		status   int
		want     string
		id       bool // the body carries an error id
	}{
		{"internal error", failWith(errors.New("disk on fire")), 0, 500, falaj.UserMessage(errors.New("")), true},
		{"user error", failWith(falaj.Userf(errors.New("index missing"), "The index is not built yet. Run falaj ingest.")), 0, 503, "The index is not built yet. Run falaj ingest.", false},
		{"timeout", newBlocker(), time.Millisecond, 504, "No answer within 1ms", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			log, logs := bufLogger()
			ts, _ := newTestServer(t, func(c *Config) {
				c.Answerer, c.Logger, c.AnswerTimeout = tt.answerer, log, tt.timeout
			})
			res, body := do(t, "POST", ts.URL+"/api/ask", jsonType, `{"question": "Why is Oman trusted?"}`)
			if res.StatusCode != tt.status {
				t.Fatalf("status = %d %s; want %d", res.StatusCode, body, tt.status)
			}
			e := decode[errorJSON](t, body)
			if e.Error != tt.want && !strings.HasPrefix(e.Error, tt.want) {
				t.Errorf("error = %q; want %q", e.Error, tt.want)
			}
			if tt.id != (e.ErrorID != "") {
				t.Errorf("error_id = %q; want one: %v", e.ErrorID, tt.id)
			}
			if strings.Contains(body, "disk on fire") || strings.Contains(body, "index missing") {
				t.Errorf("body %s shows the cause; only the log may", body)
			}
			if tt.id && !strings.Contains(logs.String(), "error_id="+e.ErrorID) || tt.id && !strings.Contains(logs.String(), "disk on fire") {
				t.Errorf("log lacks the error id %s and cause:\n%s", e.ErrorID, logs)
			}
		})
	}
}

func TestSources(t *testing.T) {
	ts, _ := newTestServer(t, nil)
	res, body := do(t, "GET", ts.URL+"/api/sources", "", "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/sources = %d %s", res.StatusCode, body)
	}
	got := decode[struct{ Sources []SourceJSON }](t, body)
	if len(got.Sources) != 4 {
		t.Fatalf("sources = %d; want the 4 seed articles: %s", len(got.Sources), body)
	}
	for _, s := range got.Sources {
		// Author may be empty: one seed names none, and none is made up.
		if s.Doc == "" || s.Title == "" || s.Passages == 0 || s.Author == "Unknown" {
			t.Errorf("source lacks doc, title or passages, or has a made-up author: %+v", s)
		}
	}
	res, _ = do(t, "POST", ts.URL+"/api/sources", "", "")
	if res.StatusCode != 405 || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /api/sources = %d Allow %q; want 405 GET, HEAD", res.StatusCode, res.Header.Get("Allow"))
	}
}

func TestSourcesWithoutCatalog(t *testing.T) {
	ts, _ := newTestServer(t, func(c *Config) { c.Catalog = nil })
	res, body := do(t, "GET", ts.URL+"/api/sources", "", "")
	if res.StatusCode != 200 || strings.TrimSpace(body) != `{"sources":[]}` {
		t.Errorf("GET /api/sources = %d %s; want 200 {\"sources\":[]}", res.StatusCode, body)
	}
	res, body = do(t, "GET", ts.URL+"/api/passages/x%231", "", "")
	if res.StatusCode != 404 {
		t.Errorf("GET /api/passages/x#1 = %d %s; want 404", res.StatusCode, body)
	}
}

func TestPassage(t *testing.T) {
	ts, _ := newTestServer(t, nil)
	_, body := do(t, "POST", ts.URL+"/api/ask", jsonType, `{"question": "Why is Oman trusted as a mediator?"}`)
	c := decode[falaj.AnswerJSON](t, body).Citations[0]

	res, body := do(t, "GET", ts.URL+"/api/passages/"+url.PathEscape(c.ID), "", "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/passages/%s = %d %s", c.ID, res.StatusCode, body)
	}
	p := decode[PassageJSON](t, body)
	if p.ID != c.ID || p.Text != c.Text || p.Title != c.Title || p.Passage != c.Passage {
		t.Errorf("passage = %+v; want the cited one %+v", p, c)
	}

	for _, tt := range []struct{ name, path string }{
		{"unknown id", "/api/passages/" + url.PathEscape(c.Doc+"#999")},
		{"unknown doc", "/api/passages/nope%231"},
		{"nested path", "/api/passages/a/b"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, body := do(t, "GET", ts.URL+tt.path, "", "")
			if res.StatusCode != http.StatusNotFound {
				t.Fatalf("GET %s = %d %s; want 404", tt.path, res.StatusCode, body)
			}
			if e := decode[errorJSON](t, body); e.Error == "" {
				t.Errorf("404 without a message: %s", body)
			}
		})
	}
}

func TestHealth(t *testing.T) {
	ts, _ := newTestServer(t, nil)
	res, body := do(t, "GET", ts.URL+"/healthz", "", "")
	if res.StatusCode != 200 || strings.TrimSpace(body) != `{"status":"ok"}` {
		t.Errorf("GET /healthz = %d %s", res.StatusCode, body)
	}
	res, _ = do(t, "DELETE", ts.URL+"/healthz", "", "")
	if res.StatusCode != 405 {
		t.Errorf("DELETE /healthz = %d; want 405", res.StatusCode)
	}
}

func TestUnknownPaths(t *testing.T) {
	ts, _ := newTestServer(t, nil)
	res, body := do(t, "GET", ts.URL+"/api/nope", "", "")
	if res.StatusCode != 404 || decode[errorJSON](t, body).Error == "" {
		t.Errorf("GET /api/nope = %d %s; want a JSON 404", res.StatusCode, body)
	}
	if res, _ := do(t, "GET", ts.URL+"/nope", "", ""); res.StatusCode != 404 {
		t.Errorf("GET /nope = %d; want 404", res.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts, _ := newTestServer(t, nil)
	for _, path := range []string{"/", "/api/sources", "/static/app.js"} {
		res, _ := do(t, "GET", ts.URL+path, "", "")
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET %s: Content-Security-Policy = %q", path, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no X-Content-Type-Options: nosniff", path)
		}
	}
}

// TestAnswerJSONIsTheCLIDocument checks the API body is answer.JSON() byte for byte, as
// `falaj ask --json` prints it, by answering the same question with the engine directly.
func TestAnswerJSONIsTheCLIDocument(t *testing.T) {
	e, _ := seedEngine(t)
	a, err := e.Answer(context.Background(), falaj.Question{Text: "Why is Oman trusted as a mediator?"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(a.JSON())
	ts, _ := newTestServer(t, func(c *Config) {
		c.Answerer = answerFunc(func(context.Context, falaj.Question, func(string)) (falaj.Answer, error) { return a, nil })
	})
	_, body := do(t, "POST", ts.URL+"/api/ask", jsonType, `{"question": "Why is Oman trusted as a mediator?"}`)
	if strings.TrimSpace(body) != string(want) {
		t.Errorf("body\n%s\nwant answer.JSON()\n%s", body, want)
	}
}
