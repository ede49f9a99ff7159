package lexical

import (
	"slices"
	"testing"
)

func TestCompounds(t *testing.T) {
	known := func(t string) bool { return t == "breakdown" || t == "backchannel" }
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"Why did the QCG talks break down?", []string{"breakdown"}},
		{"a back channel", []string{"backchannel"}},
		{"a back-channel", []string{"backchannel", "backchannel"}},
		{"talks broke", nil},
	} {
		if got := Compounds(tt.in, known); !slices.Equal(got, tt.want) {
			t.Errorf("Compounds(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	if got := Hyphenated("non-alignment and de-escalation"); !slices.Equal(got, []string{Stem("nonalignment"), Stem("deescalation")}) {
		t.Errorf("Hyphenated = %q", got)
	}
}

func TestSubstitute(t *testing.T) {
	known := func(t string) bool { return t == "exchang" || t == "talk" || t == "swap2" }
	got := Substitute([]string{Stem("swap"), "talk", "unknown"}, known)
	if want := []string{"exchang", "talk", "unknown"}; !slices.Equal(got, want) {
		t.Errorf("Substitute = %q; want %q", got, want)
	}
	for _, g := range synonymGroups {
		for _, term := range g {
			if term != Stem(term) {
				t.Errorf("synonym %q is not a stem (Stem gives %q)", term, Stem(term))
			}
		}
	}
}
