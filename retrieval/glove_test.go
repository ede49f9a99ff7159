package retrieval

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/falaj-bot/falaj/retrieval/wordvec"
)

func TestGloveTokens(t *testing.T) {
	known := func(w string) (int, bool) {
		return 0, slices.Contains([]string{"co-operation", "o'brien"}, w)
	}
	for _, tt := range []struct {
		name, in string
		want     []string
	}{
		{"lower case, punctuation dropped", "Oman, the US and Iran.", []string{"oman", "the", "us", "and", "iran"}},
		{"possessive", "Oman’s role", []string{"oman", "role"}},
		{"n't", "They don't talk", []string{"they", "do", "talk"}},
		{"known apostrophe word kept", "O'Brien said", []string{"o'brien", "said"}},
		{"known hyphenated word kept", "co-operation", []string{"co-operation"}},
		{"unknown hyphenated word split", "US-Iran talks", []string{"us", "iran", "talks"}},
		{"digits", "in 2025", []string{"in", "2025"}},
		{"stray marks", "-- ' -", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			gloveTokens(tt.in, func(s string) { got = append(got, s) }, known)
			if !slices.Equal(got, tt.want) {
				t.Errorf("gloveTokens(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestGloveEmbedder(t *testing.T) {
	g := Glove{}
	if got, want := g.Name(), "glove-sif-v1:"+wordvec.Default().Name()+":dim=100"; got != want || !strings.HasPrefix(got, "glove-sif-v1:glove50k-") {
		t.Errorf("Name() = %q; want %q", got, want)
	}
	if got := (Glove{A: 1e-4}).Name(); !strings.HasSuffix(got, ":a=0.0001") {
		t.Errorf("Name() with A set = %q; want the a in it", got)
	}
	texts := []string{
		"Oman brokered a ceasefire between the warring sides.",
		"The sultanate mediated a truce between the two enemies.",
		"Bake the banana bread for forty minutes.",
		"Xqzzv Wqqtp!", // no word the table knows
	}
	vs := checkEmbedder(t, g, texts, 100)
	for i, v := range vs[:3] {
		if c := dot(v, wordvec.Default().Common()); math.Abs(c) > 1e-4 {
			t.Errorf("vector %d keeps %.4f of the common component; want 0", i, c)
		}
	}
	// No word of 0 and 1 is shared but "a", "the" and "between", which SIF nearly
	// ignores: the closeness is the vectors' meaning.
	if near, far := dot(vs[0], vs[1]), dot(vs[0], vs[2]); near <= far+0.3 {
		t.Errorf("paraphrases %.3f not clearly closer than unrelated %.3f", near, far)
	}
}

func TestSIFWeights(t *testing.T) {
	// A frequent word barely moves the vector; a rarer one dominates it.
	g := Glove{}
	s := wordvec.Default()
	the, ok1 := s.Lookup("the")
	truce, ok2 := s.Lookup("truce")
	if !ok1 || !ok2 || the != 0 {
		t.Fatalf(`Lookup("the") = %d, %v; Lookup("truce") = %d, %v`, the, ok1, truce, ok2)
	}
	v := g.sif(s, "the truce")
	normalizeInPlace(v)
	w := s.Vector(truce)
	normalizeInPlace(w)
	if c := dot(v, w); c < 0.99 {
		t.Errorf(`cos(sif("the truce"), truce) = %.4f; want ≥ 0.99 ("the" weighs ~0.01)`, c)
	}
}

func TestHybridEmbedder(t *testing.T) {
	h := Hybrid{GloveWeight: 0.6}
	if got, want := h.Name(), "hybrid-v1:w=0.6+"+(Glove{}).Name()+"+local-hash-v2:dim=512"; got != want {
		t.Errorf("Name() = %q; want %q", got, want)
	}
	texts := []string{"Oman hosted the talks in Muscat.", "Muscat was the venue of the negotiations."}
	hv, err := h.Embed(t.Context(), texts)
	if err != nil {
		t.Fatal(err)
	}
	gv, _ := Glove{}.Embed(t.Context(), texts)
	lv, _ := Local{}.Embed(t.Context(), texts)
	if len(hv[0]) != 100+DefaultLocalDim {
		t.Fatalf("hybrid vector has %d dimensions; want 612", len(hv[0]))
	}
	got, want := dot(hv[0], hv[1]), 0.6*dot(gv[0], gv[1])+0.4*dot(lv[0], lv[1])
	if math.Abs(got-want) > 1e-5 {
		t.Errorf("hybrid cosine = %.5f; want 0.6·glove + 0.4·local = %.5f", got, want)
	}
	if n := dot(hv[0], hv[0]); math.Abs(n-1) > 1e-5 {
		t.Errorf("hybrid vector has squared norm %.5f; want 1", n)
	}
}

func TestFusionFor(t *testing.T) {
	vec := []scored{{0, 1}, {1, 0.5}}
	kw := []scored{{1, 2}, {0, 1}}
	for _, tt := range []struct {
		name string
		e    Embedder
		want float64 // the vector weight
	}{
		{"local keeps the default", Local{}, vectorWeight},
		{"glove", Glove{}, DefaultGloveVectorWeight},
		{"glove with its own weight", Glove{FusionWeight: 0.8}, 0.8},
		{"hybrid", Hybrid{}, DefaultHybridVectorWeight},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, want := fusionFor(tt.e)(vec, kw), fuseWeighted(tt.want, vec, kw)
			if !slices.Equal(got, want) {
				t.Errorf("fusionFor(%s) = %v; want weight %g: %v", tt.e.Name(), got, tt.want, want)
			}
		})
	}
}

func TestCommonComponent(t *testing.T) {
	s := wordvec.Default()
	texts := []string{"Oman mediated between Iran and the United States.", "The talks were held in Muscat.", "Xqzzv"}
	u, err := CommonComponent(t.Context(), s, texts)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := CommonComponent(t.Context(), s, texts)
	if !slices.Equal(u, again) {
		t.Error("CommonComponent differs between calls")
	}
	if n := dot(u, u); math.Abs(n-1) > 1e-5 {
		t.Errorf("component has squared norm %.5f; want 1", n)
	}
	if _, err := CommonComponent(t.Context(), s, []string{"Xqzzv"}); err == nil {
		t.Error("CommonComponent of texts without known words: no error")
	}
}

// TestGloveFindsParaphrase: "What role did Oman play in Afghanistan?" shares few words
// with the passage that answers it ("Oman hosted but did not participate"); the
// offline hash embedder ranks that passage 6th, the word vectors bring it into the top 3.
func TestGloveFindsParaphrase(t *testing.T) {
	ix, _, err := Open(t.Context(), Config{Embedder: Glove{}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(t.Context(), "What role did Oman play in Afghanistan?", 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Passages {
		if strings.Contains(p.Text, "Oman hosted but did not participate") {
			return
		}
	}
	t.Errorf("no passage of the top 3 says %q", "Oman hosted but did not participate")
}

// BenchmarkGloveEmbed embeds one question and one passage-sized text with the
// embedded table (already loaded: wordvec.BenchmarkLoad measures the load).
func BenchmarkGloveEmbed(b *testing.B) {
	g := Glove{}
	wordvec.Default().Lookup("oman") // load outside the loop
	passage := strings.Repeat("Oman's foreign policy has long rested on neutrality, quiet mediation and dialogue with all sides. ", 8)
	for _, tt := range []struct{ name, text string }{
		{"question", "Why is Oman trusted as a mediator?"},
		{"passage=700B", passage[:700]},
	} {
		b.Run(tt.name, func(b *testing.B) {
			texts := []string{tt.text}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := g.Embed(b.Context(), texts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSearchSeedGlove is BenchmarkSearchSeed with the Glove and Hybrid embedders.
func BenchmarkSearchSeedGlove(b *testing.B) {
	for _, e := range []Embedder{Glove{}, Hybrid{}} {
		b.Run(strings.SplitN(e.Name(), "-", 2)[0], func(b *testing.B) {
			benchSearchSeed(b, Config{Embedder: e})
		})
	}
}
