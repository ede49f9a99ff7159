package llm

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/falaj-bot/falaj"
)

// TestIntegration runs against a real OpenAI-compatible endpoint when
// FALAJ_TEST_OPENAI_URL is set (e.g. http://localhost:11434/v1), with
// FALAJ_TEST_CHAT_MODEL (default DefaultChatModel) and FALAJ_TEST_OPENAI_KEY (optional).
// It checks the protocol — the stream arrives in pieces and ends with finish reason
// "stop", reasoning blocks are removed — not the wording. TestEngineRealModel (package
// falaj) runs the scripted behaviours' questions through the Engine against the same server.
func TestIntegration(t *testing.T) {
	url := os.Getenv("FALAJ_TEST_OPENAI_URL")
	if url == "" {
		t.Skip("FALAJ_TEST_OPENAI_URL not set")
	}
	c := mustNew(t, Config{
		BaseURL:   url,
		APIKey:    os.Getenv("FALAJ_TEST_OPENAI_KEY"),
		ChatModel: os.Getenv("FALAJ_TEST_CHAT_MODEL"),
		Timeout:   2 * time.Minute,
		Deadline:  5 * time.Minute,
	})
	var deltas []string
	gen, err := c.Generate(t.Context(), falaj.Question{Text: "Where were the indirect Iran–US talks held?"}, testPassages(),
		func(d string) { deltas = append(deltas, d) })
	if err != nil {
		t.Fatalf("Generate: %v", err) // includes a cut at max tokens or a missing finish reason
	}
	if len(deltas) == 0 || strings.TrimSpace(strings.Join(deltas, "")) != gen.Text || gen.Model == "" {
		t.Errorf("stream: %d deltas, joined == Text %v, model %q; want deltas adding up to the text and a model",
			len(deltas), strings.Join(deltas, "") == gen.Text, gen.Model)
	}
	if strings.Contains(gen.Text, "<think") || strings.Contains(gen.Text, "</think") {
		t.Errorf("a reasoning block passed the normalizer: %q", gen.Text)
	}
	t.Logf("model %s, %d deltas: %s", gen.Model, len(deltas), gen.Text)
	res := falaj.CheckReply(gen.Text, testPassages())
	t.Logf("checked: outcome=%v citations=%d cut=%v: %s", res.Outcome, len(res.Citations), res.Cut, res.Text)
}
