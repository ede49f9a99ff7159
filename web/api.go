package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/falaj-bot/falaj"
)

// maxHistoryTurns is the most earlier turns a question may carry. The Engine uses only the
// last falaj.MaxHistoryTurns; a client may send a few more, but many more is a client
// bug or abuse.
const maxHistoryTurns = 3 * falaj.MaxHistoryTurns

// askRequest is the body of POST /api/ask.
type askRequest struct {
	Question string       `json:"question"`
	History  []falaj.Turn `json:"history"`
}

// SourceJSON is the wire form of a falaj.Source in GET /api/sources.
type SourceJSON struct {
	Doc      string `json:"doc"`
	Title    string `json:"title"`
	Author   string `json:"author"`
	Outlet   string `json:"outlet,omitempty"`
	Date     string `json:"date,omitempty"`
	Passages int    `json:"passages"`
}

// PassageJSON is the wire form of a falaj.Passage in GET /api/passages/{id}.
type PassageJSON struct {
	ID      string `json:"id"`
	Doc     string `json:"doc"`
	Title   string `json:"title"`
	Author  string `json:"author"`
	Outlet  string `json:"outlet,omitempty"`
	Date    string `json:"date,omitempty"`
	Passage int    `json:"passage"` // ordinal within the document, 1-based
	Text    string `json:"text"`
}

// errorJSON is the body of every error response and of the stream's "error" event.
type errorJSON struct {
	Error   string `json:"error"`              // a sentence for people
	ErrorID string `json:"error_id,omitempty"` // for 5xx: find the cause in the log
}

func (s *Server) handleAsk(w http.ResponseWriter, r *http.Request) {
	q, err := s.decodeAsk(w, r)
	if err != nil {
		s.writeFailure(w, r, err)
		return
	}
	a, err := s.answer(r.Context(), r, "api", q, nil)
	if err != nil {
		s.writeFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.JSON())
}

// decodeAsk reads and checks the body of POST /api/ask.
func (s *Server) decodeAsk(w http.ResponseWriter, r *http.Request) (falaj.Question, error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var req askRequest
	err := dec.Decode(&req)
	if err == nil && dec.More() {
		err = errors.New("data after the JSON object")
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return falaj.Question{}, &statusError{http.StatusRequestEntityTooLarge, falaj.Userf(err,
				"The request body is larger than %d bytes; send a shorter question and history.", tooBig.Limit)}
		}
		return falaj.Question{}, &statusError{http.StatusBadRequest, falaj.Userf(err,
			`The request body must be one JSON object like {"question": "Why is Oman trusted as a mediator?"}: %s.`, describeJSONError(err))}
	}
	return s.checkQuestion(req.Question, req.History)
}

// describeJSONError says what is wrong with a request body in words for people.
func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "the body is empty"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends too early"
	case errors.As(err, &syntax):
		return fmt.Sprintf("invalid JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("%q must be %s, not %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.As(err, &typ):
		return "got " + typ.Value + ", not " + jsonKind(typ.Type.Kind().String())
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// jsonKind names a Go kind as JSON does.
func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "struct":
		return "an object"
	}
	return k
}

// checkQuestion cleans a question and its history.
func (s *Server) checkQuestion(text string, history []falaj.Turn) (falaj.Question, error) {
	text, err := falaj.CleanQuestion(text)
	if err != nil {
		return falaj.Question{}, &statusError{http.StatusBadRequest, err}
	}
	if len(history) > maxHistoryTurns {
		return falaj.Question{}, &statusError{http.StatusBadRequest, falaj.Userf(nil,
			"The history has %d turns; the limit is %d. Send only the latest turns.", len(history), maxHistoryTurns)}
	}
	return falaj.Question{Text: text, History: history}, nil
}

