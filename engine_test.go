package falaj_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/internal/seedtest"
)

// seedEngine is the offline default: the embedded seeds, the local embedder, extractive answers.
func seedEngine(t *testing.T) *falaj.Engine {
	t.Helper()
	e, _ := seedtest.Engine(t)
	return e
}

func TestEngineAnswersWithCitations(t *testing.T) {
	e := seedEngine(t)
	var streamed []string
	a, err := e.Answer(context.Background(), falaj.Question{Text: "  Which religious tradition informs Oman's pragmatic diplomacy? "}, func(s string) { streamed = append(streamed, s) })
	if err != nil {
		t.Fatal(err)
	}
	if !a.Answered || !strings.Contains(a.Text, "Ibadi") {
		t.Fatalf("answer %q (answered %v); want one naming the Ibadi tradition", a.Text, a.Answered)
	}
	if a.Answerer != falaj.AnswererExtractive || a.Model != "" {
		t.Errorf("answerer %q model %q; want extractive, no model", a.Answerer, a.Model)
	}
	if a.Question != "Which religious tradition informs Oman's pragmatic diplomacy?" {
		t.Errorf("Question = %q; want it trimmed", a.Question)
	}
	if len(streamed) != 1 || streamed[0] != a.Text {
		t.Errorf("onText got %q; want the final text once", streamed)
	}
	for i, c := range a.Citations {
		if c.N != i+1 || !strings.Contains(a.Text, "["+string(rune('0'+c.N))+"]") {
			t.Errorf("citation %d numbered %d or not marked in %q", i, c.N, a.Text)
		}
		if c.Passage.Title == "" || c.Passage.Author == "" || c.Passage.Ordinal == 0 {
			t.Errorf("citation %d lacks title/author/ordinal: %+v", c.N, c.Passage)
		}
		if c.Quote == "" {
			t.Errorf("citation %d has no quote", c.N)
		}
		for _, part := range strings.Split(c.Quote, " … ") {
			if !strings.Contains(strings.Join(strings.Fields(c.Passage.Text), " "), part) {
				t.Errorf("quote part %q is not the passage's own text", part)
			}
		}
	}
	if a.ID == "" || a.Timings.Total <= 0 {
		t.Errorf("ID %q, total %v; want both set", a.ID, a.Timings.Total)
	}
}

func TestEngineDeclinesOffTopic(t *testing.T) {
	e := seedEngine(t)
	for _, q := range []string{"What is the capital of France?", "Who won the 2022 FIFA World Cup final?"} {
		a, err := e.Answer(context.Background(), falaj.Question{Text: q}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if a.Answered || len(a.Citations) != 0 || strings.Contains(a.Text, "[1]") {
			t.Errorf("%q: answered %v with %d citations (%q); want a decline", q, a.Answered, len(a.Citations), a.Text)
		}
	}
}

func TestEngineBadQuestions(t *testing.T) {
	e := seedEngine(t)
	for _, tt := range []struct {
		name string
		q    string
		want error
	}{
		{"empty", "", falaj.ErrEmptyQuestion},
		{"blank", " \n\t ", falaj.ErrEmptyQuestion},
		{"too long", strings.Repeat("a", falaj.MaxQuestionRunes+1), falaj.ErrQuestionTooLong},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Answer(context.Background(), falaj.Question{Text: tt.q}, nil)
			if !errors.Is(err, tt.want) || !falaj.IsUserError(err) {
				t.Errorf("Answer(%q) error = %v; want a user error wrapping %v", tt.name, err, tt.want)
			}
		})
	}
}

func TestEngineFollowUpUsesHistory(t *testing.T) {
	e := seedEngine(t)
	first := "What did Oman do during the Arab boycott of Qatar in 2017?"
	a, err := e.Answer(context.Background(), falaj.Question{
		Text:    "And in the Yemeni civil war?",
		History: []falaj.Turn{{Question: first, Answer: "It remained neutral [1]."}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Query, first) {
		t.Errorf("Query = %q; want the previous question searched along", a.Query)
	}
	if !a.Answered || !strings.Contains(a.Text, "Yemen") {
		t.Errorf("follow-up answer %q (answered %v); want the Yemen row", a.Text, a.Answered)
	}
}

// BenchmarkAnswer measures a warm extractive Answer at seed scale (index open, question
// not cached). Target: < 10 ms.
func BenchmarkAnswer(b *testing.B) {
	e, _ := seedtest.Engine(b)
	benchAnswer(b, e)
}

// benchAnswer times e's warm extractive answers to three questions in turn.
func benchAnswer(b *testing.B, e *falaj.Engine) {
	qs := []string{
		"Why is Oman trusted as a mediator?",
		"What did Oman do during the Arab boycott of Qatar in 2017?",
		"What is the capital of France?",
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := e.Answer(b.Context(), falaj.Question{Text: qs[i%len(qs)]}, nil); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func TestEngineBoundsHistory(t *testing.T) {
	e := seedEngine(t)
	long := strings.Repeat("Qatar boycott ", 5000)
	var h []falaj.Turn
	for range 50 {
		h = append(h, falaj.Turn{Question: long, Answer: long})
	}
	a, err := e.Answer(context.Background(), falaj.Question{Text: "And in the Yemeni civil war?", History: h}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(a.Query)); n > 2*falaj.MaxQuestionRunes+10 {
		t.Errorf("the search query is %d runes; want it bounded by the question limits", n)
	}
}
