package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/falaj-bot/falaj/retrieval"
	"github.com/falaj-bot/falaj/retrieval/wordvec"
)

// TestDerive runs read and encode on a file in the npm package's format.
func TestDerive(t *testing.T) {
	in := `{"precision":8,"l2NormIndex":3,"wordIndex":4,"size":5,"dimensions":3,
		"words":["the",",","oman","muscat","xyz"],
		"vectors":{"the":[1,0,0,1,0],",":[0,1,0,1,1],"oman":[0.5,0.25,-1,1.1,2],"muscat":[0,0,2,2,3],"xyz":[1,1,1,1.7,4]},
		"unkVector":[0,0,0,0,-1]}`
	words, vecs, vocab, err := read(strings.NewReader(in), 3)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(words, []string{"the", ",", "oman"}) || vocab != 5 || !slices.Equal(vecs[2], []float32{0.5, 0.25, -1}) {
		t.Fatalf("read = %q, %v, vocabulary %d", words, vecs, vocab)
	}
	s, err := wordvec.Parse("test", encode(words, vecs, vocab, []float32{0, 0, 1}))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Vector(2); math.Abs(float64(got[0])-0.5) > 0.005 || math.Abs(float64(got[2])+1) > 1e-6 {
		t.Errorf("oman after int8 = %v; want about [0.5 0.25 -1]", got)
	}
	if !slices.Equal(s.Common(), []float32{0, 0, 1}) || s.Vocab() != 5 {
		t.Errorf("common %v, vocabulary %d", s.Common(), s.Vocab())
	}
	bad := strings.Replace(in, `"oman":[0.5,0.25,-1,1.1,2]`, `"oman":[0.5,0.25,-1,1.1,7]`, 1)
	if _, _, _, err := read(strings.NewReader(bad), 3); err == nil {
		t.Error("read accepted a vector whose rank is not its place in the word list")
	}
}

// TestStoredCommonComponent checks that the embedded table's common component is the
// one this script computes from the seeds today: change the seeds or the SIF code and
// this fails until `go run ./scripts/glove -common` refreshes it.
func TestStoredCommonComponent(t *testing.T) {
	texts, err := seedParagraphs()
	if err != nil {
		t.Fatal(err)
	}
	s := wordvec.Default()
	u, err := retrieval.CommonComponent(t.Context(), s, texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range s.Common() {
		if math.Abs(float64(x-u[i])) > 1e-5 {
			t.Fatalf("stored component[%d] = %f, computed %f: run go run ./scripts/glove -common", i, x, u[i])
		}
	}
}

// TestRefreshCommon: -common rewrites only the component, from the seeds.
func TestRefreshCommon(t *testing.T) {
	words := []string{"the", "oman", "muscat", "talks"}
	vecs := [][]float32{{1, 0, 0}, {0, 1, 0.5}, {0, 0.8, 1}, {0.3, 0.2, 0.1}}
	old := encode(words, vecs, 10, []float32{1, 0, 0})
	file := filepath.Join(t.TempDir(), "t.bin")
	if err := os.WriteFile(file, old, 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	if err := run(t.Context(), []string{"-common", "-out", file}, &stderr); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s, err := wordvec.Parse("t", b)
	if err != nil {
		t.Fatal(err)
	}
	texts, _ := seedParagraphs()
	want, err := retrieval.CommonComponent(t.Context(), s, texts)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Common(), want) {
		t.Errorf("component after -common = %v; want %v", s.Common(), want)
	}
	if !slices.Equal(s.Vector(2), vecsOf(t, old, 2)) || len(b) != len(old) {
		t.Error("-common changed more than the component")
	}
}

func vecsOf(t *testing.T, b []byte, i int) []float32 {
	t.Helper()
	s, err := wordvec.Parse("old", b)
	if err != nil {
		t.Fatal(err)
	}
	return s.Vector(i)
}
