package retrieval

import "testing"

// TestConfigVectorWeight checks that Config.VectorWeight sets the fusion: a word the
// corpus never uses ("mediatorships") finds nothing in BM25 but shares character
// trigrams with "mediator", so only a vector side ranks passages above 0.
func TestConfigVectorWeight(t *testing.T) {
	const q = "mediatorships"
	for _, tt := range []struct {
		name     string
		weight   float64
		positive bool // the best passage scores above 0
	}{
		{"default 0.3", 0, true},
		{"vector only", 1, true},
		{"keyword only", -1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ix, _, err := Open(t.Context(), Config{VectorWeight: tt.weight})
			if err != nil {
				t.Fatal(err)
			}
			res, err := ix.Search(t.Context(), q, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Passages) == 0 {
				if tt.positive {
					t.Fatalf("Search(%q) found nothing; want the vector side's passages", q)
				}
				return
			}
			if got := res.Passages[0].Score > 0; got != tt.positive {
				t.Errorf("VectorWeight %v: best score %.3f; want above 0: %v", tt.weight, res.Passages[0].Score, tt.positive)
			}
		})
	}
}

func TestIsYear(t *testing.T) {
	for term, want := range map[string]bool{"2015": true, "1000": true, "2100": true, "2101": false, "0999": false, "999": false, "20150": false} {
		if got := isYear(term); got != want {
			t.Errorf("isYear(%q) = %v; want %v", term, got, want)
		}
	}
}

func TestIsNumber(t *testing.T) {
	for term, want := range map[string]bool{"10": true, "2015": true, "0": true, "": false, "g20": false, "covid19": false, "oman": false} {
		if got := isNumber(term); got != want {
			t.Errorf("isNumber(%q) = %v; want %v", term, got, want)
		}
	}
}
