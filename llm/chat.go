package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/falaj-bot/falaj"
	openai "github.com/sashabaranov/go-openai"
)

// Generate asks the chat model to answer q from passages, numbered 1..n in the order
// given, streaming each new piece of text (a delta, not the text so far) to onText when
// it is not nil. The reply is returned whole, unchecked: citation checking is the
// caller's (falaj.CheckCitations).
//
// It fails, with a *falaj.UserError, when no usable reply arrives within Config.Deadline:
// the server is unreachable or refuses (401, 403, 404, 400), keeps answering 429 or 5xx
// after Config.Retries retries, stalls for Config.Timeout, the stream breaks or ends
// without a finish reason, or the reply is empty, malformed, filtered or cut at
// Config.MaxTokens. Deltas already passed to onText are then to be discarded.
func (c *Client) Generate(ctx context.Context, q falaj.Question, passages []falaj.Passage, onText func(string)) (falaj.Generation, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, c.cfg.Deadline, &deadlineError{c.cfg.Deadline})
	defer cancel()
	start := time.Now()

	msgs, err := c.answerMessages(q, passages)
	if err != nil {
		return falaj.Generation{}, fmt.Errorf("generate: %w", err)
	}
	c.cfg.Logger.DebugContext(ctx, "llm prompt", "model", c.cfg.ChatModel, "passages", len(passages), "prompt", render(msgs))

	text, model, err := c.stream(ctx, openai.ChatCompletionRequest{
		Model:       c.cfg.ChatModel,
		Messages:    msgs,
		Temperature: float32(c.cfg.Temperature),
		MaxTokens:   c.cfg.MaxTokens,
	}, onText)
	if err != nil {
		err = c.cfg.failure(ctx, err)
		c.warn(ctx, "llm answer failed", err, start)
		return falaj.Generation{}, err
	}
	c.cfg.Logger.DebugContext(ctx, "llm answered", "model", model, "chars", len(text),
		"took_ms", time.Since(start).Milliseconds())
	return falaj.Generation{Text: text, Model: model}, nil
}

// stream runs one streamed chat completion and returns the whole text and the model
// that the server says wrote it.
func (c *Client) stream(ctx context.Context, req openai.ChatCompletionRequest, onText func(string)) (string, string, error) {
	st, err := c.oa.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return "", "", err
	}
	defer st.Close()
	var (
		b      strings.Builder
		model  = req.Model
		finish openai.FinishReason
		events int
	)
	for {
		chunk, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", "", fmt.Errorf("read stream after %d bytes: %w: %w", b.Len(), ErrStreamBroken, err)
		}
		events++
		if chunk.Model != "" {
			model = chunk.Model
		}
		for _, ch := range chunk.Choices {
			if ch.Index != 0 {
				continue
			}
			if d := ch.Delta.Content; d != "" {
				b.WriteString(d)
				if onText != nil {
					onText(d)
				}
			}
			if ch.FinishReason != "" && ch.FinishReason != openai.FinishReasonNull {
				finish = ch.FinishReason
			}
		}
	}
	if ct := st.Header().Get("Content-Type"); events == 0 && !strings.HasPrefix(ct, "text/event-stream") {
		return "", "", &notStreamError{contentType: ct} // an HTML page, say: not "the stream ended early"
	}
	return checkReply(b.String(), model, finish)
}

// checkReply applies the final checks to a whole reply.
func checkReply(text, model string, finish openai.FinishReason) (string, string, error) {
	switch finish {
	case openai.FinishReasonLength:
		return "", "", ErrTruncated
	case openai.FinishReasonContentFilter:
		return "", "", ErrFiltered
	case "":
		return "", "", ErrStreamEnded
	}
	if strings.TrimSpace(text) == "" {
		return "", "", ErrEmptyReply
	}
	return text, model, nil
}

// Rewrite turns q, a follow-up, and its History into a standalone question for retrieval;
// an Arabic question (q.Lang), with or without history, into a standalone English one
// (rewrite_ar.tmpl), as the corpus is English. Any other question with no history is
// returned as it is, without calling the model. The reply
// is trimmed to its first line, without quotes or a "Question:" label. Errors are as for
// Generate.
func (c *Client) Rewrite(ctx context.Context, q falaj.Question) (string, error) {
	if len(q.History) == 0 && q.Lang != falaj.LangArabic {
		return q.Text, nil
	}
	ctx, cancel := context.WithTimeoutCause(ctx, c.cfg.Deadline, &deadlineError{c.cfg.Deadline})
	defer cancel()
	start := time.Now()

	msgs, err := c.rewriteMessages(q)
	if err != nil {
		return "", fmt.Errorf("rewrite: %w", err)
	}
	c.cfg.Logger.DebugContext(ctx, "llm rewrite prompt", "model", c.cfg.ChatModel, "prompt", render(msgs))
	resp, err := c.oa.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
		Model:       c.cfg.ChatModel,
		Messages:    msgs,
		Temperature: rewriteTemperature,
		MaxTokens:   maxRewriteTokens,
	})
	if err == nil && len(resp.Choices) == 0 {
		err = fmt.Errorf("%w: no choices", ErrMalformedBody)
	}
	var out string
	if err == nil {
		ch := resp.Choices[0]
		_, _, err = checkReply(ch.Message.Content, resp.Model, ch.FinishReason)
		out = standalone(ch.Message.Content)
		if err == nil && out == "" {
			err = ErrEmptyReply
		}
	}
	if err != nil {
		err = c.cfg.failure(ctx, err)
		c.warn(ctx, "llm rewrite failed", err, start)
		return "", err
	}
	c.cfg.Logger.DebugContext(ctx, "llm rewrote", "question", q.Text, "standalone", out,
		"took_ms", time.Since(start).Milliseconds())
	return out, nil
}

// standalone cleans a rewrite reply: the first non-empty line, without a label or quotes,
// at most falaj.MaxQuestionRunes runes.
func standalone(reply string) string {
	for line := range strings.Lines(reply) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		for _, label := range []string{"standalone question:", "rewritten question:", "question:"} {
			if len(line) >= len(label) && strings.EqualFold(line[:len(label)], label) {
				line = strings.TrimSpace(line[len(label):])
			}
		}
		line = strings.Trim(line, "\"'“”‘’`")
		return shorten(line, falaj.MaxQuestionRunes)
	}
	return ""
}

// warn logs a failed call: the reason people see, the status and tries, the cause.
func (c *Client) warn(ctx context.Context, msg string, err error, start time.Time) {
	attrs := []any{"model", c.cfg.ChatModel, "endpoint", c.cfg.endpoint(), "reason", falaj.UserMessage(err),
		"took_ms", time.Since(start).Milliseconds(), "err", err}
	var (
		se *statusError
		ae *attemptError
	)
	if errors.As(err, &se) {
		attrs = append(attrs, "status", se.Status, "attempts", se.Attempts)
	} else if errors.As(err, &ae) {
		attrs = append(attrs, "attempts", ae.Attempts)
	}
	c.cfg.Logger.WarnContext(ctx, msg, attrs...)
}
