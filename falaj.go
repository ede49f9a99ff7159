// Package falaj is the domain language of Falaj, a question-answering bot about Oman's
// diplomacy that answers only from its corpus and cites every claim.
//
// The root package holds the types every front end speaks (Question, Passage, Citation,
// Answer), the one seam they all use (Answerer), and the Engine that implements it on top
// of a Searcher and, optionally, a Generator (an LLM). It imports only the standard
// library and the data package prompts; each third-party module lives behind its own
// package (retrieval: chromem-go, llm: go-openai, bot: discordgo, web: net/http).
package falaj

import (
	"context"
	"time"
)

// Answerer answers one question from the corpus. CLI, Discord bot and web page all hold
// an Answerer and never retrieve, prompt or check citations themselves.
type Answerer interface {
	// Answer streams partial text to onText as it is produced (nil: no streaming), then
	// returns the final answer with its citations checked. Declining ("the sources do not
	// cover this") is an answer with Answered == false, not an error.
	Answer(ctx context.Context, q Question, onText func(string)) (Answer, error)
}

// Turn is one earlier exchange of a conversation.
type Turn struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// Question is what a person asked, with the conversation so far.
type Question struct {
	Text    string // the question as typed
	History []Turn // earlier turns, oldest first; nil for a fresh question
	Lang    string // the question's language, LangArabic or LangEnglish; "": DetectLanguage
}

// Passage is one piece of one document, as indexed and retrieved.
type Passage struct {
	ID      string  // stable identifier, "<doc>#<ordinal>"
	Doc     string  // document identifier: the file name without extension
	Title   string  // document title
	Author  string  // author, or the outlet when no author is known; "" when neither is (never made up)
	Outlet  string  // publication, "" when unknown
	Date    string  // as the article states it, "" when it states none
	Ordinal int     // 1-based position of the passage within its document
	Text    string  // the passage text, as cited
	Score   float64 // retrieval score of the last search, higher is better; 0 outside a search
}

// Citation is a passage an answer cites, numbered as the answer's [n] markers.
type Citation struct {
	N       int     // the marker number, 1-based
	Passage Passage // the cited passage
	Quote   string  // the sentence(s) the answer drew from it; "" when not known
}

// Answerer names, as reported in Answer.Answerer.
const (
	AnswererExtractive = "extractive" // sentences picked from passages, no model
	AnswererLLM        = "llm"        // an OpenAI-compatible chat model
)

// Status says which of an answer's three outcomes it is.
type Status string

// The three outcomes of a question.
const (
	// StatusAnswered: a confident answer; Text cites Citations with [n] markers.
	StatusAnswered Status = "answered"
	// StatusRelated: the question is on the corpus's topic but no passage answers it
	// confidently; Text says so and Citations lists the passages that look related.
	// Answered is false.
	StatusRelated Status = "related"
	// StatusDeclined: off-topic, injection or abuse; a plain decline with no citations.
	StatusDeclined Status = "declined"
)

// Answer is a finished answer.
type Answer struct {
	ID        string     // unique per answer (for feedback and logs)
	Question  string     // the question as asked
	Query     string     // what was searched, when it differs from Question (follow-ups)
	Text      string     // the answer with [n] markers; a plain decline when !Answered
	Answered  bool       // false when the sources do not cover the question
	Status    Status     // which outcome: answered, related (Answered false, citations present) or declined
	Citations []Citation // cited passages in marker order; empty when declined, related passages when StatusRelated
	Answerer  string     // AnswererExtractive or AnswererLLM
	Model     string     // chat model name when Answerer is AnswererLLM
	Note      string     // shown to the person, e.g. "LLM unavailable: timeout; extractive answer shown"
	Lang      string     // the language of Text and Note, LangArabic or LangEnglish (the question's)
	Timings   Timings    // where the time went
}

// Timings says where an answer's time went.
type Timings struct {
	Rewrite  time.Duration // follow-up rewriting (LLM only)
	Retrieve time.Duration // search
	Generate time.Duration // answer composition (extractive or LLM)
	Total    time.Duration // the whole Answer call
}

// Source is one indexed document.
type Source struct {
	Doc      string // document identifier
	Title    string
	Author   string
	Outlet   string
	Date     string
	Passages int // number of passages indexed
}

// IndexStats describes an index build or refresh.
type IndexStats struct {
	Documents   int           // documents in the index after the run
	Passages    int           // passages in the index after the run
	Embedded    int           // passages embedded in this run (0 when all were reused)
	Removed     int           // documents removed since the last snapshot
	Skipped     []string      // files that could not be read or parsed, with the reason
	FromCache   bool          // the snapshot was loaded as it was
	Took        time.Duration // wall time of the run
	Embedder    string        // embedder name, e.g. "local-hash-v2" or "openai:text-embedding-3-small"
	Fingerprint string        // snapshot fingerprint
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
