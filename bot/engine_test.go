package bot_test

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/lexical"
	"github.com/falaj-bot/falaj/seeds"
)

// newEngine returns the real falaj.Engine over the seed corpus, which is what the bot
// runs in production with no keys.
//
// TODO(bot): retrieval.Open is not on main yet; until it is, the Engine searches the
// seeds through seedIndex below (paragraphs as passages, term overlap as score). Switch
// to `ix, _, err := retrieval.Open(ctx, retrieval.Config{})` when it lands.
func newEngine(t *testing.T) (*falaj.Engine, *seedIndex) {
	t.Helper()
	ix := loadSeeds(t)
	e, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix, MinConfidence: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	return e, ix
}

// seedIndex is a stand-in for *retrieval.Index over the embedded seeds until that lands.
type seedIndex struct {
	passages []falaj.Passage
	sources  []falaj.Source

	mu        sync.Mutex
	reindexed int
}

func loadSeeds(t *testing.T) *seedIndex {
	t.Helper()
	ix := &seedIndex{}
	names, err := fs.Glob(seeds.FS, "*.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		b, err := fs.ReadFile(seeds.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		front, body, _ := strings.Cut(strings.TrimPrefix(string(b), "---\n"), "\n---\n")
		meta := map[string]string{}
		for _, line := range strings.Split(front, "\n") {
			k, v, _ := strings.Cut(line, ":")
			meta[k] = strings.TrimSpace(v)
		}
		doc := strings.TrimSuffix(name, ".txt")
		src := falaj.Source{Doc: doc, Title: meta["title"], Author: meta["author"], Outlet: meta["outlet"], Date: meta["date"]}
		for _, para := range strings.Split(body, "\n\n") {
			if para = strings.TrimSpace(para); len(para) < 200 {
				continue
			}
			src.Passages++
			ix.passages = append(ix.passages, falaj.Passage{
				ID: fmt.Sprintf("%s#%d", doc, src.Passages), Doc: doc, Title: src.Title, Author: src.Author,
				Outlet: src.Outlet, Date: src.Date, Ordinal: src.Passages, Text: para,
			})
		}
		ix.sources = append(ix.sources, src)
	}
	return ix
}

// Search scores passages by the share of the query's terms they contain.
func (ix *seedIndex) Search(ctx context.Context, query string, k int) (falaj.SearchResult, error) {
	terms := lexical.Terms(query)
	var res falaj.SearchResult
	for _, p := range ix.passages {
		have := lexical.Terms(p.Text)
		n := 0
		for _, term := range terms {
			if slices.Contains(have, term) {
				n++
			}
		}
		if n > 0 && len(terms) > 0 {
			p.Score = float64(n) / float64(len(terms))
			res.Passages = append(res.Passages, p)
		}
	}
	slices.SortStableFunc(res.Passages, func(a, b falaj.Passage) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	if len(res.Passages) > k {
		res.Passages = res.Passages[:k]
	}
	if len(res.Passages) > 0 {
		res.Confidence = res.Passages[0].Score
	}
	return res, nil
}

// Sources lists the seed documents.
func (ix *seedIndex) Sources(ctx context.Context) ([]falaj.Source, error) {
	return append([]falaj.Source(nil), ix.sources...), nil
}

// Reindex counts the call and reports the seeds.
func (ix *seedIndex) Reindex(ctx context.Context) (falaj.IndexStats, error) {
	ix.mu.Lock()
	ix.reindexed++
	ix.mu.Unlock()
	return falaj.IndexStats{Documents: len(ix.sources), Passages: len(ix.passages), Embedded: len(ix.passages)}, nil
}
