package bot

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/falaj-bot/falaj/internal/falajtest"

	"github.com/falaj-bot/falaj"
)

func TestRenderAnswer(t *testing.T) {
	t.Parallel()
	a := falaj.Answer{
		ID:       "4f2a9c1e",
		Question: "Why is Oman trusted as a mediator?",
		Text:     "Oman has kept ties with both Washington and Tehran [1], and hosts talks quietly [2].",
		Answered: true,
		Note:     "LLM unavailable: timeout; extractive answer shown",
		Citations: []falaj.Citation{
			{N: 1, Quote: "Oman, with its long history of neutrality and its established relationships with both Washington and Tehran, provides a strategic and discreet venue.",
				Passage: falaj.Passage{Title: "Oman Hosts Crucial Discussions Between Iran and the United States", Author: "Staff Report", Ordinal: 3}},
			{N: 2, Passage: falaj.Passage{Title: "Oman's Quiet Role", Outlet: "Gulf News", Ordinal: 1, Text: "Muscat hosted the talks. Nobody announced them."}},
		},
	}
	r := renderAnswer("> Why is Oman trusted as a mediator?\n\n", a)
	var got bytes.Buffer
	enc := json.NewEncoder(&got)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(map[string]any{"parts": r.parts, "embeds": r.embeds, "components": r.components}); err != nil {
		t.Fatal(err)
	}
	falajtest.Golden(t, got.Bytes())

	declined := renderAnswer("", falaj.Answer{ID: "d1", Text: "The sources do not cover this."})
	if len(declined.embeds) != 0 || len(declined.parts) != 1 || len(declined.components) != 1 {
		t.Errorf("declined answer renders %+v, want its text and the buttons, no sources", declined)
	}
}

func TestSourcesEmbedWithinLimits(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("ẞig ", 3000)
	var cs []falaj.Citation
	for i := range 40 {
		cs = append(cs, falaj.Citation{N: i + 1, Quote: huge, Passage: falaj.Passage{Title: huge, Author: huge, Ordinal: i + 1}})
	}
	for _, tt := range []struct {
		name string
		cs   []falaj.Citation
	}{{"40 huge citations", cs}, {"3 huge citations", cs[:3]}, {"one", cs[:1]}} {
		t.Run(tt.name, func(t *testing.T) {
			e := sourcesEmbed(tt.cs)
			if len(e.Fields) > maxEmbedFields {
				t.Errorf("%d fields > %d", len(e.Fields), maxEmbedFields)
			}
			for _, f := range e.Fields {
				if n := utf8.RuneCountInString(f.Name); n > maxFieldName || n == 0 {
					t.Errorf("field name of %d characters", n)
				}
				if n := utf8.RuneCountInString(f.Value); n > maxFieldValue || n == 0 {
					t.Errorf("field value of %d characters", n)
				}
			}
			if n := embedSize(e); n > maxEmbedTotal {
				t.Errorf("embed of %d characters > %d", n, maxEmbedTotal)
			}
		})
	}
	var srcs []falaj.Source
	for range 200 {
		srcs = append(srcs, falaj.Source{Title: huge[:300], Author: "A", Passages: 3})
	}
	e := sourcesListEmbed(srcs)
	if n := utf8.RuneCountInString(e.Description); n > maxEmbedDescription || !strings.Contains(e.Description, "more.") {
		t.Errorf("/sources description of %d characters, want ≤ %d ending in \"… and N more.\"", n, maxEmbedDescription)
	}
	if n := embedSize(e); n > maxEmbedTotal {
		t.Errorf("/sources embed of %d characters > %d", n, maxEmbedTotal)
	}
}

func TestSourceFootnotesAreNotCitations(t *testing.T) {
	t.Parallel()
	p := falaj.Passage{Title: "Qatar", Author: "A", Ordinal: 3,
		Text: "During the boycott Oman remained neutral in 2017.[1] It kept its airspace open.[12][13]"}
	for _, tt := range []struct {
		name string
		a    falaj.Answer
		text string // the first part
		cite string // the first Sources field's value
	}{
		{"a quoted sentence keeps its footnotes as superscripts",
			falaj.Answer{Text: "During the boycott Oman remained neutral in 2017.[1] It kept its airspace open.[12][13] [1]", Answered: true,
				Citations: []falaj.Citation{{N: 1, Passage: p, Quote: "It kept its airspace open.[12][13]"}}},
			"During the boycott Oman remained neutral in 2017.⁽¹⁾ It kept its airspace open.⁽¹²⁾⁽¹³⁾ [1]",
			"A · passage 3\n> It kept its airspace open.⁽¹²⁾⁽¹³⁾"},
		{"a passage's opening words too",
			falaj.Answer{Text: "Oman stayed neutral [1].", Answered: true, Citations: []falaj.Citation{{N: 1, Passage: p}}},
			"Oman stayed neutral [1].",
			"A · passage 3\nPassage begins: During the boycott Oman remained neutral in 2017.⁽¹⁾ It kept its airspace open.⁽¹²⁾⁽¹³⁾"},
		{"numbers no citation has, grouped",
			falaj.Answer{Text: "Oman stayed neutral [1], see [4, 5].", Answered: true, Citations: []falaj.Citation{{N: 1, Passage: p, Quote: "q"}}},
			"Oman stayed neutral [1], see ⁽⁴˒⁵⁾.", "A · passage 3\n> q"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := renderAnswer("", tt.a)
			if r.parts[0] != tt.text {
				t.Errorf("text = %q; want %q", r.parts[0], tt.text)
			}
			if got := r.embeds[0].Fields[0].Value; got != tt.cite {
				t.Errorf("source = %q; want %q", got, tt.cite)
			}
		})
	}
}
