package retrieval

import (
	"context"
	"errors"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/falaj-bot/falaj/lexical"
)

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func TestLocalEmbedder(t *testing.T) {
	e := Local{}
	if e.Name() != "local-hash-v2:dim=512" || (Local{Dim: 64}).Name() != "local-hash-v2:dim=64" {
		t.Errorf("Name() = %q", e.Name())
	}
	texts := []string{
		"Oman mediated the talks between Iran and the United States.",
		"Oman was the mediator of talks between the United States and Iran.",
		"The Aflaj irrigation system was developed around 2500 BCE.",
		"?!",
	}
	vs := checkEmbedder(t, e, texts, DefaultLocalDim)
	if near, far := dot(vs[0], vs[1]), dot(vs[0], vs[2]); near <= far+0.2 {
		t.Errorf("similar texts %.3f not clearly closer than unrelated %.3f", near, far)
	}
}

// checkEmbedder embeds texts (three with words, then one with none) twice and checks
// the contract every embedder keeps: dim dimensions, the same vectors each call, unit
// norm (zero for the wordless fourth) and context.Canceled from a cancelled context.
// It returns the first call's vectors.
func checkEmbedder(t *testing.T, e Embedder, texts []string, dim int) [][]float32 {
	t.Helper()
	vs, err := e.Embed(t.Context(), texts)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := e.Embed(t.Context(), texts)
	for i, v := range vs {
		if len(v) != dim {
			t.Fatalf("vector %d has %d dimensions", i, len(v))
		}
		if !slices.Equal(v, again[i]) {
			t.Errorf("vector %d differs between calls", i)
		}
		n := math.Sqrt(dot(v, v))
		if i < 3 && math.Abs(n-1) > 1e-5 {
			t.Errorf("vector %d has norm %f; want 1", i, n)
		}
		if i == 3 && n != 0 {
			t.Errorf("vector of %q has norm %f; want 0", texts[i], n)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := e.Embed(ctx, texts); !errors.Is(err, context.Canceled) {
		t.Errorf("Embed with a cancelled context: %v", err)
	}
	return vs
}

func TestCheckVector(t *testing.T) {
	for _, tt := range []struct {
		name string
		v    []float32
		dim  int
		want string // "" means ok
	}{
		{"ok normalized", []float32{3, 4}, 2, ""},
		{"any dim", []float32{1, 0, 0}, 0, ""},
		{"empty", nil, 0, "empty"},
		{"wrong dim", []float32{1, 2, 3}, 2, "3 dimensions, want 2"},
		{"nan", []float32{float32(math.NaN()), 1}, 2, "NaN"},
		{"inf", []float32{float32(math.Inf(1)), 1}, 2, "infinite"},
		{"zero", []float32{0, 0}, 2, "zero vector"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checkVector(tt.v, tt.dim)
			if tt.want == "" {
				if err != nil || math.Abs(math.Sqrt(dot(got, got))-1) > 1e-6 {
					t.Errorf("checkVector(%v) = %v, %v; want a unit vector", tt.v, got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("checkVector(%v) error = %v; want %q", tt.v, err, tt.want)
			}
		})
	}
}

func TestFusion(t *testing.T) {
	vec := []scored{{1, 0.9}, {2, 0.8}, {3, 0.1}}
	kw := []scored{{3, 12}, {1, 6}, {4, 3}}
	rrf := fuseRRF(60, vec, kw)
	// 1: 1/61+1/62, 3: 1/63+1/61, 2: 1/62, 4: 1/63
	if got := ids(rrf); !slices.Equal(got, []int{1, 3, 2, 4}) {
		t.Errorf("fuseRRF order = %v; want [1 3 2 4]", got)
	}
	if math.Abs(rrf[0].score-(1.0/61+1.0/62)) > 1e-12 {
		t.Errorf("fuseRRF top score = %v", rrf[0].score)
	}
	w := fuseWeighted(0.3, vec, kw)
	// 3: 0.3·0.1/0.9 + 0.7·1 = 0.733; 1: 0.3 + 0.7·0.5 = 0.65; 2: 0.3·0.8/0.9 = 0.267; 4: 0.7·0.25 = 0.175
	if got := ids(w); !slices.Equal(got, []int{3, 1, 2, 4}) {
		t.Errorf("fuseWeighted order = %v; want [3 1 2 4]", got)
	}
	if math.Abs(w[1].score-0.65) > 1e-9 {
		t.Errorf("fuseWeighted score of 1 = %v; want 0.65", w[1].score)
	}
	if got := ids(fuseWeighted(0.3, nil, kw)); !slices.Equal(got, []int{3, 1, 4}) {
		t.Errorf("fuseWeighted without vectors = %v; want keyword order", got)
	}
	if got := fuseRRF(60); len(got) != 0 {
		t.Errorf("fuseRRF() = %v; want empty", got)
	}
}

func ids(s []scored) []int {
	out := make([]int, len(s))
	for i, x := range s {
		out[i] = x.doc
	}
	return out
}

func TestKeywordIndex(t *testing.T) {
	ix := newKeywordIndex([][]string{{"oman", "talk", "iran"}, {"oman", "aflaj", "irrig"}, {"oman"}}, [][]string{nil, nil, {"iran"}}, nil)
	got := ix.search([]string{"iran", "talk"}, 10)
	if len(got) != 2 || got[0].doc != 0 || got[1].doc != 2 {
		t.Errorf("search = %v; want passage 0, then 2 (title match)", got)
	}
	if ix.idf("oman") >= ix.idf("aflaj") || ix.idf("aflaj") >= ix.idf("unknown") {
		t.Errorf("idf not decreasing with document frequency: %v %v %v", ix.idf("oman"), ix.idf("aflaj"), ix.idf("unknown"))
	}
	q := ix.queryTerms([]string{"aflaj", "irrig", "brazil"}, map[string]bool{"brazil": true})
	if c := ix.coverage(q, 1); c <= 0.3 || c >= 0.6 {
		t.Errorf("coverage with one unknown name = %v; want between 0.3 and 0.6", c)
	}
	if c := ix.confidence(ix.queryTerms([]string{"aflaj", "irrig"}, nil), []int{1}); c != 1 {
		t.Errorf("confidence of a fully covered query = %v; want 1", c)
	}
	if c := ix.confidence(nil, []int{1}); c != 0 {
		t.Errorf("confidence of no terms = %v; want 0", c)
	}
}

// localVectorByName is Local.vector as it was written first, with features as strings
// hashed by hash/fnv: the allocation-free version must give the same vectors.
func localVectorByName(dim int, text string) []float32 {
	feats := map[string]float64{}
	terms := lexical.Terms(text)
	for i, t := range terms {
		feats["w:"+t]++
		if i > 0 {
			feats["b:"+terms[i-1]+" "+t] += 0.5
		}
	}
	for _, w := range lexical.Words(text) {
		if lexical.IsStopword(w) || len(w) < 3 {
			continue
		}
		rs := []rune("<" + w + ">")
		n := len(rs) - 2
		for j := 0; j+3 <= len(rs); j++ {
			feats["c:"+string(rs[j:j+3])] += 0.5 / float64(n)
		}
	}
	v := make([]float32, dim)
	h := fnv.New64a()
	for f, c := range feats {
		h.Reset()
		h.Write([]byte(f))
		x := h.Sum64()
		w := c
		if c >= 1 {
			w = 1 + math.Log(c)
		}
		if x>>63 == 1 {
			w = -w
		}
		v[x%uint64(dim)] += float32(w)
	}
	normalizeInPlace(v)
	return v
}

func TestLocalVectorMatchesFeatureNames(t *testing.T) {
	for _, text := range []string{
		"Oman hosted indirect talks between Iran and the United States in Muscat.",
		"Les médiateurs omanais — ‘back-channel’ diplomacy, 2013–2015; سلطنة عمان",
		"a",
	} {
		got, want := Local{Dim: 512}.vector(text), localVectorByName(512, text)
		for i := range got {
			if math.Abs(float64(got[i]-want[i])) > 1e-6 {
				t.Fatalf("vector(%q)[%d] = %v; the string-named features give %v", text, i, got[i], want[i])
			}
		}
	}
}
