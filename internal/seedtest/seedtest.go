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
// (a Searcher, and the catalog front ends list sources and passages from).
func Engine(t testing.TB) (*falaj.Engine, *retrieval.Index) {
	t.Helper()
	ix, _, err := retrieval.Open(t.Context(), retrieval.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix, MinConfidence: retrieval.DefaultMinConfidence})
	if err != nil {
		t.Fatal(err)
	}
	return e, ix
}
