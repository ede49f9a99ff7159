package falaj

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/falaj-bot/falaj/prompts"
)

// Searcher finds the passages that best match a query. *retrieval.Index implements it.
type Searcher interface {
	// Search returns at most k passages, best first. k larger than the index is clamped.
	Search(ctx context.Context, query string, k int) (SearchResult, error)
}

// SearchResult is what a Searcher found.
type SearchResult struct {
	Passages []Passage // best first, each with its Score set
	// Confidence, from 0 to 1, says how well the best passages cover the query's content
	// words (rare words weigh more). The Engine declines below Config.MinConfidence.
	Confidence float64
}

// Generator writes an answer from numbered passages with a language model. *llm.Client
// implements it. The answer text cites passages as [1], [2]… in the order given.
type Generator interface {
	// Generate streams partial text to onText (nil: no streaming) and returns the whole
	// reply. An error means no usable reply (unreachable, timeout, refused, empty or
	// malformed); the Engine then falls back to the extractive answer with a note.
	Generate(ctx context.Context, q Question, passages []Passage, onText func(string)) (Generation, error)
}

// Generation is a language model's reply.
type Generation struct {
	Text  string // the reply, with [n] markers
	Model string // the model that wrote it
}

// Rewriter turns a follow-up question and its history into a standalone question for
// retrieval ("and what did Iran want?" → "What did Iran want in the US–Iran talks in Oman?").
type Rewriter interface {
	Rewrite(ctx context.Context, q Question) (string, error)
}

// DefaultK is how many passages the Engine retrieves when EngineConfig.K is 0.
const DefaultK = 5

// DefaultMinConfidence is the retrieval confidence below which the Engine declines when
// EngineConfig.MinConfidence is 0. The CLI passes retrieval.DefaultMinConfidence, which is
// calibrated for the retrieval package's Confidence.
const DefaultMinConfidence = 0.35

// EngineConfig configures an Engine. Only Searcher is required.
type EngineConfig struct {
	Searcher  Searcher  // required: where passages come from
	Generator Generator // nil: extractive answers only (no keys, no network)
	Rewriter  Rewriter  // nil: a follow-up is searched together with the previous question
	// Prompts holds the fixed texts (decline message). nil: the embedded prompts.
	Prompts *prompts.Set
	K       int // passages retrieved per question; 0: DefaultK
	// MinConfidence is the SearchResult.Confidence below which the Engine declines without
	// composing an answer. 0: DefaultMinConfidence; negative: never decline on confidence.
	MinConfidence float64
	Logger        *slog.Logger // nil: discard
}

// Engine answers questions from a Searcher's passages: with a Generator (LLM) when one is
// configured, otherwise, or when the LLM fails, with extractive answers built from the
// passages' own sentences. It is safe for concurrent use.
type Engine struct {
	search  Searcher
	gen     Generator
	rewrite Rewriter
	prompts *prompts.Set
	k       int
	minConf float64
	log     *slog.Logger
}

var _ Answerer = (*Engine)(nil)

// NewEngine returns an Engine for cfg.
func NewEngine(cfg EngineConfig) (*Engine, error) {
	if cfg.Searcher == nil {
		return nil, errors.New("new engine: no searcher")
	}
	e := &Engine{
		search:  cfg.Searcher,
		gen:     cfg.Generator,
		rewrite: cfg.Rewriter,
		prompts: cfg.Prompts,
		k:       cfg.K,
		minConf: cfg.MinConfidence,
		log:     cfg.Logger,
	}
	if e.prompts == nil {
		e.prompts = prompts.Default()
	}
	if e.k <= 0 {
		e.k = DefaultK
	}
	if e.minConf == 0 {
		e.minConf = DefaultMinConfidence
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	return e, nil
}

// Answer answers q. See Answerer. Text streamed to onText may be superseded by the final
// answer (when citation checking rejects the model's reply, or the model fails midway and
// the extractive answer is returned instead); front ends show the returned Answer last.
func (e *Engine) Answer(ctx context.Context, q Question, onText func(string)) (Answer, error) {
	start := time.Now()
	text, err := CleanQuestion(q.Text)
	if err != nil {
		return Answer{}, err
	}
	q.Text = text
	a := Answer{ID: newID(), Question: text, Answerer: AnswererExtractive}

	query, err := e.query(ctx, q, &a)
	if err != nil {
		return Answer{}, err
	}
	t := time.Now()
	res, err := e.search.Search(ctx, query, e.k)
	a.Timings.Retrieve = time.Since(t)
	if err != nil {
		return Answer{}, fmt.Errorf("answer: search: %w", err)
	}

	t = time.Now()
	switch {
	case e.minConf > 0 && res.Confidence < e.minConf:
		e.decline(&a)
	case e.gen != nil:
		e.generate(ctx, q, query, res.Passages, onText, &a)
	default:
		e.extract(q, query, res.Passages, &a)
	}
	a.Timings.Generate = time.Since(t)
	if a.Answerer == AnswererExtractive && onText != nil {
		onText(a.Text)
	}
	a.Timings.Total = time.Since(start)
	e.log.InfoContext(ctx, "answered", "answer_id", a.ID, "answerer", a.Answerer,
		"answered", a.Answered, "citations", len(a.Citations), "confidence", res.Confidence,
		"took_ms", a.Timings.Total.Milliseconds())
	e.log.DebugContext(ctx, "question", "answer_id", a.ID, "question", q.Text, "query", query)
	return a, nil
}

// query returns what to search for q: the question itself, or for a follow-up a standalone
// question from the Rewriter, or (no Rewriter, or it failed) the previous question and
// this one together, so "and what did Iran want?" still finds the talks it refers to.
func (e *Engine) query(ctx context.Context, q Question, a *Answer) (string, error) {
	if len(q.History) == 0 {
		return q.Text, nil
	}
	if e.rewrite != nil {
		t := time.Now()
		rq, err := e.rewrite.Rewrite(ctx, q)
		a.Timings.Rewrite = time.Since(t)
		switch {
		case err == nil && strings.TrimSpace(rq) != "":
			a.Query = strings.TrimSpace(rq)
			return a.Query, nil
		case ctx.Err() != nil:
			return "", fmt.Errorf("answer: rewrite follow-up: %w", context.Cause(ctx))
		default:
			e.log.WarnContext(ctx, "follow-up rewriting failed; searching with history", "err", err)
		}
	}
	a.Query = q.History[len(q.History)-1].Question + " " + q.Text
	return a.Query, nil
}

func (e *Engine) decline(a *Answer) {
	a.Answered = false
	a.Text = e.prompts.Decline()
	a.Citations = nil
}

// generate asks the Generator and checks its citations; any failure of the model falls
// back to the extractive answer with a note saying why.
func (e *Engine) generate(ctx context.Context, q Question, query string, ps []Passage, onText func(string), a *Answer) {
	g, err := e.gen.Generate(ctx, q, ps, onText)
	if err != nil {
		reason := "the model failed"
		if IsUserError(err) {
			reason = UserMessage(err)
		}
		e.log.WarnContext(ctx, "llm unavailable; extractive answer", "answer_id", a.ID, "err", err)
		e.extract(q, query, ps, a)
		a.Note = "LLM unavailable: " + reason + ". This answer was extracted from the sources."
		return
	}
	a.Answerer, a.Model = AnswererLLM, g.Model
	clean, cited, answered := CheckCitations(g.Text, ps)
	if !answered {
		e.decline(a)
		return
	}
	a.Text, a.Citations, a.Answered = clean, cited, true
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}
