package llm

import (
	"strings"
	"testing"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/internal/falajtest"
)

// TestAnswerPromptArabic: an Arabic question is quoted as asked and the model is asked
// to answer in Arabic, keeping the [n] citations and the sentinel.
func TestAnswerPromptArabic(t *testing.T) {
	c := mustNew(t, Config{APIKey: "sk-x"})
	q := falaj.Question{Text: "من توسط بين الولايات المتحدة وإيران؟ " + injection, Lang: falaj.LangArabic}
	msgs, _, err := c.answerMessages(q, testPassages())
	if err != nil {
		t.Fatal(err)
	}
	falajtest.Golden(t, []byte(render(msgs)))
	user := msgs[1].Content
	for _, want := range []string{"<question>\n" + q.Text + "\n</question>", "write the answer in Arabic", "[n] citations", "NOT_IN_SOURCES"} {
		if !strings.Contains(user, want) {
			t.Errorf("Arabic answer prompt lacks %q:\n%s", want, user)
		}
	}
}

// TestRewritePromptArabic: an Arabic question, with or without history, asks for one
// standalone English question; a fresh one has no empty conversation block.
func TestRewritePromptArabic(t *testing.T) {
	c := mustNew(t, Config{APIKey: "sk-x"})
	msgs, err := c.rewriteMessages(falaj.Question{Text: "وماذا أرادت إيران؟", Lang: falaj.LangArabic,
		History: []falaj.Turn{{Question: "من استضاف المحادثات؟", Answer: "استضافتها عمان [1]."}}})
	if err != nil {
		t.Fatal(err)
	}
	falajtest.Golden(t, []byte(render(msgs)))
	for _, want := range []string{"standalone English search question", "استضافتها عمان", "<question>\nوماذا أرادت إيران؟\n</question>"} {
		if !strings.Contains(msgs[0].Content, want) {
			t.Errorf("Arabic rewrite prompt lacks %q:\n%s", want, msgs[0].Content)
		}
	}
	msgs, err = c.rewriteMessages(falaj.Question{Text: "ما موقف عمان؟", Lang: falaj.LangArabic})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(msgs[0].Content, "Conversation") {
		t.Errorf("a fresh Arabic question's rewrite prompt has a conversation block:\n%s", msgs[0].Content)
	}
}
