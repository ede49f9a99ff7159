package retrieval

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/lexical"
)

func TestSearchFindsPassagesByTheirByline(t *testing.T) {
	fsys := fstest.MapFS{
		"talks.md": {Data: []byte("---\ntitle: Talks in Muscat\nauthor: Jane Doe\noutlet: Gulf Daily\ndate: 2024-03-05\n---\n" +
			"I travelled to Muscat this week. The envoys met twice and agreed to meet again.\n\nThe second meeting was shorter than the first.")},
		"water.txt": {Data: []byte("---\ntitle: Water shares\nauthor: Omar Said\noutlet: Desert Review\ndate: 12 November 2019\n---\n" +
			"The falaj divides water into time shares. The wakil keeps the records of every share.")},
		"trade.txt": {Data: []byte("---\ntitle: Trade routes\noutlet: Harbour Notes\n---\n" +
			"Frankincense left the port of Sumhuram for Rome and for the cities of the Indus.")},
	}
	ix, _, err := Open(t.Context(), Config{Corpus: fsys})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		q, doc    string
		confident bool // the byline alone answers who or where: the confidence passes the gate
	}{
		{"Who is Jane Doe?", "talks", true},
		{"What did Omar Said write?", "water", true},
		{"What does Harbour Notes say?", "trade", true},
		{"Which piece did the Desert Review run?", "water", false},
		{"Which article is from March 2024?", "talks", false},
		{"What was published in November 2019?", "water", false},
	} {
		t.Run(tt.q, func(t *testing.T) {
			res, err := ix.Search(t.Context(), tt.q, 3)
			if err != nil || len(res.Passages) == 0 {
				t.Fatalf("Search: %v, %d passages", err, len(res.Passages))
			}
			if got := res.Passages[0].Doc; got != tt.doc {
				t.Errorf("best passage from %s; want %s", got, tt.doc)
			}
			if tt.confident && res.Confidence < falaj.DefaultMinConfidence {
				t.Errorf("confidence %.2f; want at least %.2f", res.Confidence, falaj.DefaultMinConfidence)
			}
		})
	}
	for _, id := range []string{"talks#1", "water#1", "trade#1"} {
		p, err := ix.Passage(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, by := range []string{"Jane Doe", "Gulf Daily", "Omar Said", "Desert Review", "Harbour Notes", "2024", "2019"} {
			if strings.Contains(p.Text, by) {
				t.Errorf("passage %s text %q contains %q; the byline is indexed, not quoted", id, p.Text, by)
			}
		}
	}
}

func TestMetaTerms(t *testing.T) {
	for _, tt := range []struct {
		name string
		d    document
		want []string
	}{
		{"author, outlet, ISO date", document{Author: "Jane Doe", Outlet: "Gulf Daily", Date: "2024-03-05"}, []string{"jane", "doe", "gulf", "daili", "2024", "march"}},
		{"outlet standing in for the author once", document{Author: "Harbour Notes", Outlet: "Harbour Notes"}, []string{"harbour", "note"}},
		{"date as written", document{Date: "12 November 2019"}, []string{"12", "novemb", "2019"}},
		{"none", document{}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := metaTerms(tt.d); !slices.Equal(got, tt.want) {
				t.Errorf("metaTerms(%+v) = %q; want %q", tt.d, got, tt.want)
			}
		})
	}
}

