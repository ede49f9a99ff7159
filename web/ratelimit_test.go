package web

import (
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestLimiter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(1, 2, 100) // 1 per second, 2 at once
		check := func(want bool, wantWait time.Duration) {
			t.Helper()
			ok, wait := l.allow("a", time.Now())
			if ok != want || wait != wantWait {
				t.Errorf("allow = %v, %v; want %v, %v", ok, wait, want, wantWait)
			}
		}
		check(true, 0)
		check(true, 0)
		check(false, time.Second)
		if ok, _ := l.allow("b", time.Now()); !ok {
			t.Errorf("another client was limited too")
		}
		time.Sleep(500 * time.Millisecond)
		check(false, 500*time.Millisecond)
		time.Sleep(500 * time.Millisecond)
		check(true, 0)
		time.Sleep(time.Hour) // the bucket holds no more than the burst
		check(true, 0)
		check(true, 0)
		check(false, time.Second)
	})
}

func TestLimiterStaysBounded(t *testing.T) {
	start := time.Now()
	l := newLimiter(1, 2, 3)
	l.allow("old", start)
	l.allow("b", start.Add(5*time.Second))
	l.allow("c", start.Add(5*time.Second))
	// "old" has refilled by now, so it goes first and the others keep their state.
	l.allow("d", start.Add(5*time.Second))
	if n := l.len(); n != 3 {
		t.Fatalf("tracking %d clients; want 3", n)
	}
	if _, ok := l.buckets["old"]; ok {
		t.Errorf("the refilled bucket was kept; %v", l.buckets)
	}
	for i := range 100 {
		l.allow(strings.Repeat("x", i+1), start.Add(5*time.Second))
		if n := l.len(); n > 3 {
			t.Fatalf("tracking %d clients; want at most 3", n)
		}
	}
}

func TestRateLimit(t *testing.T) {
	ts, _ := newTestServer(t, func(c *Config) { c.Rate, c.Burst = 0.001, 2 })
	ask := func() *http.Response {
		res, _ := do(t, "POST", ts.URL+"/api/ask", jsonType, `{"question": "Why is Oman trusted?"}`)
		return res
	}
	if res := ask(); res.StatusCode != 200 {
		t.Fatalf("first question: %d", res.StatusCode)
	}
	if res, _ := do(t, "GET", ts.URL+"/?q=why", "", ""); res.StatusCode != 200 {
		t.Fatalf("second question (form): %d", res.StatusCode)
	}
	for _, path := range []string{"/api/ask", "/api/ask/stream?q=why", "/?q=why", "/ask"} {
		method := "GET"
		if path == "/api/ask" || path == "/ask" {
			method = "POST"
		}
		res, body := do(t, method, ts.URL+path, "application/x-www-form-urlencoded", `q=why`)
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "1000" {
			t.Errorf("%s %s = %d Retry-After %q; want 429 Retry-After 1000", method, path, res.StatusCode, res.Header.Get("Retry-After"))
		}
		if !strings.Contains(body, "Too many questions from your address; please wait 1000 s") {
			t.Errorf("%s %s: body lacks the message: %.200s", method, path, body)
		}
	}
	for _, path := range []string{"/", "/api/sources", "/healthz", "/static/app.js"} {
		if res, _ := do(t, "GET", ts.URL+path, "", ""); res.StatusCode != 200 {
			t.Errorf("GET %s = %d after the limit; only questions are limited", path, res.StatusCode)
		}
	}
}
