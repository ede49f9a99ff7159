package falaj_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/falaj-bot/falaj"
)

func TestCitationMarkers(t *testing.T) {
	footnoted := falaj.Passage{Text: "Oman stayed neutral in 2011.[1] It hosted\ntalks in 2013.[13][14] Then it mediated."}
	plain := falaj.Passage{Text: "Oman hosted the talks."}
	for _, tt := range []struct {
		name      string
		text      string
		citations []falaj.Citation
		want      []string // each marker as "text@start→numbers"
	}{
		{"extractive answer", "Oman hosted the talks [1].", []falaj.Citation{{N: 1, Passage: plain}}, []string{"[1]@22→[1]"}},
		{"a footnote copied with its sentence is text", "Oman stayed neutral in 2011.[1] [1]",
			[]falaj.Citation{{N: 1, Passage: footnoted}}, []string{"[1]@32→[1]"}},
		{"footnotes across a line break, then the citation", "It hosted talks in 2013.[13][14] [2]",
			[]falaj.Citation{{N: 1, Passage: plain}, {N: 2, Passage: footnoted}, {N: 13, Passage: plain}, {N: 14, Passage: plain}},
			[]string{"[2]@33→[2]"}},
		{"a number no citation has is text", "Oman mediated [7].", []falaj.Citation{{N: 1, Passage: plain}}, nil},
		{"grouped markers", "Oman mediated [1, 2].", []falaj.Citation{{N: 1, Passage: plain}, {N: 2, Passage: plain}}, []string{"[1, 2]@14→[1 2]"}},
		{"adjacent citations", "Then it mediated. [1][2]",
			[]falaj.Citation{{N: 1, Passage: footnoted}, {N: 2, Passage: footnoted}}, []string{"[1]@18→[1]", "[2]@21→[2]"}},
		{"a marker with no words before it is a citation", "[1] Oman stayed neutral.",
			[]falaj.Citation{{N: 1, Passage: footnoted}}, []string{"[1]@0→[1]"}},
		{"no citations", "Oman [1].", nil, nil},
		{"the context starts after the previous citation's punctuation", "Oman hosted the talks [2]. Then it mediated.[1] [1]",
			[]falaj.Citation{{N: 1, Passage: falaj.Passage{Text: "Peace came. Then it mediated.[1] More."}}, {N: 2, Passage: plain}},
			[]string{"[2]@22→[2]", "[1]@48→[1]"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := falaj.Answer{Text: tt.text, Citations: tt.citations}
			var got []string
			for _, m := range falaj.CitationMarkers(a) {
				got = append(got, fmt.Sprintf("%s@%d→%v", a.Text[m.Start:m.End], m.Start, m.Ns))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("CitationMarkers(%q) = %q; want %q", tt.text, got, tt.want)
			}
		})
	}
}
