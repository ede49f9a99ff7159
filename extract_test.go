package falaj

import (
	"strings"
	"testing"

	"github.com/falaj-bot/falaj/prompts"
)

var testPassages = []Passage{
	{ID: "iran#2", Doc: "iran", Title: "Oman Hosts Talks", Author: "Staff Report", Ordinal: 2,
		Text: "Sources familiar with the discussions indicate that the primary focus remains on the nuclear program. " +
			"The 2015 Joint Comprehensive Plan of Action (JCPOA), from which the United States withdrew in 2018, continues to cast a long shadow. " +
			"Iran, for its part, has steadily advanced its nuclear capabilities since the U.S. withdrawal, enriching uranium to higher purities and installing advanced centrifuges."},
	{ID: "afg#2", Doc: "afg", Title: "Oman’s Diplomatic Bridge in Afghanistan", Author: "Giorgio Cafiero", Ordinal: 2,
		Text: "Launched in January 2016, the QCG was to utilize its members’ influence over Kabul and Taliban fighters to bring both sides to the roundtable. " +
			"Islamabad saw the killing as undermining the peace process."},
}

// newTestEngine returns an Engine with only what extract uses: it is called directly here,
// with fixed passages; the whole Answer path is tested on a real index in engine_test.go.
func newTestEngine(t *testing.T) *Engine {
	t.Helper()
	return &Engine{prompts: prompts.Default()}
}

func TestExtract(t *testing.T) {
	for _, tt := range []struct {
		name     string
		question string
		passages []Passage
		want     string // a substring the answer must contain
		wantCite string // passage ID cited first
		wantDecl bool
	}{
		{"year question picks the dated sentence", "When was the Quadrilateral Coordination Group (QCG) launched?", testPassages, "January 2016", "afg#2", false},
		{"second passage can win", "In which year did the United States withdraw from the JCPOA?", testPassages, "withdrew in 2018", "iran#2", false},
		{"nothing shared declines", "What is the capital of France?", testPassages, "", "", true},
		{"no passages declines", "When was the QCG launched?", nil, "", "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEngine(t)
			var a Answer
			e.extract(Question{Text: tt.question}, tt.question, tt.passages, &a)
			if a.Answered == tt.wantDecl {
				t.Fatalf("Answered = %v; want %v (text %q)", a.Answered, !tt.wantDecl, a.Text)
			}
			if tt.wantDecl {
				if len(a.Citations) != 0 {
					t.Errorf("a decline cites %d passages", len(a.Citations))
				}
				return
			}
			if !strings.Contains(a.Text, tt.want) {
				t.Errorf("answer %q lacks %q", a.Text, tt.want)
			}
			if a.Citations[0].Passage.ID != tt.wantCite {
				t.Errorf("first citation %s; want %s", a.Citations[0].Passage.ID, tt.wantCite)
			}
			if !strings.Contains(a.Text, "[1]") {
				t.Errorf("answer %q has no [1] marker", a.Text)
			}
			// Faithful: every cited quote is the passage's own text.
			for _, c := range a.Citations {
				for _, s := range strings.SplitAfter(c.Quote, ". ") {
					if s = strings.TrimSpace(s); s != "" && !strings.Contains(c.Passage.Text, s) {
						t.Errorf("quote %q is not in passage %s", s, c.Passage.ID)
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
		if got := withMarker(tt.in, 1); got != tt.want {
			t.Errorf("withMarker(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestExtractSkipsNonAnswers(t *testing.T) {
	p := Passage{ID: "d#1", Doc: "d", Title: "T", Author: "A", Ordinal: 1, Score: 1, Text: "Why is Oman hosting the Afghanistan talks?\n" +
		"Oman hosting the Afghanistan talks\n" +
		"Oman believes that hosting talks on Afghanistan is always the sound policy."}
	e := newTestEngine(t)
	var a Answer
	e.extract(Question{Text: "Why is Oman hosting Afghanistan talks?"}, "", []Passage{p}, &a)
	want := "Oman believes that hosting talks on Afghanistan is always the sound policy [1]."
	if a.Text != want {
		t.Errorf("answer %q; want only the statement %q (no question, no heading)", a.Text, want)
	}
}

func TestExtractCutsRunOnSentences(t *testing.T) {
	long := "Oman hosted talks " + strings.Repeat("and more talks ", 200)
	e := newTestEngine(t)
	var a Answer
	e.extract(Question{Text: "Did Oman host talks?"}, "", []Passage{{ID: "d#1", Ordinal: 1, Text: long}}, &a)
	if !a.Answered || len([]rune(a.Text)) > maxSentenceRunes+10 || !strings.Contains(a.Text, "…") {
		t.Errorf("answer of %d runes (answered %v); want one cut at %d with an ellipsis", len([]rune(a.Text)), a.Answered, maxSentenceRunes)
	}
}

func TestExtractFollowUpDoesNotRepeat(t *testing.T) {
	e := newTestEngine(t)
	first := "Launched in January 2016, the QCG was to utilize its members’ influence over Kabul and Taliban fighters to bring both sides to the roundtable [1]."
	var a Answer
	q := Question{Text: "And what did Islamabad think of the QCG?", History: []Turn{{Question: "When was the QCG launched?", Answer: first}}}
	e.extract(q, "When was the QCG launched? "+q.Text, testPassages, &a)
	if strings.Contains(a.Text, "Launched in January 2016") {
		t.Errorf("follow-up answer %q repeats the previous answer", a.Text)
	}
}

func TestWantKind(t *testing.T) {
	for _, tt := range []struct {
		q    string
		want answerKind
	}{
		{"When was the QCG launched?", kindTime},
		{"In which year did the US withdraw?", kindTime},
		{"How much should digitalisation contribute?", kindNumber},
		{"Why is Oman trusted?", kindReason},
		{"What makes Oman a trusted intermediary?", kindReason},
		{"What does Iran want?", kindAim},
		{"What is Tehran asking for?", kindAim},
		{"Which religious tradition informs Oman's diplomacy?", kindAny},
	} {
		if got := wantKind(tt.q); got != tt.want {
			t.Errorf("wantKind(%q) = %d; want %d", tt.q, got, tt.want)
		}
	}
}

func TestExtractPrefersWhatTheKindAsksFor(t *testing.T) {
	p := Passage{ID: "d#1", Ordinal: 1, Score: 1, Text: "Iranian officials have admitted the talks with the United States. " +
		"The Iranian position is still focused on sanctions relief in the talks."}
	e := newTestEngine(t)
	var a Answer
	e.extract(Question{Text: "What does Iran want from the talks?"}, "", []Passage{p}, &a)
	if !strings.HasPrefix(a.Text, "The Iranian position") || strings.Contains(a.Text, "admitted") {
		t.Errorf("answer %q; want only the sentence stating the position", a.Text)
	}
}
