package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/internal/falajtest"
)

// The web tests run the real falaj.Engine (engine_test.go). The answerers below are the
// only doubles: each forces something the real engine cannot be made to do on demand —
// fail, stream several pieces (only an LLM does), or block until released.

// answerFunc adapts a function to falaj.Answerer, for failure injection only.
type answerFunc func(ctx context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error)

func (f answerFunc) Answer(ctx context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error) {
	return f(ctx, q, onText)
}

// failWith returns an answerer that fails with err.
func failWith(err error) falaj.Answerer {
	return answerFunc(func(context.Context, falaj.Question, func(string)) (falaj.Answer, error) {
		return falaj.Answer{}, err
	})
}

// blocker is an answerer that reports each call on started, then waits for release
// (answering "released") or for its context to end, and reports how it ended on ended.
type blocker struct {
	started chan struct{}
	release chan struct{}
	ended   chan error // nil when released, else the context's error
}

func newBlocker() *blocker {
	return &blocker{started: make(chan struct{}, 16), release: make(chan struct{}), ended: make(chan error, 16)}
}

func (b *blocker) Answer(ctx context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error) {
	b.started <- struct{}{}
	select {
	case <-b.release:
		b.ended <- nil
		return falaj.Answer{ID: "released", Question: q.Text, Text: "released", Answered: true, Answerer: falaj.AnswererExtractive}, nil
	case <-ctx.Done():
		b.ended <- ctx.Err()
		return falaj.Answer{}, context.Cause(ctx)
	}
}

// testLogger logs at Debug into a buffer that is printed when the test fails.
func testLogger(t testing.TB) *slog.Logger {
	log, buf := bufLogger()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", buf)
		}
	})
	return log
}

func bufLogger() (*slog.Logger, *falajtest.LogBuffer) {
	buf := &falajtest.LogBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// do sends a request and returns the response with its body read.
func do(t *testing.T, method, url, contentType, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// decode unmarshals a JSON body into a T, failing the test when it is not one.
func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %T from %q: %v", v, body, err)
	}
	return v
}
