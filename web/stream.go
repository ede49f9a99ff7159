package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/falaj-bot/falaj"
)

// keepAlive is how often a stream sends an SSE comment while the answerer is silent, so
// proxies and browsers do not drop a connection waiting on a slow model.
const keepAlive = 15 * time.Second

// handleStream answers GET /api/ask/stream?q=...[&history=<JSON array of turns>] as
// Server-Sent Events:
//
//	event: delta    data: "a piece of text"      (a JSON string; zero or more)
//	event: answer   data: {falaj.AnswerJSON}     (last event on success)
//	event: error    data: {"error": "...", ...}  (last event on failure)
//
// Every data line is one line of JSON, so a text piece with newlines stays one event.
// Bad input is refused with a status code and a JSON body before the stream starts.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) {
	q, err := s.streamQuestion(r)
	if err != nil {
		s.writeFailure(w, r, err)
		return
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		s.log.DebugContext(r.Context(), "stream flush", "err", err)
		return
	}

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	deltas := make(chan string) // unbuffered: every delta is written before the answer
	type result struct {
		a   falaj.Answer
		err error
	}
	done := make(chan result, 1)
	go func() {
		a, err := s.answer(ctx, r, "stream", q, func(text string) {
			select {
			case deltas <- text:
			case <-ctx.Done():
			}
		})
		done <- result{a, err}
	}()

	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	gone := false // the client stopped reading: keep draining until the answerer returns
	send := func(event string, v any) {
		if gone {
			return
		}
		if err := writeEvent(w, event, v); err != nil || rc.Flush() != nil {
			gone = true
			cancel()
		}
	}
	for {
		select {
		case text := <-deltas:
			send("delta", text)
		case <-tick.C:
			if !gone {
				if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
					gone = true
					cancel()
				}
			}
		case res := <-done:
			if res.err != nil {
				_, body := s.failure(r, res.err)
				send("error", body)
				return
			}
			send("answer", res.a.JSON())
			return
		}
	}
}

// streamQuestion reads the question of a stream request from its query string.
func (s *Server) streamQuestion(r *http.Request) (falaj.Question, error) {
	var history []falaj.Turn
	if h := r.URL.Query().Get("history"); h != "" {
		if err := json.Unmarshal([]byte(h), &history); err != nil {
			return falaj.Question{}, &statusError{http.StatusBadRequest, falaj.Userf(err,
				`The history parameter must be a JSON array like [{"question": "...", "answer": "..."}]: %s.`, describeJSONError(err))}
		}
	}
	return s.checkQuestion(r.URL.Query().Get("q"), history)
}

// writeEvent writes one event whose data is v as one line of JSON.
func writeEvent(w io.Writer, event string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("marshal %s event: %w", event, err)
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b)
	return err
}
