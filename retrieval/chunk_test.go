package retrieval

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/falaj-bot/falaj/seeds"
)

func TestCleaningDropsBoilerplate(t *testing.T) {
	d := document{
		ID: "x", Title: "Oman’s Bridge", Author: "Jane Doe", Outlet: "Daily",
		Body: strings.Join([]string{
			"Official Partner", "", "Oman’s Bridge", "", "by Jane Doe", "", "Author:   Jane Doe", "",
			"Subscribe to Daily's Blog", "", "VCG", "",
			"Oman hosted talks in Muscat. Both sides attended.", "",
			"Photo: Quadrilateral Coordination Group", "", "author avatar", "",
			"Jane Doe", "", "Jane Doe is a fellow at an institute in Muscat.", "",
			"Tailor your subscription to your interests.", "",
			"2 Comments", "", "  1. Great article, Oman rocks!", "", "Comments are closed.",
		}, "\n"),
	}
	var all []string
	for _, c := range chunkDocument(d, 700) {
		all = append(all, c.passage.Text)
	}
	text := strings.Join(all, "\n")
	for _, bad := range []string{"Official Partner", "Oman’s Bridge", "by Jane", "Author:", "Subscribe", "VCG", "Photo:", "avatar", "Tailor", "Comments", "Great article"} {
		if strings.Contains(text, bad) {
			t.Errorf("passages contain %q:\n%s", bad, text)
		}
	}
	for _, good := range []string{"Oman hosted talks in Muscat. Both sides attended.", "Jane Doe is a fellow at an institute in Muscat."} {
		if !strings.Contains(text, good) {
			t.Errorf("passages lost %q:\n%s", good, text)
		}
	}
}

func TestSeedPassagesAreClean(t *testing.T) {
	docs, _, err := loadCorpus(seeds.FS)
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, d := range docs {
		for _, c := range chunkDocument(d, DefaultChunkSize) {
			all.WriteString(c.passage.Text + "\n")
		}
	}
	text := all.String()
	for _, bad := range []string{"Subscribe to", "Tailor your subscription", "Comments are closed", "author avatar", "Official Partner", "Photo:", "Author:", "One Comment", "Obama in the Spring", "\nVCG\n"} {
		if strings.Contains(text, bad) {
			t.Errorf("seed passages contain %q", bad)
		}
	}
	for _, good := range []string{
		"Giorgio Cafiero is the CEO and founder of Gulf State Analytics", // the bio stays
		"Saudi Arabia and Qatar | Arab boycott of Qatar | 2017 | Remained neutral; avoided participation.",
		"USA and Iran | Prisoner exchange | 2023 | Brokered a USD 6 billion prisoner exchange.",
		"Iraq and Iran | First Gulf War (1980s) | 1980s | Practised impartiality",
	} {
		if !strings.Contains(text, good) {
			t.Errorf("seed passages lack %q", good)
		}
	}
}

func TestSeparateCellsOnlyInsertsSeparators(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"USA and IranPrisoner exchange2023Brokered a USD 6 billion prisoner exchange.", "USA and Iran | Prisoner exchange | 2023 | Brokered a USD 6 billion prisoner exchange."},
		{"Parties InvolvedIssue/ConflictDateOutcome/Role", "Parties Involved | Issue/Conflict | Date | Outcome/Role"},
		{"USA and IranSecret talks on nuclear programmeEarly 2010sHosted back-channel talks.", "USA and Iran | Secret talks on nuclear programme | Early 2010s | Hosted back-channel talks."},
		{"McDonald and iPhone stay whole", "McDonald and iPhone stay whole"},
	} {
		got := separateCells(tt.in)
		if got != tt.want {
			t.Errorf("separateCells(%q) = %q; want %q", tt.in, got, tt.want)
		}
		if strings.ReplaceAll(got, cellSeparator, "") != tt.in {
			t.Errorf("separateCells(%q) changed more than separators: %q", tt.in, got)
		}
	}
}

func TestChunkSizesAndOrdinals(t *testing.T) {
	var paras []string
	for i := range 12 {
		paras = append(paras, fmt.Sprintf("Paragraph %d says that Oman hosted talks number %d in Muscat.", i, i))
	}
	var long []string
	for i := range 40 {
		long = append(long, fmt.Sprintf("Sentence %d of the long paragraph is about mediation.", i))
	}
	paras = append(paras, "A Heading Line", strings.Join(long, " "), "Short end.")
	d := document{ID: "doc", Title: "T", Author: "A", Body: strings.Join(paras, "\n\n")}
	for _, size := range []int{200, 400, 700} {
		cs := chunkDocument(d, size)
		var texts []string
		for i, c := range cs {
			p := c.passage
			if p.Ordinal != i+1 || p.ID != fmt.Sprintf("doc#%d", i+1) || p.Doc != "doc" || p.Title != "T" || p.Author != "A" {
				t.Errorf("size %d passage %d = %+v", size, i, p)
			}
			if n := utf8.RuneCountInString(p.Text); n > size+len("A Heading Line\n\n") {
				t.Errorf("size %d: passage %d has %d runes", size, i+1, n)
			}
			if strings.HasSuffix(p.Text, "A Heading Line") {
				t.Errorf("size %d: passage %d ends with a heading", size, i+1)
			}
			texts = append(texts, p.Text)
		}
		joined := strings.Join(texts, " ")
		for _, want := range append(paras[:12:12], long...) {
			if !strings.Contains(joined, want) {
				t.Errorf("size %d: lost %q", size, want)
			}
		}
		if !strings.Contains(joined, "A Heading Line\n\nSentence 0 ") {
			t.Errorf("size %d: heading not attached to the paragraph it introduces", size)
		}
		if len(cs) < 3 {
			t.Errorf("size %d: %d passages; want the long paragraph split", size, len(cs))
		}
	}
}

func TestChunkSplitsOverlongSentencesAtWords(t *testing.T) {
	var words []string
	for i := range 30000 { // about 430 KB without a full stop, like a pasted transcript
		words = append(words, fmt.Sprintf("mediation%d", i))
	}
	for _, tt := range []struct {
		name       string
		words      []string
		wholeWords bool // false: a word longer than a passage must be cut
	}{
		{"unpunctuated paragraph", words, true},
		{"multi-byte words", strings.Fields(strings.Repeat("Ομάν διάλογος ειρήνη ", 200)), true},
		{"one word longer than a passage", []string{"Oman", strings.Repeat("é", 1500), "talks"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := document{ID: "doc", Title: "T", Body: "Oman hosted talks.\n\n" + strings.Join(tt.words, " ")}
			var got []string
			for i, c := range chunkDocument(d, 700) {
				if n := utf8.RuneCountInString(c.passage.Text); n > 700 {
					t.Errorf("passage %d has %d runes; want at most 700", i+1, n)
				}
				if !utf8.ValidString(c.passage.Text) {
					t.Errorf("passage %d is not valid UTF-8", i+1)
				}
				got = append(got, strings.Fields(c.passage.Text)...)
			}
			want := append([]string{"Oman", "hosted", "talks."}, tt.words...)
			if tt.wholeWords && !slices.Equal(got, want) {
				t.Errorf("passages hold %d words; want the %d words of the document, whole and in order", len(got), len(want))
			}
			if g, w := strings.Join(got, ""), strings.Join(want, ""); g != w {
				t.Errorf("passages hold %d runes of text; want the document's %d, in order", utf8.RuneCountInString(g), utf8.RuneCountInString(w))
			}
		})
	}
}
