package falaj_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/arabic"
	"github.com/falaj-bot/falaj/internal/falajtest"
	"github.com/falaj-bot/falaj/internal/seedtest"
	"github.com/falaj-bot/falaj/llm"
	"github.com/falaj-bot/falaj/prompts"
	"github.com/falaj-bot/falaj/retrieval"
)

// arabicTranslator returns a Translator over the installed FreeDict dictionary, skipping
// the test when it is not installed, except in CI (CI=true), which installs it.
func arabicTranslator(t *testing.T) *arabic.Translator {
	t.Helper()
	d, err := arabic.OpenDict("")
	falajtest.Installed(t, err, "dict-freedict-ara-eng")
	tr, err := arabic.NewTranslator(arabic.Config{Dict: d})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func arabicEngine(t *testing.T, tr falaj.Translator) *falaj.Engine {
	t.Helper()
	e, _ := seedtest.Engine(t, func(c *falaj.EngineConfig) { c.Translator = tr })
	return e
}

func arabicText(t *testing.T, name string) string {
	t.Helper()
	s, err := prompts.Default().Localized(name, falaj.LangArabic, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const arabicTrump = "كيف وصف ترامب المحادثات بين الولايات المتحدة وإيران في عمان؟" // how did Trump describe the US–Iran talks in Oman?

// TestEngineArabicOffline: an Arabic question is translated, the English query searched,
// and the cited English sentences come under an Arabic frame; an off-topic one gets the
// Arabic decline.
func TestEngineArabicOffline(t *testing.T) {
	e := arabicEngine(t, arabicTranslator(t))
	var streamed strings.Builder
	a, err := e.Answer(context.Background(), falaj.Question{Text: arabicTrump}, func(s string) { streamed.WriteString(s) })
	if err != nil {
		t.Fatal(err)
	}
	if a.Lang != falaj.LangArabic || !a.Answered || len(a.Citations) == 0 {
		t.Fatalf("lang %q, answered %v, %d citations: %q; want an Arabic-framed answer with citations", a.Lang, a.Answered, len(a.Citations), a.Text)
	}
	if frame := arabicText(t, "frame.tmpl"); !strings.HasPrefix(a.Text, frame+"\n\n") {
		t.Errorf("Text = %q; want it to start with the Arabic frame %q", a.Text, frame)
	}
	if !strings.Contains(a.Text, "very good") || !strings.Contains(a.Text, "[1]") {
		t.Errorf("Text = %q; want the cited English sentence with “very good” [1]", a.Text)
	}
	if falaj.DetectLanguage(a.Query) != falaj.LangEnglish || !strings.Contains(a.Query, "Trump") {
		t.Errorf("Query = %q; want English search terms naming Trump", a.Query)
	}
	if a.Question != arabicTrump {
		t.Errorf("Question = %q; want the Arabic question as asked", a.Question)
	}
	if streamed.String() != a.Text {
		t.Errorf("streamed %q; want the final text %q", streamed.String(), a.Text)
	}

	a, err = e.Answer(context.Background(), falaj.Question{Text: "ما هي عاصمة فرنسا؟"}, nil) // what is the capital of France?
	if err != nil {
		t.Fatal(err)
	}
	if a.Answered || a.Lang != falaj.LangArabic || a.Text != arabicText(t, "decline.tmpl") {
		t.Errorf("off-topic: answered %v, lang %q, text %q; want the Arabic decline", a.Answered, a.Lang, a.Text)
	}
}

// TestEngineArabicLangOverride: Question.Lang set by the caller wins over detection.
func TestEngineArabicLangOverride(t *testing.T) {
	e := arabicEngine(t, nil)
	a, err := e.Answer(context.Background(), falaj.Question{Text: "Which religious tradition informs Oman's pragmatic diplomacy?", Lang: falaj.LangEnglish}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Lang != falaj.LangEnglish || !a.Answered {
		t.Errorf("lang %q, answered %v; want an English answer", a.Lang, a.Answered)
	}
}

// TestEngineArabicWithoutDictionary: with no Translator, or one without its dictionary,
// an Arabic question gets the Arabic message naming what to install and configure.
func TestEngineArabicWithoutDictionary(t *testing.T) {
	noDict, err := arabic.NewTranslator(arabic.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		tr   falaj.Translator
	}{
		{"no translator", nil},
		{"no dictionary", noDict},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := arabicEngine(t, tt.tr)
			var streamed string
			a, err := e.Answer(context.Background(), falaj.Question{Text: arabicTrump}, func(s string) { streamed += s })
			if err != nil {
				t.Fatal(err)
			}
			if a.Answered || a.Status != falaj.StatusDeclined || len(a.Citations) != 0 || a.Lang != falaj.LangArabic {
				t.Errorf("answered %v, status %q, %d citations, lang %q; want a declined Arabic answer", a.Answered, a.Status, len(a.Citations), a.Lang)
			}
			for _, want := range []string{"apt-get install dict-freedict-ara-eng", "FALAJ_ARABIC_DICT", "OPENAI_API_KEY"} {
				if !strings.Contains(a.Text, want) {
					t.Errorf("Text = %q; want it to name %q", a.Text, want)
				}
			}
			if streamed != a.Text {
				t.Errorf("streamed %q; want %q", streamed, a.Text)
			}
		})
	}
}

// TestEngineLLMArabic: with a model, the Arabic question is rewritten into English in one
// call (rewrite_ar.tmpl), retrieval searches the English, and the model, asked for Arabic
// (answer_ar.tmpl), answers in Arabic with [n] citations that are checked as usual.
func TestEngineLLMArabic(t *testing.T) {
	const english = "How did Trump describe the talks between the United States and Iran in Oman?"
	var rewritePrompt string
	e, f, _ := llmEngine(t, llm.Config{APIKey: "sk-test"}, func(_ *fakeLLM, req llmRequest, w http.ResponseWriter) {
		if !req.Stream {
			rewritePrompt = req.Messages[len(req.Messages)-1].Content
			c, _ := json.Marshal(english)
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"x","object":"chat.completion","model":%q,"choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}]}`, llmTestModel, c)
			return
		}
		streamReply(w, "stop", "وصف ترامب المحادثات ", "بأنها «جيدة جدًا» [1]، ", "وهي تجري بوساطة عمان [9].")
	})
	a, err := e.Answer(context.Background(), falaj.Question{Text: arabicTrump}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rewritePrompt, arabicTrump) || !strings.Contains(rewritePrompt, "English") {
		t.Errorf("rewrite prompt lacks the Arabic question or the ask for English:\n%s", rewritePrompt)
	}
	if a.Query != english {
		t.Errorf("Query = %q; want the model's English rewrite %q", a.Query, english)
	}
	if a.Answerer != falaj.AnswererLLM || !a.Answered || a.Lang != falaj.LangArabic {
		t.Fatalf("answer by %q, answered %v, lang %q; want an Arabic LLM answer", a.Answerer, a.Answered, a.Lang)
	}
	// [9] names no passage: citation checking drops it, as for English answers.
	if want := "وصف ترامب المحادثات بأنها «جيدة جدًا» [1]، وهي تجري بوساطة عمان."; a.Text != want {
		t.Errorf("Text = %q; want %q", a.Text, want)
	}
	if len(a.Citations) != 1 || !strings.Contains(a.Citations[0].Passage.Text, "very good") {
		t.Errorf("citations %+v; want the passage with “very good”, found by the English query", a.Citations)
	}
	p := f.lastPrompt()
	if !strings.Contains(p, "<question>\n"+arabicTrump+"\n</question>") || !strings.Contains(p, "write the answer in Arabic") {
		t.Errorf("the answer prompt lacks the Arabic question or the ask for Arabic:\n%s", p)
	}
}

// TestEngineLLMArabicRewriteFails: when the model cannot rewrite, the dictionary
// translates, and the extractive answer carries the Arabic note.
func TestEngineLLMArabicRewriteFails(t *testing.T) {
	tr := arabicTranslator(t)
	ix, _, err := retrieval.Open(context.Background(), retrieval.Config{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, srv := llmEngine(t, llm.Config{APIKey: "sk-test"}, func(_ *fakeLLM, _ llmRequest, w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`)
	})
	c, err := llm.New(llm.Config{APIKey: "sk-wrong", BaseURL: srv.URL + "/v1"})
	if err != nil {
		t.Fatal(err)
	}
	e, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix, Generator: c, Rewriter: c, Translator: tr, MinConfidence: retrieval.DefaultMinConfidence})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.Answer(context.Background(), falaj.Question{Text: arabicTrump}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Answerer != falaj.AnswererExtractive || !a.Answered || !strings.Contains(a.Text, "very good") {
		t.Errorf("answer by %q, answered %v: %q; want the extractive answer from the dictionary's query", a.Answerer, a.Answered, a.Text)
	}
	if !strings.HasPrefix(a.Note, "النموذج اللغوي غير متاح") || !strings.Contains(a.Note, "(401)") {
		t.Errorf("Note = %q; want the Arabic note naming the reason (401)", a.Note)
	}
}

// TestEngineLLMArabicAnswerFails: when the model rewrote the question but fails to
// answer, the extractive answer is built from the English query, not the Arabic text.
func TestEngineLLMArabicAnswerFails(t *testing.T) {
	const english = "How did Trump describe the talks between the United States and Iran in Oman?"
	e, _, _ := llmEngine(t, llm.Config{APIKey: "sk-test", Retries: -1}, func(_ *fakeLLM, req llmRequest, w http.ResponseWriter) {
		if !req.Stream {
			c, _ := json.Marshal(english)
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"x","object":"chat.completion","model":%q,"choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}]}`, llmTestModel, c)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"error":{"message":"boom","type":"server_error"}}`)
	})
	a, err := e.Answer(context.Background(), falaj.Question{Text: arabicTrump}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Answerer != falaj.AnswererExtractive || !a.Answered || !strings.Contains(a.Text, "very good") {
		t.Errorf("answer by %q, answered %v: %q; want the extractive answer to the English query", a.Answerer, a.Answered, a.Text)
	}
	if !strings.HasPrefix(a.Text, arabicText(t, "frame.tmpl")) || !strings.HasPrefix(a.Note, "النموذج اللغوي غير متاح") {
		t.Errorf("text %q, note %q; want the Arabic frame and the Arabic note", a.Text, a.Note)
	}
	if got := a.JSON().Lang; got != "ar" {
		t.Errorf("JSON lang = %q; want ar", got)
	}
	if got := (falaj.Answer{}).JSON().Lang; got != "en" {
		t.Errorf("JSON lang of an answer without Lang = %q; want en", got)
	}
}
