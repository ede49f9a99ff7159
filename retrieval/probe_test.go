package retrieval

import (
	"context"
	"os"
	"strings"
	"testing"
)

// renamedEmbedder is a model served under a fixed name: Local of some dimension, its
// vectors optionally rotated (another model of the same size).
type renamedEmbedder struct {
	dim   int
	shift int // rotate each vector by this many places: a different model of the same size
}

func (r renamedEmbedder) Name() string { return "openai:nomic-embed-text" }

func (r renamedEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	vs, err := Local{Dim: r.dim}.Embed(ctx, texts)
	for i, v := range vs {
		out := make([]float32, len(v))
		for j := range v {
			out[(j+r.shift)%len(v)] = v[j]
		}
		vs[i] = out
	}
	return vs, err
}

// TestEmbedderSwappedUnderSameName: a snapshot is re-embedded, with a warning naming the
// cause, when the model behind the embedder's name changes size or vectors; the same
// model reuses it.
func TestEmbedderSwappedUnderSameName(t *testing.T) {
	for _, tt := range []struct {
		name     string
		next     renamedEmbedder
		rebuilt  bool
		whyInLog string
	}{
		{"same model reuses the snapshot", renamedEmbedder{dim: 64}, false, ""},
		{"64 to 128 dimensions", renamedEmbedder{dim: 128}, true, "it now returns 128 dimensions, the snapshot has 64"},
		{"same size, other vectors", renamedEmbedder{dim: 64, shift: 7}, true, "its vectors changed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			corpus, cache := corpusDir(t), t.TempDir()
			cfg := Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: cache, Embedder: renamedEmbedder{dim: 64}}
			_, first, err := Open(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			log, buf := logBuffer()
			cfg.Embedder, cfg.Logger = tt.next, log
			ix, st, err := Open(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if rebuilt := st.Embedded == ix.Len() && !st.FromCache; rebuilt != tt.rebuilt {
				t.Errorf("second open embedded %d of %d (from cache %v); want rebuilt %v", st.Embedded, ix.Len(), st.FromCache, tt.rebuilt)
			}
			logged := buf.String()
			if tt.rebuilt != strings.Contains(logged, "the embedding model behind openai:nomic-embed-text changed") ||
				!strings.Contains(logged, tt.whyInLog) {
				t.Errorf("log:\n%s\nwant a warning with %q: %v", logged, tt.whyInLog, tt.rebuilt)
			}
			if same := st.Fingerprint == first.Fingerprint; same == tt.rebuilt {
				t.Errorf("fingerprints %s then %s; want them to differ only when the model changed", first.Fingerprint, st.Fingerprint)
			}
			// Searching works with the new model's vectors: no keyword-only fallback.
			if _, err := ix.Search(t.Context(), "Who hosted the talks between Iran and the United States?", 3); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(buf.String(), "keyword results only") {
				t.Errorf("search fell back to keywords after the swap:\n%s", buf.String())
			}
		})
	}
}
