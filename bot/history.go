package bot

import (
	"sync"

	"github.com/falaj-bot/falaj"
)

// Bounds of the conversation memory.
const (
	maxHistoryTurns   = falaj.MaxHistoryTurns       // turns kept per conversation, the latest
	maxConversations  = 1000                        // conversations kept; the oldest started is forgotten first
	maxTurnAnswerRune = falaj.MaxHistoryAnswerRunes // an answer is kept up to this many characters
)

// histories remembers the turns of the bot's conversations, keyed by the thread or DM
// channel they happen in, so a follow-up there is asked with its history.
//
// The bot keeps history in memory rather than reading the thread back from Discord:
// without the privileged Message Content intent Discord hides the text of messages that
// do not mention the bot, in events and REST alike, so a fetched thread would have gaps;
// memory also costs no request per question. The price: a restart forgets history, and
// only turns the bot itself answered are remembered. Bounded by maxConversations ×
// maxHistoryTurns. Safe for concurrent use.
type histories struct {
	mu    sync.Mutex
	turns map[string][]falaj.Turn
	order []string // conversation keys, oldest first
}

func newHistories() *histories {
	return &histories{turns: make(map[string][]falaj.Turn)}
}

// start marks key as a conversation of the bot (a thread it opened), with no turns yet.
func (h *histories) start(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.startLocked(key)
}

func (h *histories) startLocked(key string) {
	if _, ok := h.turns[key]; ok {
		return
	}
	if len(h.order) >= maxConversations {
		delete(h.turns, h.order[0])
		h.order = h.order[1:]
	}
	h.turns[key] = nil
	h.order = append(h.order, key)
}

// has reports whether key is a conversation of the bot.
func (h *histories) has(key string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.turns[key]
	return ok
}

// get returns a copy of key's turns, oldest first; nil when there are none.
func (h *histories) get(key string) []falaj.Turn {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.turns[key]
	if len(t) == 0 {
		return nil
	}
	return append([]falaj.Turn(nil), t...)
}

// add appends a turn to key's conversation, starting it if needed.
func (h *histories) add(key string, t falaj.Turn) {
	t.Answer = truncate(t.Answer, maxTurnAnswerRune)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.startLocked(key)
	turns := append(h.turns[key], t)
	if len(turns) > maxHistoryTurns {
		turns = append([]falaj.Turn(nil), turns[len(turns)-maxHistoryTurns:]...)
	}
	h.turns[key] = turns
}
