package web

import (
	"context"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/lexical"
	"github.com/falaj-bot/falaj/seeds"
)

// TEMPORARY until retrieval lands on main: seedIndex is a plain keyword index over the
// embedded seeds, so that the web tests run the real falaj.Engine on the real corpus.
// It is replaced by retrieval.Open(ctx, retrieval.Config{}) as soon as that exists.
type seedIndex struct {
	passages []falaj.Passage
	sources  []falaj.Source
}

func openSeedIndex(t testing.TB) *seedIndex {
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
		_, rest, _ := strings.Cut(string(b), "---\n")
		front, body, _ := strings.Cut(rest, "\n---\n")
		meta := map[string]string{}
		for _, line := range strings.Split(front, "\n") {
			k, v, _ := strings.Cut(line, ":")
			meta[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
		doc := strings.TrimSuffix(name, ".txt")
		n := 0
		for _, para := range strings.Split(body, "\n\n") {
			if len(strings.Fields(para)) < 12 {
				continue
			}
			n++
			ix.passages = append(ix.passages, falaj.Passage{
				ID: fmt.Sprintf("%s#%d", doc, n), Doc: doc, Title: meta["title"], Author: meta["author"],
				Outlet: meta["outlet"], Date: meta["date"], Ordinal: n, Text: strings.TrimSpace(para),
			})
		}
		ix.sources = append(ix.sources, falaj.Source{Doc: doc, Title: meta["title"], Author: meta["author"],
			Outlet: meta["outlet"], Date: meta["date"], Passages: n})
	}
	return ix
}

func (ix *seedIndex) Search(ctx context.Context, query string, k int) (falaj.SearchResult, error) {
	terms := lexical.Terms(query)
	type scored struct {
		p   falaj.Passage
		hit int
	}
	var all []scored
	for _, p := range ix.passages {
		words := lexical.Terms(p.Text)
		hit := 0
		for _, t := range terms {
			if slices.Contains(words, t) {
				hit++
			}
		}
		p.Score = float64(hit)
		all = append(all, scored{p, hit})
	}
	slices.SortStableFunc(all, func(a, b scored) int { return b.hit - a.hit })
	var res falaj.SearchResult
	for _, s := range all[:min(k, len(all))] {
		res.Passages = append(res.Passages, s.p)
	}
	if len(terms) > 0 && len(all) > 0 {
		res.Confidence = float64(all[0].hit) / float64(len(terms))
	}
	return res, nil
}

func (ix *seedIndex) Sources(ctx context.Context) ([]falaj.Source, error) { return ix.sources, nil }

func (ix *seedIndex) Passage(ctx context.Context, id string) (falaj.Passage, error) {
	for _, p := range ix.passages {
		if p.ID == id {
			return p, nil
		}
	}
	return falaj.Passage{}, fmt.Errorf("passage %q: %w", id, falaj.ErrNotFound)
}

// seedEngine returns a real Engine over the seed corpus and the index as the Catalog.
func seedEngine(t testing.TB) (*falaj.Engine, Catalog) {
	t.Helper()
	ix := openSeedIndex(t)
	e, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix})
	if err != nil {
		t.Fatal(err)
	}
	return e, ix
}

// newTestServer serves a real Engine over the seeds on 127.0.0.1:0 with no rate limit
// (the rate limit tests set one); edit adjusts the Config first.
func newTestServer(t testing.TB, edit func(*Config)) (*httptest.Server, *Server) {
	t.Helper()
	e, cat := seedEngine(t)
	cfg := Config{Answerer: e, Catalog: cat, Logger: testLogger(t), Rate: -1}
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, s
}
