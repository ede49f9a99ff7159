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

	"github.com/falaj-bot/falaj/extract"
	"github.com/falaj-bot/falaj/lexical"
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
	// words (rare words weigh more). The Engine's thresholds (EngineConfig.MinConfidence,
	// OffTopicConfidence) are compared with it.
	Confidence float64
	// Query is the searched text as the Searcher analysed it (terms resolved against the
	// corpus's vocabulary); the extractive answerer scores sentences by the same terms.
	// Its Text is "" when the Searcher does not analyse queries.
	Query lexical.Query
}

// Generator writes an answer from numbered passages with a language model. *llm.Client
// implements it. The answer text cites passages as [1], [2]… in the order given.
type Generator interface {
	// Generate streams the reply to onText (nil: no streaming) as deltas: each call gets
	// only the new piece of text, never the text so far; the deltas add up to the
	// returned Text. It then returns the whole reply. An error means no usable reply
	// (unreachable, timeout, refused, empty or malformed); the Engine then falls back to
	// the extractive answer with a note.
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
	// Rewrite returns the standalone question. An error wrapping ErrBadRewrite means the
	// model answered but not with a usable question: the Engine then searches with the
	// history and still asks the model for the answer. Any other error means the model
	// is down for this question.
	Rewrite(ctx context.Context, q Question) (string, error)
}

// Translator turns a question in another language (Arabic) into English search terms,
// for retrieval over the English corpus without a language model. *arabic.Translator
// implements it.
type Translator interface {
	Translate(ctx context.Context, text string) (string, error)
}

// ErrBadRewrite is wrapped by a Rewriter's error when the model's reply was not a
// standalone question (an answer, a preamble, a paragraph).
var ErrBadRewrite = errors.New("falaj: rewrite is not a standalone question")

// DefaultK is how many passages the Engine retrieves when EngineConfig.K is 0.
const DefaultK = 5

// The Engine's three outcomes (Status) are decided by three thresholds, chosen on the
// tuning sets by eval/tune and reported on the check sets (docs/RETRIEVAL.md):
//   - below DefaultOffTopicConfidence the question is off the corpus's topic (or an
//     injection, or abuse): a plain decline, no citations, and no model is asked;
//   - an extractive answer stands when the retrieval confidence is at least
//     DefaultMinConfidence and its best sentence covers at least DefaultMinCover of the
//     question's term weight;
//   - anything between is on topic but not answered confidently: the related outcome.
//
// With a language model the model decides everything that is not off-topic.
const (
	// DefaultMinConfidence is the SearchResult.Confidence an extractive answer needs when
	// EngineConfig.MinConfidence is 0.
	DefaultMinConfidence = 0.45
	// DefaultMinCover is the share of the question that the best sentence of an
	// extractive answer must cover when EngineConfig.MinCover is 0.
	DefaultMinCover = 0.35
	// DefaultOffTopicConfidence is the SearchResult.Confidence below which a question is
	// declined as off-topic when EngineConfig.OffTopicConfidence is 0.
	DefaultOffTopicConfidence = 0.3
)

// EngineConfig configures an Engine. Only Searcher is required.
type EngineConfig struct {
	Searcher  Searcher  // required: where passages come from
	Generator Generator // nil: extractive answers only (no keys, no network)
	Rewriter  Rewriter  // nil: a follow-up is searched together with the previous question
	// Translator turns an Arabic question into an English query when no Rewriter is
	// configured (or it fails). nil: such a question gets a message, in Arabic, saying
	// what to install or configure.
	Translator Translator
	// Prompts holds the fixed texts (decline message). nil: the embedded prompts.
	Prompts *prompts.Set
	K       int // passages retrieved per question; 0: DefaultK
	// MinConfidence is the SearchResult.Confidence an extractive answer needs to stand;
	// below it the Engine lists related passages instead. 0: DefaultMinConfidence;
	// negative: no minimum.
	MinConfidence float64
	// MinCover is the share of the question's term weight that the best sentence of an
	// extractive answer must cover. 0: DefaultMinCover; negative: no minimum.
	MinCover float64
	// OffTopicConfidence is the SearchResult.Confidence below which a question is
	// declined as off-topic, with no citations and without asking the model.
	// 0: DefaultOffTopicConfidence; negative: never declined as off-topic.
	OffTopicConfidence float64
	Logger             *slog.Logger // nil: discard
}

// Engine answers questions from a Searcher's passages: with a Generator (LLM) when one is
// configured, otherwise, or when the LLM fails, with extractive answers built from the
// passages' own sentences. It is safe for concurrent use.
type Engine struct {
	search   Searcher
	gen      Generator
	rewrite  Rewriter
	trans    Translator
	prompts  *prompts.Set
	k        int
	minConf  float64
	minCover float64
	offTopic float64
	log      *slog.Logger
}

