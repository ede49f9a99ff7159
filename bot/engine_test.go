package bot_test

import (
	"context"
	"sync"
	"testing"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/retrieval"
)

// newEngine returns what `falaj discord` runs with no keys: the real falaj.Engine over
// the real retrieval index of the embedded seeds, in memory.
func newEngine(t *testing.T) (*falaj.Engine, *retrieval.Index) {
	t.Helper()
	ix := openIndex(t)
	e, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix, MinConfidence: retrieval.DefaultMinConfidence})
	if err != nil {
		t.Fatal(err)
	}
	return e, ix
}

// openIndex builds the seed index once per test binary; *retrieval.Index is safe for
// concurrent use, and Reindex on unchanged seeds changes nothing.
func openIndex(t *testing.T) *retrieval.Index {
	t.Helper()
	seedIndex.once.Do(func() {
		seedIndex.ix, _, seedIndex.err = retrieval.Open(context.Background(), retrieval.Config{})
	})
	if seedIndex.err != nil {
		t.Fatal(seedIndex.err)
	}
	return seedIndex.ix
}

var seedIndex struct {
	once sync.Once
	ix   *retrieval.Index
	err  error
}
