package eval_test

import (
	"testing"

	"github.com/falaj-bot/falaj/eval"
	"github.com/falaj-bot/falaj/retrieval"
)

// BenchmarkDebianFAQIndex measures what a run of the debian-faq set costs before its
// first question: deriving the set from the installed FAQ and indexing it in memory with
// the offline embedder.
func BenchmarkDebianFAQIndex(b *testing.B) {
	if _, err := eval.DebianFAQ(eval.DebianFAQDir); err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		s, err := eval.DebianFAQ(eval.DebianFAQDir)
		if err != nil {
			b.Fatal(err)
		}
		ix, _, err := retrieval.Open(b.Context(), retrieval.Config{Corpus: s.Corpus, CorpusName: s.CorpusName})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(ix.Len()), "passages")
	}
}