var _ Answerer = (*Engine)(nil)

// NewEngine returns an Engine for cfg.
func NewEngine(cfg EngineConfig) (*Engine, error) {
	if cfg.Searcher == nil {
		return nil, errors.New("new engine: no searcher")
	}
	e := &Engine{
		search:   cfg.Searcher,
		gen:      cfg.Generator,
		rewrite:  cfg.Rewriter,
		trans:    cfg.Translator,
		prompts:  cfg.Prompts,
		k:        cfg.K,
		minConf:  cfg.MinConfidence,
		minCover: cfg.MinCover,
		offTopic: cfg.OffTopicConfidence,
		log:      cfg.Logger,
	}
	if e.prompts == nil {
		e.prompts = prompts.Default()
	}
	if e.k <= 0 {
		e.k = DefaultK
	}
	e.minConf = orDefault(e.minConf, DefaultMinConfidence)
	e.minCover = orDefault(e.minCover, DefaultMinCover)
	e.offTopic = orDefault(e.offTopic, DefaultOffTopicConfidence)
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	return e, nil
}

// Answer answers q. See Answerer. A model's reply reaches onText only sentence by
// sentence as it passes the citation check (CitationStream), and only once a sentence
// cites a passage; an extractive answer is streamed whole. Streamed text may still be
// superseded by the final answer when the model fails midway (the extractive answer is
// returned instead); front ends show the returned Answer last.
func (e *Engine) Answer(ctx context.Context, q Question, onText func(string)) (Answer, error) {
	start := time.Now()
	text, err := CleanQuestion(q.Text)
	if err != nil {
		return Answer{}, err
	}
	q.Text = text
	q.History = boundHistory(q.History)
	if q.Lang == "" {
		q.Lang = DetectLanguage(text)
	}
	a := Answer{ID: newID(), Question: text, Answerer: AnswererExtractive, Lang: q.Lang}

	query, rewritten, modelErr := e.query(ctx, q, &a)
	if ctx.Err() != nil {
		return Answer{}, fmt.Errorf("answer: rewrite follow-up: %w", context.Cause(ctx))
	}
	if query == "" { // an Arabic question nothing could turn into English
		e.untranslated(&a)
		if onText != nil {
			onText(a.Text)
		}
		a.Timings.Total = time.Since(start)
		return a, nil
	}
	// A question about the article itself ("who wrote the piece on Afghanistan?") is
	// searched without the words that ask about the article, which no passage holds.
	if sq := extract.SearchText(query); sq != query {
		query, a.Query = sq, sq
	}
	t := time.Now()
	res, err := e.search.Search(ctx, query, e.k)
	a.Timings.Retrieve = time.Since(t)
	if err != nil {
		return Answer{}, fmt.Errorf("answer: search: %w", err)
	}

	// streamed records whether any text reached onText, so an extractive answer (or a
	// fallback after the model failed before its first word) is streamed once, and text a
	// failed model already streamed is not followed by a different answer in the same stream.
	streamed := false
	var stream func(string)
	if onText != nil {
		stream = func(s string) {
			if s != "" {
				streamed = true
				onText(s)
			}
		}
	}
	t = time.Now()
	switch {
	case res.Confidence < e.offTopic:
		e.decline(&a) // off-topic, an injection or abuse: no citations, and no model is asked
	case e.gen == nil || modelErr != nil:
		e.extract(ctx, extractQuestion(q, query), res, &a)
		if modelErr != nil {
			a.Note = modelNote(modelErr)
		}
	default:
		gq := q
		if rewritten && (q.Lang != LangArabic || len(q.History) > 0) {
			// The model answers the standalone question retrieval searched for; an Arabic
			// question without history is answered as asked (gq.Lang asks for Arabic).
			gq.Text = query
		}
		if err := e.generate(ctx, gq, query, res, stream, &a); err != nil {
			return Answer{}, err
		}
	}
	if a.Status == "" {
		a.Status = StatusDeclined
		if a.Answered {
			a.Status = StatusAnswered
		}
	}
	e.localize(&a)
	a.Timings.Generate = time.Since(t)
	if stream != nil && !streamed && a.Answerer == AnswererExtractive {
		stream(a.Text)
	}
	a.Timings.Total = time.Since(start)
	e.log.InfoContext(ctx, "answered", "answer_id", a.ID, "answerer", a.Answerer,
		"answered", a.Answered, "status", a.Status, "citations", len(a.Citations), "confidence", res.Confidence,
		"took_ms", a.Timings.Total.Milliseconds())
	e.log.DebugContext(ctx, "question", "answer_id", a.ID, "question", q.Text, "query", query)
	return a, nil
}

