package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/falaj-bot/falaj"
	openai "github.com/sashabaranov/go-openai"
)

// Generate asks the chat model to answer q from passages, numbered 1..n in the order
// given, streaming each new piece of text (a delta, not the text so far) to onText when
// it is not nil. The reply goes through a Reply normalizer first: reasoning blocks are
// removed (never streamed) and citation styles become [n]. The normalized reply is
// returned whole, unchecked: citation checking is the caller's (falaj.CheckReply). The
// prompt is fitted into Config.ContextTokens: the last passages are left out when they do
// not fit (a Warn log line says so), and the model cites only those it was given. At most
// falaj.MaxReplyBytes of answer are read: past it the stream is closed and the text so
// far returned (the check then cuts it after its last complete sentence).
//
// It fails, with a *falaj.UserError, when no usable reply arrives within Config.Deadline:
// the server is unreachable or refuses (401, 403, 404, 400), keeps answering 429 or 5xx
// after Config.Retries retries, stalls for Config.Timeout, the stream breaks or ends
// without a finish reason, or the reply is empty, only reasoning, malformed, filtered or
// cut at Config.MaxTokens. Deltas already passed to onText are then to be discarded.
func (c *Client) Generate(ctx context.Context, q falaj.Question, passages []falaj.Passage, onText func(string)) (falaj.Generation, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, c.cfg.Deadline, &deadlineError{c.cfg.Deadline})
	defer cancel()
	start := time.Now()

	msgs, kept, err := c.answerMessages(q, passages)
	if err != nil {
		err = c.cfg.failure(ctx, fmt.Errorf("generate: %w", err))
		c.warn(ctx, "llm answer failed", err, start)
		return falaj.Generation{}, err
	}
	if kept < len(passages) {
		c.cfg.Logger.WarnContext(ctx, "passages left out of the prompt to fit the model's context",
			"model", c.cfg.ChatModel, "context_tokens", c.cfg.ContextTokens, "max_tokens", c.cfg.MaxTokens,
			"passages", len(passages), "sent", kept, "hint", "raise FALAJ_CONTEXT_TOKENS if the server allows more")
	}
	c.cfg.Logger.DebugContext(ctx, "llm prompt", "model", c.cfg.ChatModel, "passages", kept, "prompt", render(msgs))

	text, model, err := c.stream(ctx, c.request(msgs, c.cfg.MaxTokens, *c.cfg.Temperature), onText)
	if err != nil {
		err = c.cfg.failure(ctx, err)
		c.warn(ctx, "llm answer failed", err, start)
		return falaj.Generation{}, err
	}
	c.cfg.Logger.DebugContext(ctx, "llm answered", "model", model, "chars", len(text),
		"took_ms", time.Since(start).Milliseconds())
	return falaj.Generation{Text: text, Model: model}, nil
}

// request builds a chat completion request for the configured model: the token cap in
// the field the model reads, and no temperature for OpenAI's reasoning models.
func (c *Client) request(msgs []openai.ChatCompletionMessage, maxTokens int, temperature float64) openai.ChatCompletionRequest {
	req := openai.ChatCompletionRequest{Model: c.cfg.ChatModel, Messages: msgs}
	if c.cfg.tokenParam() == "max_completion_tokens" {
		req.MaxCompletionTokens = maxTokens
	} else {
		req.MaxTokens = maxTokens
	}
	if c.cfg.reasoning() != "api" {
		req.Temperature = float32(temperature) // 0 is added by the transport (omitempty)
	}
	return req
}

// stream runs one streamed chat completion and returns the whole normalized text and the
// model that the server says wrote it.
func (c *Client) stream(ctx context.Context, req openai.ChatCompletionRequest, onText func(string)) (string, string, error) {
	st, err := c.oa.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return "", "", err
	}
	defer st.Close()
	var (
		reply  = c.cfg.newModelReply(onText)
		model  = req.Model
		finish openai.FinishReason
		events int
	)
	for {
		if reply.Len() > falaj.MaxReplyBytes || reply.raw > maxRawReplyBytes {
			finish = openai.FinishReasonStop // long enough: stop reading, the caller cuts it
			break
		}
		chunk, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", "", fmt.Errorf("read stream after %d bytes: %w: %w", reply.raw, ErrStreamBroken, err)
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
				reply.Write(d)
			}
			if ch.FinishReason != "" && ch.FinishReason != openai.FinishReasonNull {
				finish = ch.FinishReason
			}
		}
	}
	if ct := st.Header().Get("Content-Type"); events == 0 && !strings.HasPrefix(ct, "text/event-stream") {
		return "", "", &notStreamError{contentType: ct} // an HTML page, say: not "the stream ended early"
	}
	reply.Close()
	return checkReply(reply, model, finish)
}

