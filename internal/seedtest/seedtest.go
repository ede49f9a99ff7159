// Package seedtest gives tests the offline default as cmd/falaj wires it: the embedded
// seed corpus in an in-memory index, the local embedder, extractive answers. Front-end
// and evaluation tests run this real Engine rather than a mock of falaj.Answerer.
package seedtest

import (
	"testing"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/retrieval"
)

// Engine returns a new Engine over a new in-memory index of the seeds, and the index
// (a Searcher, and the catalog front ends list sources and passages from). Each edit
// changes the Engine's config first (for example to add a Translator).
func Engine(t testing.TB, edits ...func(*falaj.EngineConfig)) (*falaj.Engine, *retrieval.Index) {
	t.Helper()
	ix, _, err := retrieval.Open(t.Context(), retrieval.Config{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := falaj.EngineConfig{Searcher: ix, MinConfidence: retrieval.DefaultMinConfidence}
	for _, edit := range edits {
		edit(&cfg)
	}
	e, err := falaj.NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e, ix
}