// query returns what to search for q: the question itself, or for a follow-up a standalone
// question from the Rewriter (rewritten is then true), or, with no Rewriter, the previous
// question and this one together, so "and what did Iran want?" still finds the talks it
// refers to. modelErr is the Rewriter's failure: the model is then taken to be down for
// this question, and the history is searched along instead.
func (e *Engine) query(ctx context.Context, q Question, a *Answer) (query string, rewritten bool, modelErr error) {
	if q.Lang == LangArabic {
		return e.arabicQuery(ctx, q, a)
	}
	if len(q.History) == 0 {
		return q.Text, false, nil
	}
	if e.rewrite != nil {
		t := time.Now()
		mctx, cancel := stageContext(ctx, rewriteShare)
		rq, err := e.rewrite.Rewrite(mctx, q)
		cancel()
		a.Timings.Rewrite = time.Since(t)
		rq = strings.TrimSpace(rq)
		switch {
		case err == nil && rq != "":
			a.Query = rq
			return rq, true, nil
		case err == nil:
			err = errors.New("the model returned an empty rewrite")
		}
		if errors.Is(err, ErrBadRewrite) {
			e.log.WarnContext(ctx, "follow-up rewrite unusable; searching with history", "err", err)
		} else {
			modelErr = err
			e.log.WarnContext(ctx, "follow-up rewriting failed; searching with history", "err", err)
		}
	}
	a.Query = q.History[len(q.History)-1].Question + " " + q.Text
	return a.Query, false, modelErr
}

// History bounds: every front end passes history, and any of them may be fed by a client
// that sends more than a conversation needs, so the Engine keeps only what follow-ups use.
// The front ends (bot, web, chat) and the rewrite prompt derive their own limits from
// these, so there is one place to change them.
const (
	MaxHistoryTurns       = 6    // the most recent turns kept
	MaxHistoryAnswerRunes = 1500 // an earlier answer is cut to this many runes
)

// boundHistory keeps the last MaxHistoryTurns turns, each question cut to
// MaxQuestionRunes and each answer to MaxHistoryAnswerRunes.
func boundHistory(h []Turn) []Turn {
	if len(h) > MaxHistoryTurns {
		h = h[len(h)-MaxHistoryTurns:]
	}
	out := make([]Turn, 0, len(h))
	for _, t := range h {
		out = append(out, Turn{Question: Excerpt(t.Question, MaxQuestionRunes), Answer: Excerpt(t.Answer, MaxHistoryAnswerRunes)})
	}
	return out
}

// fallbackReserve is the time kept back from the caller's deadline when the model is
// asked, so a model that uses all of its time still leaves room for the extractive
// answer (which takes about a millisecond) instead of a timeout.
const fallbackReserve = 500 * time.Millisecond

// rewriteShare is the part of a question's remaining time that rewriting a follow-up may
// use. The front end's answer timeout is one budget for the whole question: rewriting
// (a short, non-streamed reply) gets this share, then retrieval runs (its query embedding
// bounded by the index's own timeout), and the answer gets all that is left but
// fallbackReserve. So a slow rewrite leaves the answer time, and nothing outlasts the
// front end's deadline. Each model call is also bounded by the llm client's own deadline.
const rewriteShare = 0.3

// modelContext returns ctx with a deadline fallbackReserve before ctx's own, if it has one.
func modelContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return stageContext(ctx, 1)
}

// stageContext returns ctx with a deadline at share of the time left before ctx's own
// deadline less fallbackReserve, if ctx has a deadline.
func stageContext(ctx context.Context, share float64) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl) - fallbackReserve
		return context.WithDeadline(ctx, time.Now().Add(time.Duration(float64(left)*share)))
	}
	return context.WithCancel(ctx)
}

// modelNote is the note shown with the extractive answer when the model failed.
func modelNote(err error) string {
	reason := "the model failed"
	if IsUserError(err) {
		reason = UserMessage(err)
	}
	return modelNotePrefix + reason + modelNoteSuffix
}

// The parts of modelNote around its reason.
const (
	modelNotePrefix = "LLM unavailable: "
	modelNoteSuffix = ". This answer was extracted from the sources."
)

