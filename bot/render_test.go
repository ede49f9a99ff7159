package bot

import (
	"bytes"
	"encoding/json"
	"slices"
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

// TestRenderAnswerArabic: an Arabic answer's Arabic lines open with a right-to-left mark
// and isolate their [n] markers; the sources' English sentences are left as they are; the
// Sources embed has the Arabic heading.
func TestRenderAnswerArabic(t *testing.T) {
	a := falaj.Answer{
		ID:        "a1",
		Lang:      falaj.LangArabic,
		Answered:  true,
		Answerer:  falaj.AnswererExtractive,
		Text:      "هذا ما تقوله المصادر:\n\nTrump called the talks “very good” [1].",
		Note:      "النموذج اللغوي غير متاح (timeout)؛ استُخرجت هذه الإجابة من المصادر.",
		Citations: []falaj.Citation{{N: 1, Passage: falaj.Passage{Title: "Oman's Quiet Role", Ordinal: 1, Text: "Trump called the talks “very good”."}}},
	}
	r := renderAnswer("", a)
	want := "\u200fهذا ما تقوله المصادر:\n\nTrump called the talks “very good” [1].\n\n-# \u200fالنموذج اللغوي غير متاح (timeout)؛ استُخرجت هذه الإجابة من المصادر."
	if len(r.parts) != 1 || r.parts[0] != want {
		t.Errorf("parts = %q; want %q", r.parts, want)
	}
	if len(r.embeds) != 1 || r.embeds[0].Title != "المصادر" {
		t.Errorf("embeds %+v; want one titled المصادر", r.embeds)
	}

	llm := renderAnswer("", falaj.Answer{ID: "a2", Lang: falaj.LangArabic, Answered: true, Answerer: falaj.AnswererLLM,
		Text:      "JCPOA هي الاتفاق النووي لعام 2015 [1]، وانسحبت منه الولايات المتحدة [1, 2].",
		Citations: append(slices.Clone(a.Citations), falaj.Citation{N: 2, Passage: falaj.Passage{Title: "Other", Ordinal: 2, Text: "The US withdrew in 2018."}})})
	if want := "\u200fJCPOA هي الاتفاق النووي لعام 2015 \u2066[1]\u2069، وانسحبت منه الولايات المتحدة \u2066[1, 2]\u2069."; llm.parts[0] != want {
		t.Errorf("model's Arabic answer = %q; want %q", llm.parts[0], want)
	}

	en := renderAnswer("", falaj.Answer{ID: "e1", Answered: true, Text: "Oman hosted the talks [1].", Citations: a.Citations})
	if en.parts[0] != "Oman hosted the talks [1]." || en.embeds[0].Title != "Sources" {
		t.Errorf("English answer = %q, embed %q; want it unchanged, titled Sources", en.parts[0], en.embeds[0].Title)
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

// TestRenderAnswerCapsMessages: a runaway answer takes at most maxAnswerMessages
// messages, each within Discord's limit, the last ending with the cut note; the related
// outcome lists its passages as sources.
func TestRenderAnswerCapsMessages(t *testing.T) {
	t.Parallel()
	c := falaj.Citation{N: 1, Passage: falaj.Passage{Title: "T", Author: "A", Ordinal: 1, Text: "Oman hosted the talks."}}
	long := falaj.Answer{ID: "l1", Answered: true, Status: falaj.StatusAnswered, Answerer: falaj.AnswererLLM,
		Text: strings.Repeat("Oman hosted the talks [1]. ", 2000), Citations: []falaj.Citation{c}}
	r := renderAnswer("", long)
	if len(r.parts) != maxAnswerMessages || !strings.HasSuffix(r.parts[len(r.parts)-1], cutNote) {
		t.Fatalf("%d parts, last ending %q; want %d ending with the cut note", len(r.parts), r.parts[len(r.parts)-1][max(0, len(r.parts[len(r.parts)-1])-80):], maxAnswerMessages)
	}
	for i, p := range r.parts {
		if n := len([]rune(p)); n > maxMessageRunes {
			t.Errorf("part %d has %d runes; Discord takes %d", i, n, maxMessageRunes)
		}
	}
	related := renderAnswer("", falaj.Answer{ID: "r1", Status: falaj.StatusRelated, Text: "These passages look related: [1] “Oman hosted the talks.”", Citations: []falaj.Citation{c}})
	if len(related.embeds) != 1 || len(related.embeds[0].Fields) != 1 {
		t.Errorf("related outcome embeds %+v; want its passage as a source", related.embeds)
	}
}
