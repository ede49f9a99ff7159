package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Backoff bounds. The n-th retry waits about baseBackoff·2^(n-1), with jitter, at most
// maxBackoff; a server's Retry-After is honoured up to maxRetryAfter.
const (
	baseBackoff   = 500 * time.Millisecond
	maxBackoff    = 8 * time.Second
	maxRetryAfter = 30 * time.Second
	maxErrorBody  = 64 << 10
)

// transport is the go-openai HTTPDoer: it adds a per-attempt timeout and retries to an
// *http.Client. Its errors carry the attempt count: *statusError for an HTTP status it
// will not retry (any more), *attemptError for a request that got no response.
type transport struct {
	client  *http.Client
	timeout time.Duration
	retries int
	log     *slog.Logger
	// zeroTemperature adds "temperature":0 to chat requests that have no temperature:
	// go-openai omits a zero one, and servers then use their own default (about 0.8).
	zeroTemperature bool
}

// statusError is an HTTP error response, after attempts tries.
type statusError struct {
	Status   int
	Message  string // the API's error message, or the start of the body
	Attempts int
}

func (e *statusError) Error() string {
	msg := fmt.Sprintf("http %d after %s", e.Status, tries(e.Attempts))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// attemptError is a request that got no response (connection refused, timeout), after
// attempts tries.
type attemptError struct {
	Err      error
	Attempts int
}

func (e *attemptError) Error() string { return fmt.Sprintf("%v (after %s)", e.Err, tries(e.Attempts)) }

// tries is "1 try" or "n tries".
func tries(n int) string {
	if n == 1 {
		return "1 try"
	}
	return strconv.Itoa(n) + " tries"
}
func (e *attemptError) Unwrap() error { return e.Err }

// timeoutError is the cause of an attempt cancelled because the server stayed silent.
type timeoutError struct{ d time.Duration }

func (e *timeoutError) Error() string { return "no response for " + human(e.d) }

// Do sends req, retrying as the package doc describes. A returned response has status
// 2xx or 3xx; its body keeps the attempt's timer running until it is closed.
func (t *transport) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if t.zeroTemperature && strings.HasSuffix(req.URL.Path, "/chat/completions") {
		var err error
		if req, err = withZeroTemperature(req); err != nil {
			return nil, err
		}
	}
	for attempt := 1; ; attempt++ {
		resp, stop, err := t.try(req, attempt)
		if err == nil && resp.StatusCode < 400 {
			return resp, nil
		}
		var (
			wait    time.Duration
			retry   bool
			failure error
		)
		if err != nil {
			stop()
			retry = ctx.Err() == nil // the attempt failed, not the caller
			failure = &attemptError{Err: err, Attempts: attempt}
		} else {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
			resp.Body.Close()
			stop()
			retry = resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
			wait = retryAfter(resp.Header, time.Now())
			failure = &statusError{Status: resp.StatusCode, Message: errorMessage(body), Attempts: attempt}
		}
		if !retry || attempt > t.retries {
			return nil, failure
		}
		if wait == 0 {
			wait = backoff(attempt)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, failure // waiting would outlast the deadline
		}
		wait = min(wait, maxRetryAfter)
		t.log.DebugContext(ctx, "llm retry", "url", req.URL.Redacted(), "attempt", attempt,
			"wait_ms", wait.Milliseconds(), "err", failure)
		select {
		case <-ctx.Done():
			return nil, &attemptError{Err: context.Cause(ctx), Attempts: attempt}
		case <-time.After(wait):
		}
	}
}

// try sends one attempt of req with its own silence timer. stop releases the attempt; the
// returned body calls it on Close.
func (t *transport) try(req *http.Request, attempt int) (*http.Response, func(), error) {
	actx, cancel := context.WithCancelCause(req.Context())
	timer := time.AfterFunc(t.timeout, func() { cancel(&timeoutError{t.timeout}) })
	var once sync.Once
	stop := func() {
		once.Do(func() {
			timer.Stop()
			cancel(nil)
		})
	}
	r := req.Clone(actx)
	if attempt > 1 && req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			stop()
			return nil, stop, fmt.Errorf("rewind request body: %w", err)
		}
		r.Body = body
	}
	resp, err := t.client.Do(r)
	if err != nil {
		if c := context.Cause(actx); errors.As(c, new(*timeoutError)) {
			err = c
		}
		stop()
		return nil, stop, err
	}
	resp.Body = &timedBody{rc: resp.Body, ctx: actx, timer: timer, d: t.timeout, stop: stop}
	return resp, stop, nil
}

// timedBody restarts the attempt's silence timer on every read and reports its expiry as
// a *timeoutError rather than "context canceled".
type timedBody struct {
	rc    io.ReadCloser
	ctx   context.Context
	timer *time.Timer
	d     time.Duration
	stop  func()
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.timer.Reset(b.d)
	}
	if err != nil && err != io.EOF {
		if c := context.Cause(b.ctx); errors.As(c, new(*timeoutError)) {
			err = c
		}
	}
	return n, err
}

func (b *timedBody) Close() error {
	err := b.rc.Close()
	b.stop()
	return err
}

// backoff is the wait before retry n (1-based) when the server gave no Retry-After:
// baseBackoff·2^(n-1), capped at maxBackoff, of which the upper half is random.
func backoff(n int) time.Duration {
	d := min(baseBackoff<<min(n-1, 16), maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads retry-after-ms or Retry-After (seconds or an HTTP date) from h.
// 0: none given. The caller caps it at maxRetryAfter.
func retryAfter(h http.Header, now time.Time) time.Duration {
	var d time.Duration
	if ms, err := strconv.ParseFloat(h.Get("Retry-After-Ms"), 64); err == nil && ms > 0 {
		d = time.Duration(ms * float64(time.Millisecond))
	} else if v := strings.TrimSpace(h.Get("Retry-After")); v == "" {
		return 0
	} else if s, err := strconv.ParseFloat(v, 64); err == nil {
		d = time.Duration(s * float64(time.Second))
	} else if at, err := http.ParseTime(v); err == nil {
		d = at.Sub(now)
	}
	return max(d, 0)
}

// errorMessage extracts {"error":{"message":…}} from an error body, or its start.
func errorMessage(body []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error.Message != "" {
		return truncate(e.Error.Message, 200)
	}
	var s struct {
		Error string `json:"error"` // Ollama: {"error":"model \"x\" not found"}
	}
	if json.Unmarshal(body, &s) == nil && s.Error != "" {
		return truncate(s.Error, 200)
	}
	return truncate(string(bytes.TrimSpace(body)), 200)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// withZeroTemperature returns req with "temperature":0 in its JSON body when the body has
// no temperature.
func withZeroTemperature(req *http.Request) (*http.Request, error) {
	if req.Body == nil {
		return req, nil
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(b, &fields) == nil {
		if _, ok := fields["temperature"]; !ok {
			fields["temperature"] = json.RawMessage("0")
			if nb, err := json.Marshal(fields); err == nil {
				b = nb
			}
		}
	}
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	r.ContentLength = int64(len(b))
	return r, nil
}