// TestSearchWithDocWeight: two passages match the query's rare word once each; only the
// second one's document also has the query's other word (in another passage). BM25 alone
// ranks them by passage order (a tie); with document-level evidence the second wins.
func TestSearchWithDocWeight(t *testing.T) {
	text := [][]string{
		{"falaj", "water", "share"},  // doc 0, passage 0
		{"falaj", "channel", "dig"},  // doc 1, passage 1
		{"oman", "mediat", "talks"},  // doc 1, passage 2
		{"river", "flood", "season"}, // doc 2, passage 3
	}
	title := make([][]string, len(text))
	ix := newKeywordIndex(text, title, nil)
	docOf := []int32{0, 1, 1, 2}
	q := []string{"falaj", "mediat"}
	plain := ix.searchWith(bm25Params{k1: bm25K1, b: bm25B}, docOf, q, 3)
	if plain[0].doc != 2 || plain[1].doc != 0 {
		t.Fatalf("BM25 alone: %v; want passage 2 (mediat) then 0 (tie with 1, earlier)", plain)
	}
	withDoc := ix.searchWith(bm25Params{k1: bm25K1, b: bm25B, docWeight: 0.5}, docOf, q, 3)
	if i, j := slices.IndexFunc(withDoc, func(s scored) bool { return s.doc == 1 }), slices.IndexFunc(withDoc, func(s scored) bool { return s.doc == 0 }); i < 0 || j >= 0 && j < i {
		t.Errorf("with document evidence: %v; want passage 1 (its document has both words) above passage 0", withDoc)
	}
	if got := ix.searchWith(bm25Params{k1: bm25K1, b: bm25B, docWeight: 0.5}, nil, q, 3); !slices.Equal(got, plain) {
		t.Errorf("docWeight without docOf: %v; want BM25 alone %v", got, plain)
	}
}

// The keyword search's dense accumulator ranks exactly as a map of scores, summed in
// the same order, ranked by sortScores.
func TestKeywordSearchMatchesMapOfScores(t *testing.T) {
	ix, _, err := Open(t.Context(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	kw := ix.st.kw
	for _, q := range []string{"Why is Oman trusted as a mediator?", "Iran nuclear deal 2015 talks in Muscat talks",
		"Aflaj", "What is the capital of France?", "the", "Oman Oman Oman"} {
		terms := lexical.Terms(q)
		acc := map[int]float64{}
		seen := map[string]bool{}
		for _, term := range terms {
			if seen[term] {
				continue
			}
			seen[term] = true
			for _, p := range kw.postings[term] {
				tf := float64(p.tf)
				acc[int(p.doc)] += kw.idf(term) * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*kw.lens[p.doc]/kw.avgLen))
			}
		}
		for _, n := range []int{1, 5, 30, 10000} {
			want := sortScores(acc)
			want = want[:min(n, len(want))]
			if got := kw.search(terms, n); !slices.Equal(got, want) {
				t.Errorf("search(%q, %d) = %v; want %v", q, n, got, want)
			}
		}
	}
}

// TestKeywordIndexRoundTrip: every kind of term frequency (whole, tenths, any other
// float) reads back bit for bit, and tenths take one byte, not five.
func TestKeywordIndexRoundTrip(t *testing.T) {
	ix := emptyKeywordIndex(3)
	ix.postings = map[string][]posting{
		"whole":  {{0, 1}, {1, 2}, {2, 1 << 19}},
		"tenths": {{0, 0.3}, {1, 1.3}, {2, float32(1 + 0.3 + 0.6)}},
		"other":  {{0, 0.123}, {2, 1 << 21}},
	}
	ix.df = map[string]int{"whole": 3, "tenths": 2}
	ix.lens = []float64{3, 4.5, 10}
	ix.finish()
	var e enc
	ix.appendTo(&e)
	d := &dec{b: e.b}
	got, err := readKeywordIndex(d, 3)
	if err != nil {
		t.Fatal(err)
	}
	for term, ps := range ix.postings {
		if !slices.Equal(got.postings[term], ps) {
			t.Errorf("%s: read %v; wrote %v", term, got.postings[term], ps)
		}
	}
	if !maps.Equal(got.df, ix.df) || !slices.Equal(got.lens, ix.lens) {
		t.Errorf("df %v, lens %v; wrote %v, %v", got.df, got.lens, ix.df, ix.lens)
	}
	var tenths enc
	tenthsOnly := &keywordIndex{postings: map[string][]posting{"t": {{0, 1.3}}}, df: map[string]int{}, lens: []float64{1}}
	tenthsOnly.appendTo(&tenths)
	// lens (8) + term count (1) + "t" (2) + df (1) + postings (1) + delta (1) + tf (1)
	if len(tenths.b) != 15 {
		t.Errorf("a tenths posting takes %d bytes in all; want 15 (its tf one byte)", len(tenths.b))
	}
}
