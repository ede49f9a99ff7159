package retrieval

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/falaj-bot/falaj/eval"
)

// qrow is one question: whether the top passage holds the answer, and its signals.
type qrow struct {
	label bool
	f     map[string]float64
}

// auc is the ROC area of signal name for separating rows with label from those without.
func auc(rows []qrow, name string) float64 {
	var pos, neg []float64
	for _, r := range rows {
		if r.label {
			pos = append(pos, r.f[name])
		} else {
			neg = append(neg, r.f[name])
		}
	}
	var s float64
	for _, p := range pos {
		for _, n := range neg {
			if p > n {
				s++
			} else if p == n {
				s += 0.5
			}
		}
	}
	return s / float64(len(pos)*len(neg))
}

// TestMeasureConfidencePredictors prints, for each group of sets, the ROC AUC of
// candidate confidence signals for "the top passage holds the answer" (unanswerable
// questions are negatives): the product's Confidence and query-performance predictors
// from the IR literature computed from the BM25 scores (docs/RETRIEVAL.md, "Issue 8,
// last round"). Run with -measure; the Debian FAQ needs the debian-faq package.
func TestMeasureConfidencePredictors(t *testing.T) {
	if !*measure {
		t.Skip("a measurement; run with -args -measure")
	}
	ctx := context.Background()
	groups := map[string][]string{
		"tune": {"../../shared/eval/questions.jsonl", "../testdata/paraphrases.jsonl", "../../shared/eval/dev.jsonl#odd"},
		"even": {"../../shared/eval/dev.jsonl#even"},
		"faq":  {"debian-faq"},
	}
	names := []string{"conf", "share1", "idfmass", "margin", "nqc", "wig", "cover1", "known", "share1xknown", "confxshare"}
	for _, g := range []string{"tune", "even", "faq"} {
		var rows []qrow
		for _, spec := range groups[g] {
			set, err := eval.LoadSet(spec)
			if err != nil {
				t.Fatal(err)
			}
			ix, _, err := Open(ctx, Config{Corpus: set.Corpus})
			if err != nil {
				t.Fatal(err)
			}
			st := ix.st
			for _, c := range set.Cases {
				res, _ := ix.Search(ctx, c.Question, 3)
				label := c.Answerable && len(res.Passages) > 0 && eval.Contains(res.Passages[0].Text, c.ExpectAny)
				terms := res.Query.Terms
				q := st.kw.queryTerms(terms, res.Query.Names)
				kw := st.kw.search(terms, 100)
				f := map[string]float64{"conf": res.Confidence}
				var maxScore, idfAll float64
				for _, qt := range q {
					idfAll += qt.w
					maxScore += qt.w * (bm25K1 + 1)
				}
				top := -1
				if len(res.Passages) > 0 {
					top = st.byID[res.Passages[0].ID]
				}
				raw := map[int]float64{}
				for _, s := range kw {
					raw[s.doc] = s.score
				}
				if top >= 0 && maxScore > 0 {
					f["share1"] = raw[top] / maxScore
					f["cover1"] = st.kw.coverage(q, top)
					var m float64
					for _, qt := range q {
						if st.kw.has(top, qt.t) {
							m += qt.w
						}
					}
					f["idfmass"] = m / (float64(len(q)) * math.Log(float64(len(st.passages))))
				}
				var known float64
				for _, qt := range q {
					if qt.known {
						known += qt.w
					}
				}
				if idfAll > 0 {
					f["known"] = known / idfAll
				}
				f["share1xknown"] = f["share1"] * f["known"]
				f["confxshare"] = f["conf"] * math.Sqrt(f["share1"])
				if len(kw) > 1 {
					f["margin"] = (kw[0].score - kw[1].score) / kw[0].score
				}
				if len(kw) > 0 {
					k := min(5, len(kw))
					var mean float64
					for _, s := range kw[:k] {
						mean += s.score
					}
					mean /= float64(k)
					var v float64
					for _, s := range kw[:k] {
						v += (s.score - mean) * (s.score - mean)
					}
					f["nqc"] = math.Sqrt(v/float64(k)) / (kw[0].score + 1e-9)
					f["wig"] = mean / math.Sqrt(float64(max(1, len(q)))) / math.Log(float64(len(st.passages))+1)
				}
				rows = append(rows, qrow{label, f})
			}
		}
		pos := 0
		for _, r := range rows {
			if r.label {
				pos++
			}
		}
		out := fmt.Sprintf("%s (n=%d, pos=%d):", g, len(rows), pos)
		for _, n := range names {
			out += fmt.Sprintf(" %s=%.3f", n, auc(rows, n))
		}
		t.Log(out)
	}
}
