package web

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/internal/seedtest"
	"github.com/falaj-bot/falaj/retrieval"
)

var _ Catalog = (*retrieval.Index)(nil)

// seedEngine returns a real Engine over the seed corpus, wired as cmd/falaj wires it
// (in-memory index, offline embedder, extractive answers), and the index as the Catalog.
func seedEngine(t testing.TB) (*falaj.Engine, Catalog) {
	t.Helper()
	return seedtest.Engine(t)
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

// TestDefaultExamplesAreAnswered: the example questions a presenter clicks must get a
// cited answer from the built-in corpus with the offline answerer.
func TestDefaultExamplesAreAnswered(t *testing.T) {
	ts, _ := newTestServer(t, nil)
	for _, q := range DefaultExamples() {
		body, _ := json.Marshal(map[string]string{"question": q})
		res, got := do(t, "POST", ts.URL+"/api/ask", "application/json", string(body))
		var a falaj.AnswerJSON
		if err := json.Unmarshal([]byte(got), &a); err != nil || res.StatusCode != 200 {
			t.Fatalf("%q: status %d, body %s", q, res.StatusCode, got)
		}
		if !a.Answered || len(a.Citations) == 0 {
			t.Errorf("example %q is not answered with citations: %q", q, a.Answer)
		}
	}
}