// maxRawReplyBytes bounds what is read of a reply, reasoning included.
const maxRawReplyBytes = 16 * falaj.MaxReplyBytes

// checkReply applies the final checks to a whole reply.
func checkReply(r *Reply, model string, finish openai.FinishReason) (string, string, error) {
	switch finish {
	case openai.FinishReasonLength:
		return "", "", ErrTruncated
	case openai.FinishReasonContentFilter:
		return "", "", ErrFiltered
	case "":
		return "", "", ErrStreamEnded
	}
	text := r.Text()
	switch {
	case text == "" && r.think > 0:
		return "", "", ErrOnlyReasoning
	case text == "":
		return "", "", ErrEmptyReply
	}
	return text, model, nil
}

// Rewrite turns q, a follow-up, and its History into a standalone question for retrieval;
// an Arabic question (q.Lang), with or without history, into a standalone English one
// (rewrite_ar.tmpl), as the corpus is English. Any other question with no history is
// returned as it is, without calling the model. The reply
// is normalized (reasoning removed), then the standalone question is taken from it (see
// standalone): the last question-like line, without preambles, labels or quotes. A reply
// with no such line, or longer than maxRewriteFactor times the follow-up and the previous
// question together, is an error (ErrNotAQuestion): the caller then searches with the
// history instead. Other errors are as for Generate.
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
	budget := maxRewriteTokens
	if c.cfg.reasoning() != "" {
		budget = c.cfg.MaxTokens // its reasoning counts against the cap
	}
	resp, err := c.oa.CreateChatCompletion(ctx, c.request(msgs, budget, rewriteTemperature))
	if err == nil && len(resp.Choices) == 0 {
		err = fmt.Errorf("%w: no choices", ErrMalformedBody)
	}
	var out string
	if err == nil {
		ch := resp.Choices[0]
		r := c.cfg.newModelReply(nil)
		r.Write(ch.Message.Content)
		r.Close()
		_, _, err = checkReply(r, resp.Model, ch.FinishReason)
		if err == nil {
			prev := ""
			if len(q.History) > 0 {
				prev = q.History[len(q.History)-1].Question
			}
			out, err = standalone(r.Text(), q.Text, prev)
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

// maxRewriteFactor bounds a rewrite's length: a standalone question restates the
// follow-up with what it refers to, so one much longer than the follow-up and the
// previous question together is an answer or an explanation, not a question.
const maxRewriteFactor = 2

// rewriteLabelRE matches a preamble or label before a rewritten question: "Standalone
// question:", "Here is the rewritten question:", "Rewritten:", "Sure!".
var (
	rewriteLabelRE = regexp.MustCompile(`(?i)^(?:(?:sure|okay|ok|certainly)[!.,]?\s*)?(?:here(?:'s| is) (?:the |a |your )?)?(?:(?:standalone|rewritten|reformulated|new|full|final)\s*)?(?:question|rewrite|version)?\s*[:：]\s*`)
	// questionWordRE matches the start of a question without a question mark.
	questionWordRE = regexp.MustCompile(`(?i)^(?:who|whom|whose|what|when|where|which|why|how|is|are|was|were|do|does|did|can|could|should|would|will|has|have|had|list|name|describe|explain|tell me)\b`)
)

// standalone takes the standalone question out of a rewrite reply: the last line that is
// a question (ends with ? or ؟, or starts with a question word), without a preamble,
// a label, list marks or quotes, at most falaj.MaxQuestionRunes runes. A reply whose
// lines are all preambles or statements, or whose question is longer than
// maxRewriteFactor times followUp and prev together, is ErrNotAQuestion.
func standalone(reply, followUp, prev string) (string, error) {
	var best string
	for line := range strings.Lines(reply) {
		line = strings.TrimSpace(line)
		line = strings.TrimLeft(line, "-*•>#0123456789. ")
		line = rewriteLabelRE.ReplaceAllString(line, "")
		line = strings.TrimSpace(strings.Trim(line, "\"'“”‘’`*_ "))
		if line == "" || strings.HasSuffix(line, ":") {
			continue
		}
		if strings.HasSuffix(line, "?") || strings.HasSuffix(line, "؟") || strings.HasSuffix(line, "？") || questionWordRE.MatchString(line) {
			best = line
		}
	}
	if best == "" {
		return "", fmt.Errorf("%w: %q", ErrNotAQuestion, shorten(reply, 200))
	}
	if limit := maxRewriteFactor * utf8.RuneCountInString(followUp+" "+prev); utf8.RuneCountInString(best) > max(limit, 80) {
		return "", fmt.Errorf("%w: %d runes for %d of input: %q", ErrNotAQuestion, utf8.RuneCountInString(best), limit/maxRewriteFactor, shorten(best, 200))
	}
	return shorten(best, falaj.MaxQuestionRunes), nil
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
