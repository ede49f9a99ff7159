package extract

import (
	"strings"
	"testing"

	"github.com/falaj-bot/falaj/lexical"
)

var testPassages = []Passage{
	{Title: "Oman Hosts Talks", Score: 1,
		Text: "Sources familiar with the discussions indicate that the primary focus remains on the nuclear program. " +
			"The 2015 Joint Comprehensive Plan of Action (JCPOA), from which the United States withdrew in 2018, continues to cast a long shadow. " +
			"Iran, for its part, has steadily advanced its nuclear capabilities since the U.S. withdrawal, enriching uranium to higher purities and installing advanced centrifuges."},
	{Title: "Oman’s Diplomatic Bridge in Afghanistan", Score: 0.9,
		Text: "Launched in January 2016, the QCG was to utilize its members’ influence over Kabul and Taliban fighters to bring both sides to the roundtable. " +
			"Islamabad saw the killing as undermining the peace process."},
}

func TestAnswer(t *testing.T) {
	for _, tt := range []struct {
		name      string
		question  string
		passages  []Passage
		want      string // a substring the answer must contain
		wantCite  int    // passage cited first
		wantEmpty bool
	}{
		{"year question picks the dated sentence", "When was the Quadrilateral Coordination Group (QCG) launched?", testPassages, "January 2016", 1, false},
		{"second passage can win", "In which year did the United States withdraw from the JCPOA?", testPassages, "withdrew in 2018", 0, false},
		{"nothing shared gives nothing", "What is the capital of France?", testPassages, "", 0, true},
		{"no passages give nothing", "When was the QCG launched?", nil, "", 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := Answer(Input{Question: tt.question, Passages: tt.passages})
			if got := len(r.Citations) == 0; got != tt.wantEmpty {
				t.Fatalf("Answer(%q) = %+v; want empty %v", tt.question, r, tt.wantEmpty)
			}
			if tt.wantEmpty {
				if r.Text != "" || r.Cover != 0 {
					t.Errorf("an empty result has text %q, cover %v", r.Text, r.Cover)
				}
				return
			}
			if !strings.Contains(r.Text, tt.want) {
				t.Errorf("answer %q lacks %q", r.Text, tt.want)
			}
			if r.Citations[0].Passage != tt.wantCite {
				t.Errorf("first citation is passage %d; want %d", r.Citations[0].Passage, tt.wantCite)
			}
			if !strings.Contains(r.Text, "[1]") {
				t.Errorf("answer %q has no [1] marker", r.Text)
			}
			if r.Cover <= 0 || r.Cover > 1 {
				t.Errorf("cover %v; want in (0, 1]", r.Cover)
			}
			// Faithful: every cited quote is the passage's own text.
			for _, c := range r.Citations {
				for _, s := range strings.Split(c.Quote, " … ") {
					if !strings.Contains(tt.passages[c.Passage].Text, s) {
						t.Errorf("quote %q is not in passage %d", s, c.Passage)
					}
				}
			}
		})
	}
}