// answer runs the Answerer under Config.AnswerTimeout.
func (s *Server) answer(ctx context.Context, r *http.Request, via string, q falaj.Question, onText func(string)) (falaj.Answer, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.AnswerTimeout)
	defer cancel()
	start := time.Now()
	s.log.DebugContext(ctx, "question", "via", via, "client", clientIP(r), "question", q.Text, "history", len(q.History))
	a, err := s.cfg.Answerer.Answer(ctx, q, onText)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && !falaj.IsUserError(err) {
			err = falaj.Userf(err, "No answer within %s. Please try again; if it keeps happening, the language model may be overloaded.", s.cfg.AnswerTimeout)
		}
		return falaj.Answer{}, fmt.Errorf("answer (%s): %w", via, err) // the question is logged at Debug only
	}
	// The Engine logs the one Info line per answer; this adds who asked and how, at Debug.
	s.log.DebugContext(ctx, "served", "via", via, "answer_id", a.ID, "client", clientIP(r),
		"took_ms", time.Since(start).Milliseconds())
	return a, nil
}

func (s *Server) handleSources(w http.ResponseWriter, r *http.Request) {
	out := struct {
		Sources []SourceJSON `json:"sources"`
	}{Sources: []SourceJSON{}}
	if s.cfg.Catalog != nil {
		srcs, err := s.cfg.Catalog.Sources(r.Context())
		if err != nil {
			s.writeFailure(w, r, fmt.Errorf("list sources: %w", err))
			return
		}
		for _, src := range srcs {
			out.Sources = append(out.Sources, SourceJSON{
				Doc: src.Doc, Title: src.Title, Author: src.Author,
				Outlet: src.Outlet, Date: src.Date, Passages: src.Passages,
			})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handlePassage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	p, err := falaj.Passage{}, error(falaj.ErrNotFound)
	if s.cfg.Catalog != nil {
		p, err = s.cfg.Catalog.Passage(r.Context(), id)
	}
	if errors.Is(err, falaj.ErrNotFound) {
		s.writeFailure(w, r, &statusError{http.StatusNotFound, falaj.Userf(err,
			"There is no passage %q. Passage ids look like \"<doc>#<n>\", with # sent as %%23.", id)})
		return
	}
	if err != nil {
		s.writeFailure(w, r, fmt.Errorf("look up passage %q: %w", id, err))
		return
	}
	writeJSON(w, http.StatusOK, PassageJSON{
		ID: p.ID, Doc: p.Doc, Title: p.Title, Author: p.Author, Outlet: p.Outlet,
		Date: p.Date, Passage: p.Ordinal, Text: p.Text,
	})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// statusError carries the HTTP status chosen where the error is known; 0 lets failure
// pick one from the cause.
type statusError struct {
	status int
	err    error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// failure turns err into a status and the body people see, and logs it: bad input at
// Debug, known conditions at Warn, anything else at Error under a fresh error id, which
// the body carries so the operator can find the cause.
func (s *Server) failure(r *http.Request, err error) (int, errorJSON) {
	ctx := r.Context()
	status := 0
	var se *statusError
	if errors.As(err, &se) {
		status = se.status
	}
	switch {
	case status != 0:
	case errors.Is(err, falaj.ErrEmptyQuestion), errors.Is(err, falaj.ErrQuestionTooLong):
		status = http.StatusBadRequest
	case errors.Is(err, falaj.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, context.DeadlineExceeded):
		status = http.StatusGatewayTimeout
	case ctx.Err() != nil:
		status = 499 // the client went away; nobody reads the body
	case falaj.IsUserError(err):
		status = http.StatusServiceUnavailable
	default:
		status = http.StatusInternalServerError
	}
	body := errorJSON{Error: falaj.UserMessage(err)}
	switch {
	case status < 500:
		s.log.DebugContext(ctx, "request refused", "path", r.URL.Path, "status", status, "err", err)
	case falaj.IsUserError(err):
		s.log.WarnContext(ctx, "no answer", "path", r.URL.Path, "status", status, "err", err)
	default:
		body.ErrorID = newErrorID()
		s.log.ErrorContext(ctx, "internal error", "path", r.URL.Path, "status", status, "error_id", body.ErrorID, "err", err)
	}
	return status, body
}

// writeFailure answers err as JSON; see failure.
func (s *Server) writeFailure(w http.ResponseWriter, r *http.Request, err error) {
	status, body := s.failure(r, err)
	writeJSON(w, status, body)
}

// writeError answers a sentence for people as JSON.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorJSON{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // only our own types go here; they always marshal
		panic(fmt.Sprintf("web: marshal %T: %v", v, err))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// isAPI reports whether r expects JSON rather than a page.
func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/healthz"
}

func newErrorID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}
