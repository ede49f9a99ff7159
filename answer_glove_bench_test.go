package falaj_test

import (
	"strings"
	"testing"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/retrieval"
)

// BenchmarkAnswerGlove is BenchmarkAnswer with the glove and hybrid embedders: warm
// Engine.Answer at seed scale, extractive, three questions in turn. Target: < 10 ms.
func BenchmarkAnswerGlove(b *testing.B) {
	for _, emb := range []retrieval.Embedder{retrieval.Glove{}, retrieval.Hybrid{}} {
		name, _, _ := strings.Cut(emb.Name(), "-")
		b.Run(name, func(b *testing.B) {
			ix, _, err := retrieval.Open(b.Context(), retrieval.Config{Embedder: emb})
			if err != nil {
				b.Fatal(err)
			}
			e, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix, MinConfidence: retrieval.DefaultMinConfidence})
			if err != nil {
				b.Fatal(err)
			}
			benchAnswer(b, e)
		})
	}
}
