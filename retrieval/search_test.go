package retrieval

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"testing/synctest"
	"time"
)

// stallingEmbedder stands for an embedding server that accepts the request and never
// answers: passages are embedded offline, but embedding the query stall blocks until
// the call's ctx ends or release is closed. Each stalled call first sends on entered
// when that is not nil.
type stallingEmbedder struct {
	Local
	stall   string
	entered chan struct{}
	release chan struct{}
}

func (s *stallingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) != 1 || texts[0] != s.stall {
		return s.Local.Embed(ctx, texts)
	}
	if s.entered != nil {
		s.entered <- struct{}{}
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.release:
		return nil, errors.New("connection reset")
	}
}

func TestSearchGivesUpOnAStalledQueryEmbedding(t *testing.T) {
	const q = "When was the Aflaj irrigation system developed?"
	for _, tt := range []struct {
		name    string
		timeout time.Duration
		want    time.Duration
	}{
		{"default", 0, DefaultQueryEmbedTimeout},
		{"configured", 2 * time.Second, 2 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				log, buf := logBuffer()
				emb := &stallingEmbedder{stall: q}
				ix, _, err := Open(t.Context(), Config{Corpus: os.DirFS(corpusDir(t)), Embedder: emb, Logger: log, QueryEmbedTimeout: tt.timeout})
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now() // the bubble's fake clock
				res, err := ix.Search(t.Context(), q, 3)
				took := time.Since(start)
				if err != nil {
					t.Fatal(err)
				}
				if took != tt.want {
					t.Errorf("Search took %v; want the query embedding abandoned after %v", took, tt.want)
				}
				if len(res.Passages) == 0 || !strings.Contains(res.Passages[0].Text, "2500 BCE") {
					t.Errorf("Search = %+v; want the keyword result", res.Passages)
				}
				if !strings.Contains(buf.String(), "keyword results only") {
					t.Errorf("log:\n%s\nwant a warning", buf)
				}
			})
		})
	}
}

func TestStalledQueryEmbeddingBlocksNeitherReindexNorOtherSearches(t *testing.T) {
	const q = "When was the Aflaj irrigation system developed?"
	corpus := corpusDir(t)
	emb := &stallingEmbedder{stall: q, entered: make(chan struct{}), release: make(chan struct{})}
	ix, _, err := Open(t.Context(), Config{Corpus: os.DirFS(corpus), Embedder: emb, QueryEmbedTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		n   int
		err error
	}
	stalled := make(chan result, 1)
	go func() {
		res, err := ix.Search(t.Context(), q, 3)
		stalled <- result{len(res.Passages), err}
	}()
	<-emb.entered // that search now waits for its embedder

	write(t, corpus, "aflaj.md", "# Aflaj\n\nThe Aflaj irrigation system is about 4500 years old.")
	others := make(chan result, 2)
	go func() {
		st, err := ix.Reindex(t.Context())
		others <- result{st.Embedded, err}
	}()
	go func() {
		res, err := ix.Search(t.Context(), "How old is the Aflaj system?", 1)
		others <- result{len(res.Passages), err}
	}()
	guard := time.After(30 * time.Second) // a guard against a hang, not a synchronisation
	for range 2 {
		select {
		case r := <-others:
			if r.err != nil || r.n == 0 {
				t.Errorf("Reindex or Search beside the stalled search: %+v", r)
			}
		case <-guard:
			close(emb.release)
			t.Fatal("Reindex or another Search waited for a search whose query embedding stalled")
		}
	}
	select {
	case <-stalled:
		t.Fatal("the stalled search returned before its embedder answered")
	default:
	}
	close(emb.release)
	if r := <-stalled; r.err != nil || r.n == 0 {
		t.Errorf("stalled search after the embedder failed: %+v; want keyword results", r)
	}
}

// TestSearchBridgesWording: compounds and synonyms let a question's wording differ from
// the article's ("break down"/"breakdown", "swap"/"exchange").
func TestSearchBridgesWording(t *testing.T) {
	ix, _, err := Open(context.Background(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ query, want string }{
		{"Why did the QCG talks break down?", "breakdown in talks"},
		{"Is Oman a back channel for Afghanistan?", "valuable diplomatic backchannel"},
		{"How big was the prisoner swap Oman brokered?", "6 billion"},
	} {
		res, err := ix.Search(context.Background(), tt.query, 3)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range res.Passages {
			found = found || strings.Contains(p.Text, tt.want)
		}
		if !found || res.Confidence < DefaultMinConfidence {
			t.Errorf("Search(%q): %q in top 3 = %v, confidence %.2f; want found, confidence ≥ %.2f", tt.query, tt.want, found, res.Confidence, DefaultMinConfidence)
		}
	}
}

// TestSearchAuthorIsTheFirstPerson: "the author" of a question finds the passage where a
// document with an author speaks as "I"; a document without an author has no "I" to find.
func TestSearchAuthorIsTheFirstPerson(t *testing.T) {
	// The same passage in two documents; only the second has an author. Without the
	// author's term the tie goes to the first.
	body := "Muscat hosted a workshop on water rights.\n\n" + strings.Repeat("Filler about rivers and canals. ", 30) +
		"\n\nIn May I travelled to Muscat for a week of meetings.\n"
	corpus := fstest.MapFS{
		"a-news.md":  {Data: []byte("---\ntitle: Notes\n---\n\n" + body)},
		"b-essay.md": {Data: []byte("---\ntitle: Notes\nauthor: Amal Haddad\n---\n\n" + body)},
	}
	ix, _, err := Open(t.Context(), Config{Corpus: corpus, ChunkSize: 200})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(t.Context(), "When did the author travel to Muscat?", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Passages) == 0 || !strings.HasPrefix(res.Passages[0].ID, "b-essay#") || !strings.Contains(res.Passages[0].Text, "In May I travelled") {
		t.Fatalf("top passage %+v; want the essay's first-person passage", res.Passages)
	}
}
