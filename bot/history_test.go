package bot

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/falaj-bot/falaj"
)

func TestHistoriesAreBounded(t *testing.T) {
	t.Parallel()
	h := newHistories()
	for i := range maxHistoryTurns + 3 {
		h.add("t", falaj.Turn{Question: fmt.Sprint(i), Answer: strings.Repeat("a", 5000)})
	}
	got := h.get("t")
	if len(got) != maxHistoryTurns || got[0].Question != "3" || got[len(got)-1].Question != fmt.Sprint(maxHistoryTurns+2) {
		t.Errorf("kept %d turns from %q, want the latest %d", len(got), got[0].Question, maxHistoryTurns)
	}
	if n := utf8.RuneCountInString(got[0].Answer); n > maxTurnAnswerRune {
		t.Errorf("kept an answer of %d characters", n)
	}
	got[0].Question = "changed"
	if h.get("t")[0].Question == "changed" {
		t.Error("get returns the stored slice, not a copy")
	}
	for i := range maxConversations {
		h.start(fmt.Sprint("c", i))
	}
	if h.has("t") || !h.has("c0") || len(h.turns) != maxConversations {
		t.Errorf("after %d more conversations: has(t) = %v, %d kept; want the oldest forgotten", maxConversations, h.has("t"), len(h.turns))
	}
	if h.get("unknown") != nil {
		t.Error("history for an unknown conversation")
	}
}
