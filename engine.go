package falaj

import (
	"context"
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
	// Generate streams the reply to onText (nil: no streaming) as deltas: each call gets
	// only the new piece of text, never the text so far; the deltas add up to the
	// returned Text. It then returns the whole reply. An error means no usable reply (unreachable, timeout, refused, empty or
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