// orDefault returns def for 0, 0 (no minimum) for a negative v, and v otherwise.
func orDefault(v, def float64) float64 {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// decline makes a the plain decline: no citations.
func (e *Engine) decline(a *Answer) {
	a.Answered, a.Status = false, StatusDeclined
	a.Text = e.prompts.Decline()
	a.Citations = nil
}

// related makes a the related outcome: not answered, cs listed as passages that look
// related to the question.
func (e *Engine) related(a *Answer, cs []Citation) {
	a.Answered, a.Status = false, StatusRelated
	a.Text = e.prompts.Related(relatedItems(cs))
	a.Citations = cs
}

// relatedItems is what the related-passages texts list of cs.
func relatedItems(cs []Citation) []prompts.RelatedItem {
	items := make([]prompts.RelatedItem, len(cs))
	for i, c := range cs {
		items[i] = prompts.RelatedItem{N: c.N, Quote: c.Quote}
	}
	return items
}

// relatedPassages fills a with the answer to an on-topic question the model could not answer
// from the passages: the passages as citations, for the person to read.
func (e *Engine) relatedPassages(a *Answer, ps []Passage) {
	a.Answered = false
	a.Status = StatusRelated
	a.Citations = make([]Citation, len(ps))
	for i, p := range ps {
		a.Citations[i] = Citation{N: i + 1, Passage: p}
	}
	type doc struct {
		Title string
		Ns    []int // citation numbers of its passages
	}
	var docs []doc
	for i, p := range ps {
		title := strings.Join(strings.Fields(p.Title), " ")
		if n := len(docs); n > 0 && docs[n-1].Title == title {
			docs[n-1].Ns = append(docs[n-1].Ns, i+1)
			continue
		}
		docs = append(docs, doc{title, []int{i + 1}})
	}
	txt, err := e.prompts.Render("notinsources.tmpl", docs)
	if err != nil {
		e.log.Error("render notinsources.tmpl", "err", err)
		txt = "I can't answer that directly from my sources. These passages look related."
	}
	a.Text = txt
}

// Notes shown with an answer the model's reply did not give as it was.
const (
	noteUncited = "The model's answer cited no source, so this answer was extracted from the sources."
	noteCut     = "The model's reply was too long and was cut after its last complete sentence."
)

// generate asks the Generator and checks its reply (CheckReply); any failure of the model
// falls back to the extractive answer with a note saying why. Streamed text goes through
// a CitationStream, so only checked sentences reach onText, their markers numbered as the
// final sources list. It is called only for questions on the corpus's topic (above the
// off-topic gate): a reply that cites nothing gives the extractive answer (answered or
// related, as without a model), and a refusal lists the passages as related. It returns
// an error only when ctx ended: nobody is waiting for a fallback then.
func (e *Engine) generate(ctx context.Context, q Question, query string, sr SearchResult, onText func(string), a *Answer) error {
	ps := sr.Passages
	cs := NewCitationStream(ps, onText)
	mctx, cancel := modelContext(ctx)
	g, err := e.gen.Generate(mctx, q, ps, cs.Write)
	cancel()
	if err != nil && ctx.Err() != nil { // the caller gave up: nobody waits for a fallback
		return fmt.Errorf("answer: generate: %w", context.Cause(ctx))
	}
	if err != nil {
		e.log.WarnContext(ctx, "llm unavailable; extractive answer", "answer_id", a.ID, "err", err)
		e.extract(ctx, extractQuestion(q, query), sr, a)
		a.Note = modelNote(err)
		return nil
	}
	cs.Flush()
	// The result is the check of the whole reply. What streamed passed the same check
	// sentence by sentence and is the same text, unless the Generator's deltas do not add
	// up to its Text (a reasoning block closed late); front ends show the Answer last.
	res := CheckReply(g.Text, ps)
	e.log.DebugContext(ctx, "llm reply checked", "answer_id", a.ID, "outcome", res.Outcome, "cut", res.Cut, "reply", g.Text)
	if res.Dropped > 0 {
		e.log.InfoContext(ctx, "uncited sentences dropped from the llm answer", "answer_id", a.ID, "model", g.Model, "dropped", res.Dropped)
	}
	a.Answerer, a.Model = AnswererLLM, g.Model
	switch {
	case res.Outcome == ReplyCited:
		a.Text, a.Citations, a.Answered, a.Status = res.Text, res.Citations, true, StatusAnswered
		if res.Cut {
			a.Note = noteCut
		}
	case res.Outcome == ReplyRefused:
		e.relatedPassages(a, ps)
	case res.Outcome == ReplyUncited:
		e.log.WarnContext(ctx, "llm answer cited no source; extractive answer", "answer_id", a.ID, "model", g.Model)
		e.extract(ctx, extractQuestion(q, query), sr, a)
		a.Note = noteUncited
		if !a.Answered {
			a.Note = "The model's answer cited no source."
		}
	default:
		e.decline(a)
	}
	return nil
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}
