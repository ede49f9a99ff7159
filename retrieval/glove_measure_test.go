package retrieval

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
)

var devSet = flag.String("dev", "../../shared/eval/dev.jsonl", "dev.jsonl for TestMeasureGlove, only its tuning half (odd ids) is read; arabic.jsonl is read from the same folder")

// readSet reads a question file in testdata/questions.jsonl's format, keeping the
// questions keep accepts.
func readSet(t testing.TB, path string, keep func(evalQuestion) bool) []evalQuestion {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("question set: %v", err)
	}
	defer f.Close()
	return decodeSet(t, f, path, keep)
}

// decodeSet reads questions, one JSON object a line (blank lines skipped), keeping
// the ones keep accepts (nil: all); name labels a line that does not decode.
func decodeSet(t testing.TB, r io.Reader, name string, keep func(evalQuestion) bool) []evalQuestion {
	t.Helper()
	var qs []evalQuestion
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var q evalQuestion
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if keep == nil || keep(q) {
			qs = append(qs, q)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return qs
}

// tuningHalf keeps dev.jsonl's questions with an odd id number (d01, d03, …); the even
// ones are the check half, never looked at while tuning.
func tuningHalf(q evalQuestion) bool {
	n, err := strconv.Atoi(strings.TrimPrefix(q.ID, "d"))
	return err == nil && n%2 == 1
}

// TestMeasureGlove prints the word-vector tables of docs/RETRIEVAL.md ("Word vectors"):
// each embedder at several fusion weights on the public set, our paraphrases and the
// tuning half of dev.jsonl (retrieval only: hit@1, hit@3, MRR@10).
//
//	go test ./retrieval -run MeasureGlove -v -args -measure [-dev ../../shared/eval/dev.jsonl]
func TestMeasureGlove(t *testing.T) {
	if !*measure {
		t.Skip("-measure not set")
	}
	sets := []struct {
		name string
		qs   []evalQuestion
	}{
		{"public", readSet(t, "../testdata/questions.jsonl", nil)},
		{"paraphrases", readSet(t, "../testdata/paraphrases.jsonl", nil)},
		{"dev tuning half", readSet(t, *devSet, tuningHalf)},
		{"arabic", readSet(t, strings.Replace(*devSet, "dev.jsonl", "arabic.jsonl", 1), nil)},
	}
	type variant struct {
		name string
		e    Embedder
		vw   float64 // vector weight in the fusion
	}
	var vs []variant
	for _, vw := range []float64{0.2, 0.3, 0.5} {
		vs = append(vs, variant{"local", Local{}, vw}, variant{"glove", Glove{}, vw})
		for _, hw := range []float64{0.3, 0.5, 0.7} {
			vs = append(vs, variant{fmt.Sprintf("hybrid w=%g", hw), Hybrid{GloveWeight: hw}, vw})
		}
	}
	vs = append(vs, variant{"glove", Glove{}, 0.4}, variant{"glove", Glove{}, 0.6}, variant{"glove", Glove{}, 0.7})
	for _, hw := range []float64{0.8, 0.9, 0.95} {
		for _, vw := range []float64{0.3, 0.5} {
			vs = append(vs, variant{fmt.Sprintf("hybrid w=%g", hw), Hybrid{GloveWeight: hw}, vw})
		}
	}
	head := "| embedder | vector weight |"
	for _, s := range sets {
		head += " " + s.name + " hit@1, hit@3, MRR |"
	}
	fmt.Println(head)
	fmt.Println("|---|---|" + strings.Repeat("---|", len(sets)))
	for _, v := range vs {
		ix, _, err := Open(t.Context(), Config{Embedder: v.e})
		if err != nil {
			t.Fatal(err)
		}
		vw := v.vw
		ix.fuse = func(vec, kw []scored) []scored { return fuseWeighted(vw, vec, kw) }
		row := fmt.Sprintf("| %s | %g |", v.name, v.vw)
		for _, s := range sets {
			h1, h3, mrr, n := scores(t, ix, s.qs)
			row += fmt.Sprintf(" %d/%d, %d/%d, %.3f |", h1, n, h3, n, mrr)
		}
		fmt.Println(row)
	}
}
