package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/falaj-bot/falaj"
	openai "github.com/sashabaranov/go-openai"
)

// Errors for replies that arrived but cannot be used. They are wrapped in a
// *falaj.UserError; match them with errors.Is.
var (
	ErrEmptyReply    = errors.New("llm: empty reply")
	ErrTruncated     = errors.New("llm: reply cut at the token limit")
	ErrFiltered      = errors.New("llm: reply stopped by the content filter")
	ErrStreamEnded   = errors.New("llm: stream ended before a finish reason")
	ErrStreamBroken  = errors.New("llm: stream broke off")
	ErrMalformedBody = errors.New("llm: malformed reply")
	// ErrNotEventStream: a streamed request got a reply with no event at all, such as a
	// proxy's HTML page with status 200, or a server that ignores "stream".
	ErrNotEventStream = errors.New("llm: reply is not an event stream")
	// ErrContextTooSmall: the prompt does not fit Config.ContextTokens even with one passage.
	ErrContextTooSmall = errors.New("llm: prompt larger than the context window")
	// ErrOnlyReasoning: the reply held reasoning (<think>) and no answer.
	ErrOnlyReasoning = errors.New("llm: reply held only reasoning")
	// ErrNotAQuestion: a follow-up rewrite that is not a standalone question.
	// It wraps falaj.ErrBadRewrite, so the Engine still asks the model for the answer.
	ErrNotAQuestion = fmt.Errorf("llm: %w", falaj.ErrBadRewrite)
)

// notStreamError is ErrNotEventStream with the reply's Content-Type.
type notStreamError struct{ contentType string }

func (e *notStreamError) Error() string {
	return fmt.Sprintf("%v (Content-Type %q)", ErrNotEventStream, e.contentType)
}
func (e *notStreamError) Is(target error) bool { return target == ErrNotEventStream }

// deadlineError is the cause of a call that ran out of Config.Deadline.
type deadlineError struct{ d time.Duration }

func (e *deadlineError) Error() string { return "no usable reply within " + human(e.d) }

// failure turns an error of a chat or embeddings call into a *falaj.UserError whose Msg is
// a short phrase for "LLM unavailable: <Msg>", wrapping err. ctx is the call's context:
// its cause, when it is done, explains the failure better than the HTTP error.
func (c Config) failure(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		cause := context.Cause(ctx)
		if de := new(deadlineError); errors.As(cause, &de) {
			return &falaj.UserError{Msg: "the model did not answer within " + human(de.d), Err: fmt.Errorf("%w: %w", cause, err)}
		}
		if errors.Is(cause, context.DeadlineExceeded) {
			return &falaj.UserError{Msg: "the model did not answer in time", Err: fmt.Errorf("%w: %w", cause, err)}
		}
		return &falaj.UserError{Msg: "the question was cancelled", Err: fmt.Errorf("%w: %w", cause, err)}
	}
	return &falaj.UserError{Msg: c.reason(err), Err: err}
}

// reason is the short phrase for err.
func (c Config) reason(err error) string {
	var (
		se  *statusError
		ae  *attemptError
		te  *timeoutError
		api *openai.APIError
		req *openai.RequestError
		ns  *notStreamError
	)
	switch {
	case errors.As(err, &se):
		return statusReason(se.Status, se.Attempts, c.ChatModel)
	case errors.As(err, &te):
		if errors.As(err, &ae) && ae.Attempts > 1 {
			return fmt.Sprintf("the model did not answer within %s (%s)", human(te.d), tries(ae.Attempts))
		}
		return "the model did not answer within " + human(te.d)
	case errors.As(err, &ae):
		return fmt.Sprintf("could not reach %s (%s)", c.endpoint(), tries(ae.Attempts))
	case errors.As(err, &api) && api.HTTPStatusCode > 0:
		return statusReason(api.HTTPStatusCode, 1, c.ChatModel)
	case errors.As(err, &req) && req.HTTPStatusCode > 0:
		return statusReason(req.HTTPStatusCode, 1, c.ChatModel)
	case errors.As(err, &api):
		return "the server reported an error mid-reply"
	case errors.Is(err, ErrMalformedBody), errors.Is(err, openai.ErrTooManyEmptyStreamMessages),
		errors.As(err, new(*json.SyntaxError)), errors.As(err, new(*json.UnmarshalTypeError)):
		return "the reply was malformed"
	case errors.Is(err, ErrEmptyReply):
		return "the model returned an empty reply"
	case errors.Is(err, ErrNotAQuestion):
		return "the model's rewrite of the follow-up was not a question"
	case errors.Is(err, ErrContextTooSmall):
		return "the prompt does not fit the model's context (FALAJ_CONTEXT_TOKENS)"
	case errors.Is(err, ErrOnlyReasoning):
		return "the model returned only its reasoning, no answer"
	case errors.Is(err, ErrTruncated):
		return "the reply was cut at the token limit"
	case errors.Is(err, ErrFiltered):
		return "the reply was stopped by the content filter"
	case errors.As(err, &ns):
		kind := "untyped"
		if mt, _, perr := mime.ParseMediaType(ns.contentType); perr == nil {
			kind = mt
		}
		return fmt.Sprintf("the server did not answer as an OpenAI-compatible API (its reply was %s, not an event stream); "+
			"check OPENAI_BASE_URL, which usually ends in /v1", kind)
	case errors.Is(err, ErrStreamEnded):
		return "the reply stream ended early"
	case errors.Is(err, ErrStreamBroken):
		return "the reply stream broke off"
	case errors.Is(err, io.ErrUnexpectedEOF): // a JSON body cut short
		return "the reply was malformed"
	case errors.Is(err, openai.ErrReasoningModelMaxTokensDeprecated), errors.Is(err, openai.ErrO1MaxTokensDeprecated),
		errors.Is(err, openai.ErrReasoningModelLimitationsOther), errors.Is(err, openai.ErrReasoningSamplingUnsupported):
		return fmt.Sprintf("%s is a reasoning model and the request did not suit it; set FALAJ_REASONING=on", c.ChatModel)
	default:
		return "the reply could not be read"
	}
}

// statusReason is the phrase for an HTTP error status.
func statusReason(status, attempts int, model string) string {
	switch {
	case status == http.StatusUnauthorized:
		return "the API key was rejected (401)"
	case status == http.StatusForbidden:
		return "access was refused (403)"
	case status == http.StatusNotFound:
		return fmt.Sprintf("the model %s or the endpoint was not found (404)", model)
	case status == http.StatusTooManyRequests:
		return "rate limited (429) after " + tries(attempts)
	case status >= 500:
		return fmt.Sprintf("the server failed (%d) after %s", status, tries(attempts))
	default:
		return fmt.Sprintf("the server refused the request (%d)", status)
	}
}

// human writes d as people do: "30s", "90s", "1.5s", "200ms".
func human(d time.Duration) string {
	if d >= time.Second && d%(100*time.Millisecond) == 0 {
		return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
	}
	return d.String()
}