func TestWithMarker(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"It hosted the talks.", "It hosted the talks [1]."},
		{"Was it?", "Was it [1]?"},
		{"No full stop", "No full stop [1]"},
		{"Trump called them “very good”.", "Trump called them “very good” [1]."},
	} {
		if got := WithMarker(tt.in, 1); got != tt.want {
			t.Errorf("WithMarker(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestAnswerSkipsNonAnswers(t *testing.T) {
	p := Passage{Title: "T", Score: 1, Text: "Why is Oman hosting the Afghanistan talks?\n" +
		"Oman hosting the Afghanistan talks\n" +
		"Oman believes that hosting talks on Afghanistan is always the sound policy."}
	r := Answer(Input{Question: "Why is Oman hosting Afghanistan talks?", Passages: []Passage{p}})
	want := "Oman believes that hosting talks on Afghanistan is always the sound policy [1]."
	if r.Text != want {
		t.Errorf("answer %q; want only the statement %q (no question, no heading)", r.Text, want)
	}
}

func TestAnswerCutsRunOnSentences(t *testing.T) {
	long := "Oman hosted talks " + strings.Repeat("and more talks ", 200)
	r := Answer(Input{Question: "Did Oman host talks?", Passages: []Passage{{Text: long, Score: 1}}})
	if len(r.Citations) == 0 || len([]rune(r.Text)) > MaxSentenceRunes+10 || !strings.Contains(r.Text, "…") {
		t.Errorf("answer of %d runes (%d citations); want one cut at %d with an ellipsis", len([]rune(r.Text)), len(r.Citations), MaxSentenceRunes)
	}
}

func TestAnswerFollowUpDoesNotRepeat(t *testing.T) {
	first := "Launched in January 2016, the QCG was to utilize its members’ influence over Kabul and Taliban fighters to bring both sides to the roundtable [1]."
	r := Answer(Input{Question: "And what did Islamabad think of the QCG?", Previous: first, Passages: testPassages})
	if strings.Contains(r.Text, "Launched in January 2016") {
		t.Errorf("follow-up answer %q repeats the previous answer", r.Text)
	}
}

func TestKind(t *testing.T) {
	for _, tt := range []struct{ q, want string }{
		{"When was the QCG launched?", "time"},
		{"In which year did the US withdraw?", "time"},
		{"How much should digitalisation contribute?", "number"},
		{"Why is Oman trusted?", "reason"},
		{"What makes Oman a trusted intermediary?", "reason"},
		{"What does Iran want?", "aim"},
		{"What is Tehran asking for?", "aim"},
		{"Which religious tradition informs Oman's diplomacy?", ""},
	} {
		if got := Kind(tt.q); got != tt.want {
			t.Errorf("Kind(%q) = %q; want %q", tt.q, got, tt.want)
		}
	}
}

func TestParseKindsErrors(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"two fields", "time\t^when", "kinds.txt:1: 2 tab-separated fields"},
		{"bad question pattern", "# c\ntime\t(\t.", "kinds.txt:2: question pattern"},
		{"bad answer pattern", "time\t.\t[", "kinds.txt:1: answer pattern"},
		{"control character", "time\t\bwhen\t.", "kinds.txt:1: a control character"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseKinds(tt.in); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parseKinds(%q) error %v; want one containing %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestAnswerPrefersWhatTheKindAsksFor(t *testing.T) {
	p := Passage{Score: 1, Text: "Iranian officials have admitted the talks with the United States. " +
		"The Iranian position is still focused on sanctions relief in the talks."}
	r := Answer(Input{Question: "What does Iran want from the talks?", Passages: []Passage{p}})
	if !strings.HasPrefix(r.Text, "The Iranian position") || strings.Contains(r.Text, "admitted") {
		t.Errorf("answer %q; want only the sentence stating the position", r.Text)
	}
}

func TestRelated(t *testing.T) {
	got := Related(Input{Question: "What did Kabul and Islamabad think of the nuclear program?", Passages: testPassages}, 3)
	if len(got) != 2 || got[0].Passage != 0 || got[1].Passage != 1 {
		t.Fatalf("Related = %+v; want one citation per passage, in passage order", got)
	}
	for _, c := range got {
		if !strings.Contains(testPassages[c.Passage].Text, c.Quote) {
			t.Errorf("quote %q is not passage %d's own sentence", c.Quote, c.Passage)
		}
	}
	if got := Related(Input{Question: "What is the capital of France?", Passages: testPassages}, 3); len(got) != 0 {
		t.Errorf("Related for an unrelated question = %+v; want none", got)
	}
}

func TestAnswerFromMetadata(t *testing.T) {
	article := []Passage{
		{Title: "Oman’s Diplomatic Bridge in Afghanistan", Author: "Giorgio Cafiero", Outlet: "LobeLog", Score: 1,
			Text: "On October 16, diplomats met to discuss the war in Afghanistan."},
		{Title: "Oman’s Diplomatic Bridge in Afghanistan", Author: "Giorgio Cafiero", Outlet: "LobeLog", Score: 0.8,
			Text: "Oman’s Diplomatic Bridge in Afghanistan\n\nby Giorgio Cafiero\n\nThe talks began."},
	}
	for _, tt := range []struct {
		name, question string
		want           string // "" for no answer
		wantCite       int
		wantQuote      string
	}{
		{"author from the byline passage", "Who wrote the article about Oman's bridge to Afghanistan?", "“Oman’s Diplomatic Bridge in Afghanistan” is by Giorgio Cafiero [1].", 1, "by Giorgio Cafiero"},
		{"outlet", "Which blog published the piece on Afghanistan?", "“Oman’s Diplomatic Bridge in Afghanistan” was published by LobeLog [1].", 0, ""},
		{"headline", "What's the headline of the piece on Afghanistan?", "The article's headline is “Oman’s Diplomatic Bridge in Afghanistan” [1].", 1, "Oman’s Diplomatic Bridge in Afghanistan"},
		{"no date stated: no answer", "When was the article on Afghanistan published?", "", 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := Answer(Input{Question: tt.question, Passages: article})
			if r.Text != tt.want {
				t.Fatalf("Answer(%q).Text = %q; want %q", tt.question, r.Text, tt.want)
			}
			if tt.want == "" {
				if len(r.Citations) != 0 {
					t.Errorf("no answer but %d citations", len(r.Citations))
				}
				return
			}
			if len(r.Citations) != 1 || r.Citations[0].Passage != tt.wantCite || r.Citations[0].Quote != tt.wantQuote {
				t.Errorf("citations %+v; want passage %d quoting %q", r.Citations, tt.wantCite, tt.wantQuote)
			}
		})
	}
}

func TestSearchText(t *testing.T) {
	for _, tt := range []struct{ q, want string }{
		{"Who wrote the piece on Afghanistan?", "on Afghanistan?"},
		{"Where was the essay on the Sultanate and AI published?", "Sultanate AI ?"},
		{"What's the headline of the staff report on the Muscat talks?", "of the staff on the Muscat talks?"},
		{"Why is Oman trusted?", "Why is Oman trusted?"},
		{"Who wrote it?", "Who wrote it?"},
		{"Who wrote?", "Who wrote?"},
	} {
		if got := SearchText(tt.q); got != tt.want {
			t.Errorf("SearchText(%q) = %q; want %q", tt.q, got, tt.want)
		}
	}
}

func TestMetaKinds(t *testing.T) {
	for _, tt := range []struct{ q, want string }{
		{"Who wrote the article about Oman's diplomatic bridge in Afghanistan?", "meta:author"},
		{"who wrote the piece on Afghanistan?", "meta:author"},
		{"Who's the Diplo blogger?", "meta:author"},
		{"Who wrote all that software?", ""},
		{"Who wrote the Omani constitution?", ""},
		{"Where was the essay on AI published?", "meta:outlet"},
		{"What's the headline of the staff report?", "meta:title"},
		{"When was the staff report published?", "meta:date"},
	} {
		if got := Kind(tt.q); got != tt.want {
			t.Errorf("Kind(%q) = %q; want %q", tt.q, got, tt.want)
		}
	}
}

// TestAnswerIntroSentences: a sentence that introduces a list (ends with a colon) answers
// only a question whose kind it fits — "when", with its dates — never another.
func TestAnswerIntroSentences(t *testing.T) {
	p := Passage{Score: 1, Author: "A. Writer", Text: "This week (22–26 September), I will be in Oman discussing AI, centred around two questions:\n" +
		"• How can Oman use its mediation?\n" +
		"Oman hosts many meetings on AI and diplomacy every year."}
	r := Answer(Input{Question: "When was the author in Oman?", Passages: []Passage{p}})
	if !strings.HasPrefix(r.Text, "This week (22–26 September)") {
		t.Errorf("when-answer %q; want the introducing sentence, which has the dates", r.Text)
	}
	r = Answer(Input{Question: "What does Oman discuss about AI?", Passages: []Passage{p}})
	if strings.Contains(r.Text, "centred around") || r.Text == "" {
		t.Errorf("what-answer %q; want a statement, not the list's introduction", r.Text)
	}
}

// TestAnswerAuthorIsTheFirstPerson: "the author" is the article's "I" when the document
// has an author; without one, a first-person sentence is nobody's.
func TestAnswerAuthorIsTheFirstPerson(t *testing.T) {
	text := "Oman has hosted talks on Yemen for years. I believe Oman can also bridge AI and diplomacy."
	q := "What does the writer believe Oman can bridge?"
	// As retrieval analyses it: the corpus never says "writer", so it reads "author".
	vocab := map[string]bool{lexical.AuthorTerm: true}
	for _, t := range lexical.Terms(text) {
		vocab[t] = true
	}
	query := lexical.Analyze(q, func(t string) bool { return vocab[t] })
	r := Answer(Input{Question: q, Query: query, Passages: []Passage{{Score: 1, Author: "A. Writer", Text: text}}})
	if !strings.HasPrefix(r.Text, "I believe Oman") || r.Cover < 0.99 {
		t.Errorf("answer %q, cover %.2f; want the first-person sentence covering the whole question", r.Text, r.Cover)
	}
	r = Answer(Input{Question: q, Query: query, Passages: []Passage{{Score: 1, Text: text}}})
	if r.Cover > 0.99 {
		t.Errorf("without an author, cover %.2f; want the writer's term left uncovered", r.Cover)
	}
}

// TestAnswerNumberWords: "how many" is answered by a number in words as well as digits.
func TestAnswerNumberWords(t *testing.T) {
	p := Passage{Score: 1, Text: "The ceasefire in Yemen was a fragile one. The ceasefire was extended twice before it collapsed."}
	r := Answer(Input{Question: "How many times was the ceasefire extended?", Passages: []Passage{p}})
	if !r.Fits || !strings.HasPrefix(r.Text, "The ceasefire was extended twice") {
		t.Errorf("answer %q (fits %v); want the sentence with \"twice\", fitting the question", r.Text, r.Fits)
	}
}
