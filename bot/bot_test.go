package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/bot"
	"github.com/falaj-bot/falaj/internal/falajtest"
)

// harness is a running bot against a fake Discord.
type harness struct {
	f      *fakeDiscord
	logs   *falajtest.LogBuffer
	cancel func() // cancels Run's context
	stop   func() // cancels and waits for Run to return
}

// startBot runs a bot with cfg against a new fake Discord and returns once the slash
// commands are registered. When the test ends it stops the bot and checks every
// request for allowed_mentions and the logs for the token.
func startBot(t *testing.T, cfg bot.Config) *harness {
	t.Helper()
	f := newFakeDiscord(t)
	logs := &falajtest.LogBuffer{}
	cfg.Token = "test-token"
	cfg.APIURL = f.srv.URL
	cfg.HTTPClient = f.srv.Client()
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if cfg.Answerer == nil {
		cfg.Answerer, _ = newEngine(t)
	}
	b, err := bot.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(waitTimeout):
				t.Errorf("Run did not return within %s of cancellation", waitTimeout)
			}
		})
	}
	h := &harness{f: f, logs: logs, cancel: cancel, stop: stop}
	t.Cleanup(func() {
		stop()
		checkAllowedMentions(t, f.requests())
		if strings.Contains(logs.String(), "test-token") {
			t.Errorf("the token appears in the logs:\n%s", logs)
		}
		if t.Failed() {
			t.Logf("bot logs:\n%s", logs)
		}
	})
	n := max(1, len(cfg.GuildIDs))
	for range n {
		f.waitFor(t, "command registration", func(r request) bool { return r.Method == "PUT" })
	}
	return h
}

// messageBearing reports whether r sends text people see: an interaction callback, a
// webhook edit or followup, or a channel message or edit.
func messageBearing(r request) bool {
	switch {
	case r.Method == "POST" && strings.HasPrefix(r.Path, "/interactions/"):
		return true
	case strings.HasPrefix(r.Path, "/webhooks/"):
		return true
	case strings.HasPrefix(r.Path, "/channels/") && strings.Contains(r.Path, "/messages") && !strings.HasSuffix(r.Path, "/threads"):
		return r.Method == "POST" || r.Method == "PATCH"
	}
	return false
}

// checkAllowedMentions fails unless every message-bearing request carries
// allowed_mentions with an empty parse list.
func checkAllowedMentions(t *testing.T, reqs []request) {
	t.Helper()
	for _, r := range reqs {
		if !messageBearing(r) {
			continue
		}
		b := r.body(t)
		if d, ok := b["data"].(map[string]any); ok && strings.HasPrefix(r.Path, "/interactions/") {
			b = d
		}
		am, ok := b["allowed_mentions"].(map[string]any)
		if !ok {
			t.Errorf("%s has no allowed_mentions: %s", r, r.Body)
			continue
		}
		if p, ok := am["parse"].([]any); !ok || len(p) != 0 {
			t.Errorf("%s: allowed_mentions.parse = %v, want []", r, am["parse"])
		}
	}
}

func isCallback(id string) func(request) bool {
	return func(r request) bool {
		return r.Method == "POST" && r.Path == "/interactions/"+id+"/tok-"+id+"/callback"
	}
}

func isOriginalEdit(id string) func(request) bool {
	return func(r request) bool {
		return r.Method == "PATCH" && r.Path == "/webhooks/"+appID+"/tok-"+id+"/messages/@original"
	}
}

func ask(question string) []map[string]any {
	return []map[string]any{{"name": "question", "type": 3, "value": question}}
}

// jsonPath digs into a decoded JSON value: keys for objects, ints for arrays.
func jsonPath(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func TestRegistersCommandsPerGuildWithIntents(t *testing.T) {
	t.Parallel()
	h := startBot(t, bot.Config{GuildIDs: []string{guildID, "800000000000000002"}, Sources: openIndex(t), Reindexer: openIndex(t)})
	ident := <-h.f.identify
	if got, want := jsonPath(ident, "intents"), float64(1|512|4096); got != want {
		t.Errorf("IDENTIFY intents = %v, want %v (guilds, guild messages, DMs; no message content)", got, want)
	}
	var paths []string
	for _, r := range h.f.requests() {
		if r.Method != "PUT" {
			continue
		}
		paths = append(paths, r.Path)
		var names []string
		cmds := jsonPath(map[string]any{"c": decodeAny(t, r.Body)}, "c").([]any)
		for _, c := range cmds {
			names = append(names, c.(map[string]any)["name"].(string))
			if c.(map[string]any)["name"] == "reindex" {
				if p := c.(map[string]any)["default_member_permissions"]; p != "32" {
					t.Errorf("/reindex default_member_permissions = %v, want \"32\" (Manage Server)", p)
				}
			}
		}
		if want := []string{"ask", "help", "sources", "reindex"}; !slices.Equal(names, want) {
			t.Errorf("%s registers %v, want %v", r, names, want)
		}
	}
	want := []string{"/applications/" + appID + "/guilds/" + guildID + "/commands", "/applications/" + appID + "/guilds/800000000000000002/commands"}
	if !slices.Equal(paths, want) {
		t.Errorf("registration requests = %v, want %v", paths, want)
	}
}

func TestRegistersGloballyWithoutGuilds(t *testing.T) {
	t.Parallel()
	h := startBot(t, bot.Config{MentionFreeTriggers: true})
	ident := <-h.f.identify
	if got, want := jsonPath(ident, "intents"), float64(1|512|4096|32768); got != want {
		t.Errorf("IDENTIFY intents = %v, want %v (with message content)", got, want)
	}
	var puts []string
	for _, r := range h.f.requests() {
		if r.Method == "PUT" {
			puts = append(puts, r.Path)
		}
	}
	if want := []string{"/applications/" + appID + "/commands"}; !slices.Equal(puts, want) {
		t.Errorf("registration = %v, want %v, the global commands of the application", puts, want)
	}
}

func TestAskDefersThenEditsWithSources(t *testing.T) {
	t.Parallel()
	h := startBot(t, bot.Config{})
	id := h.f.interaction(chanID, "ask", ask("Why is Oman trusted as a mediator?")...)
	// The acknowledgement must come before any other request the interaction causes
	// (the order is what matters; a wall-clock bound would flake on a loaded machine).
	first := h.f.next(t)
	if !isCallback(id)(first) {
		t.Fatalf("first request = %s, want the interaction callback", first)
	}
	if typ := jsonPath(first.body(t), "type"); typ != float64(5) {
		t.Errorf("callback type = %v, want 5 (deferred)", typ)
	}
	if flags := jsonPath(first.body(t), "data", "flags"); flags != nil && flags != float64(0) {
		t.Errorf("public /ask deferred with flags %v, want none", flags)
	}
	edit := h.f.next(t)
	if !isOriginalEdit(id)(edit) {
		t.Fatalf("second request = %s, want the edit of @original", edit)
	}
	b := edit.body(t)
	content, _ := b["content"].(string)
	if !strings.HasPrefix(content, "> Why is Oman trusted as a mediator?") || !strings.Contains(content, "[1]") {
		t.Errorf("answer content = %q, want the quoted question and an answer citing [1]", content)
	}
	if title := jsonPath(b, "embeds", 0, "title"); title != "Sources" {
		t.Errorf("embed title = %v, want Sources", title)
	}
	field := jsonPath(b, "embeds", 0, "fields", 0)
	name, _ := jsonPath(field, "name").(string)
	value, _ := jsonPath(field, "value").(string)
	if !strings.HasPrefix(name, "[1] ") || !strings.Contains(value, "passage ") || !strings.Contains(value, "\n> ") {
		t.Errorf("first source = %q / %q, want \"[1] title\" and \"author · passage n\" with a quote", name, value)
	}
	custom, _ := jsonPath(b, "components", 0, "components", 0, "custom_id").(string)
	if !strings.HasPrefix(custom, "falaj:vote:up:") {
		t.Errorf("first button custom_id = %q, want falaj:vote:up:<answer id>", custom)
	}
}

func TestAskPrivateIsEphemeral(t *testing.T) {
	t.Parallel()
	h := startBot(t, bot.Config{})
	id := h.f.interaction(chanID, "ask", append(ask("What is the Aflaj irrigation system?"), map[string]any{"name": "private", "type": 5, "value": true})...)
	cb := h.f.waitFor(t, "callback", isCallback(id))
	if flags := jsonPath(cb.body(t), "data", "flags"); flags != float64(64) {
		t.Errorf("private /ask deferred with flags %v, want 64 (ephemeral)", flags)
	}
	h.f.waitFor(t, "edit", isOriginalEdit(id))
}

// scripted is an Answerer whose output the test chooses. The real Engine cannot be made
// to stream, to fail, to write "<@123>" or a 5000-character answer; those cases, and
// only those, use it.
type scripted func(ctx context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error)

func (f scripted) Answer(ctx context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error) {
	return f(ctx, q, onText)
}

func TestLongAnswerIsSplitAndNobodyIsPinged(t *testing.T) {
	t.Parallel()
	para := strings.Repeat("Oman talks to everyone <@123> and @everyone hears it. ", 18) // ~990 characters
	long := strings.TrimSpace(strings.Repeat(para+"\n\n", 5)) + "\n\n```\ncode stays whole\n" + strings.Repeat("x = 1\n", 50) + "```"
	answerer := scripted(func(ctx context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error) {
		return falaj.Answer{ID: "a1", Text: long, Answered: true, Citations: []falaj.Citation{{N: 1, Passage: falaj.Passage{Title: "T <@&55>", Author: "A", Ordinal: 2, Text: "Quote @here."}}}}, nil
	})
	h := startBot(t, bot.Config{Answerer: answerer})
	id := h.f.interaction(chanID, "ask", ask("@everyone what does Oman do?")...)
	h.f.waitFor(t, "edit", isOriginalEdit(id))
	h.f.waitFor(t, "followup with the sources", func(r request) bool {
		return r.Method == "POST" && r.Path == "/webhooks/"+appID+"/tok-"+id && jsonPath(r.body(t), "embeds", 0, "title") == "Sources"
	})
	h.stop()
	var all []string
	for _, r := range h.f.requests() {
		if !messageBearing(r) {
			continue
		}
		if c, ok := jsonPath(r.body(t), "content").(string); ok {
			all = append(all, c)
			if n := utf8.RuneCountInString(c); n > 2000 {
				t.Errorf("%s sends %d characters, over 2000", r, n)
			}
			if strings.Count(c, "```")%2 != 0 {
				t.Errorf("%s cuts a code block: %q", r, c)
			}
		}
	}
	// 5 paragraphs of 971 characters, the quoted question and a code block: two
	// paragraphs per message, the code block whole with the last paragraph.
	if len(all) != 3 || !strings.HasPrefix(all[0], "> what does Oman do?\n\nOman talks") || !strings.HasSuffix(all[2], "```") {
		t.Errorf("sent %d messages, want 3 (the edit and 2 followups): %q", len(all), all)
	}
}

func TestFailingAnswererEditsWithErrorID(t *testing.T) {
	t.Parallel()
	// The Engine does not fail on the seeds; a failing Answerer stands in for an outage.
	answerer := scripted(func(ctx context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error) {
		return falaj.Answer{}, errors.New("index unavailable")
	})
	h := startBot(t, bot.Config{Answerer: answerer})
	id := h.f.interaction(chanID, "ask", ask("Why is Oman trusted?")...)
	h.f.waitFor(t, "callback", isCallback(id))
	edit := h.f.waitFor(t, "edit", isOriginalEdit(id))
	content := jsonPath(edit.body(t), "content").(string)
	m := regexp.MustCompile(`error id: ([0-9a-f]{8})`).FindStringSubmatch(content)
	if m == nil {
		t.Fatalf("apology = %q, want an error id", content)
	}
	h.stop()
	if logs := h.logs.String(); !strings.Contains(logs, "error_id="+m[1]) || !strings.Contains(logs, "index unavailable") {
		t.Errorf("logs do not have error_id=%s with the cause:\n%s", m[1], logs)
	}
}

func TestUserErrorIsShown(t *testing.T) {
	t.Parallel()
	h := startBot(t, bot.Config{})
	id := h.f.interaction(chanID, "ask", ask(strings.Repeat("why ", 300))...)
	edit := h.f.waitFor(t, "edit", isOriginalEdit(id))
	content := jsonPath(edit.body(t), "content").(string)
	if !strings.Contains(content, "the limit is 1000") {
		t.Errorf("reply to a too-long question = %q, want the UserError's message", content)
	}
}

func TestRateLimitIsPolite(t *testing.T) {
	t.Parallel()
	h := startBot(t, bot.Config{Rate: 1})
	first := h.f.interaction(chanID, "ask", ask("What is the Aflaj system?")...)
	h.f.waitFor(t, "edit", isOriginalEdit(first))
	second := h.f.interaction(chanID, "ask", ask("And the GDP target?")...)
	cb := h.f.waitFor(t, "callback", isCallback(second))
	b := cb.body(t)
	if jsonPath(b, "type") != float64(4) || jsonPath(b, "data", "flags") != float64(64) {
		t.Errorf("rate-limited callback = %s, want an ephemeral message (type 4, flags 64)", cb.Body)
	}
	if c, _ := jsonPath(b, "data", "content").(string); !strings.Contains(c, "Please try again in") {
		t.Errorf("rate-limit message = %q", c)
	}
}

func TestDiscord429IsWaitedOut(t *testing.T) {
	t.Parallel()
	h := startBot(t, bot.Config{})
	h.f.rateLimit("PATCH /webhooks/", 0.2)
	id := h.f.interaction(chanID, "ask", ask("What is the Aflaj system?")...)
	limited := h.f.waitFor(t, "edit", isOriginalEdit(id))
	if limited.Status != 429 {
		t.Fatalf("first edit answered %d, want the fake's 429", limited.Status)
	}
	retry := h.f.waitFor(t, "retried edit", isOriginalEdit(id))
	if retry.Status != 200 {
		t.Errorf("retried edit answered %d", retry.Status)
	}
	if waited := retry.At.Sub(limited.At); waited < 200*time.Millisecond {
		t.Errorf("retried after %s; retry_after was 0.2 s", waited)
	}
}

func TestIgnoresBotsAndItself(t *testing.T) {
	t.Parallel()
	h := startBot(t, bot.Config{})
	botMsg := h.f.message(guildID, chanID, "600000000000000099", true, "<@"+botID+"> Why is Oman trusted?", true)
	selfMsg := h.f.message(guildID, chanID, botID, true, "<@"+botID+"> Why is Oman trusted?", true)
	human := h.f.message(guildID, chanID, userID, false, "<@"+botID+"> Why is Oman trusted as a mediator?", true)
	h.f.waitFor(t, "thread for the human", func(r request) bool { return strings.Contains(r.Path, human+"/threads") })
	h.f.waitFor(t, "answer", func(r request) bool { return r.Method == "POST" && strings.HasSuffix(r.Path, "/messages") })
	h.stop() // waits for every handler in flight
	for _, r := range h.f.requests() {
		if strings.Contains(r.Path, botMsg) || strings.Contains(string(r.Body), botMsg) ||
			strings.Contains(r.Path, selfMsg) || strings.Contains(string(r.Body), selfMsg) {
			t.Errorf("%s answers a bot's message: %s", r, r.Body)
		}
	}
}

func TestChannelAllowList(t *testing.T) {
	t.Parallel()
	h := startBot(t, bot.Config{Channels: []string{chanID}})
	h.f.addThread("700000000000000009", chanID)

	id := h.f.interaction(otherID, "ask", ask("Why is Oman trusted?")...)
	cb := h.f.waitFor(t, "callback", isCallback(id))
	if c, _ := jsonPath(cb.body(t), "data", "content").(string); !strings.Contains(c, "<#"+chanID+">") || jsonPath(cb.body(t), "data", "flags") != float64(64) {
		t.Errorf("/ask outside the allow-list = %s, want an ephemeral pointer to <#%s>", cb.Body, chanID)
	}
	inThread := h.f.interaction("700000000000000009", "ask", ask("Why is Oman trusted as a mediator?")...)
	if cb := h.f.waitFor(t, "callback", isCallback(inThread)); jsonPath(cb.body(t), "type") != float64(5) {
		t.Errorf("/ask in a thread of an allowed channel = %s, want a deferred answer", cb.Body)
	}
	h.f.waitFor(t, "edit", isOriginalEdit(inThread))

	ignored := h.f.message(guildID, otherID, userID, false, "<@"+botID+"> Why is Oman trusted?", true)
	answered := h.f.message(guildID, chanID, userID, false, "<@"+botID+"> Why is Oman trusted as a mediator?", true)
	h.f.waitFor(t, "thread", func(r request) bool { return strings.Contains(r.Path, answered+"/threads") })
	h.f.waitFor(t, "answer", func(r request) bool { return r.Method == "POST" && strings.HasSuffix(r.Path, "/messages") })
	h.stop()
	for _, r := range h.f.requests() {
		if strings.Contains(r.Path, ignored) || strings.Contains(r.Path, "/channels/"+otherID+"/messages") {
			t.Errorf("%s answers in a channel outside the allow-list", r)
		}
	}
}

// recorder wraps the real Engine to observe the Question each call receives (the
// history in particular), which the bot's requests cannot show.
type recorder struct {
	falaj.Answerer
	mu sync.Mutex
	qs []falaj.Question
}

func (r *recorder) Answer(ctx context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error) {
	r.mu.Lock()
	r.qs = append(r.qs, q)
	r.mu.Unlock()
	return r.Answerer.Answer(ctx, q, onText)
}

func (r *recorder) questions() []falaj.Question {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]falaj.Question(nil), r.qs...)
}

func TestMentionOpensThreadAndFollowUpUsesHistory(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	rec := &recorder{Answerer: e}
	h := startBot(t, bot.Config{Answerer: rec})

	q1 := h.f.message(guildID, chanID, userID, false, "<@"+botID+"> Why is Oman trusted as a mediator?", true)
	th := h.f.waitFor(t, "thread", func(r request) bool { return r.Method == "POST" && strings.HasSuffix(r.Path, "/threads") })
	if th.Path != "/channels/"+chanID+"/messages/"+q1+"/threads" || jsonPath(th.body(t), "name") != "Why is Oman trusted as a mediator?" {
		t.Errorf("thread request = %s %s, want a thread on the question named after it", th, th.Body)
	}
	first := h.f.waitFor(t, "answer", func(r request) bool { return r.Method == "POST" && strings.HasSuffix(r.Path, "/messages") })
	thread := strings.Split(first.Path, "/")[2]
	if thread == chanID || jsonPath(first.body(t), "embeds", 0, "title") != "Sources" {
		t.Errorf("first answer = %s %s, want a message with sources in the new thread", first, first.Body)
	}
	h.f.addThread(thread, chanID)

	// Without mention-free triggers a message in the thread that does not mention the
	// bot is not a question; the next one, which does, is a follow-up.
	h.f.message(guildID, thread, userID, false, "thanks", false)
	q2 := h.f.message(guildID, thread, userID, false, "<@"+botID+"> And in Afghanistan?", true)
	reply := h.f.waitFor(t, "follow-up answer", func(r request) bool {
		return r.Method == "POST" && r.Path == "/channels/"+thread+"/messages"
	})
	if jsonPath(reply.body(t), "message_reference", "message_id") != q2 {
		t.Errorf("follow-up answer %s does not reply to the follow-up", reply.Body)
	}
	if replied := jsonPath(reply.body(t), "allowed_mentions", "replied_user"); replied != false {
		t.Errorf("reply pings its author: replied_user = %v", replied)
	}
	h.stop()
	qs := rec.questions()
	if len(qs) != 2 {
		t.Fatalf("the answerer got %d questions, want 2 (\"thanks\" is no question): %+v", len(qs), qs)
	}
	if qs[0].History != nil {
		t.Errorf("the first question has history %+v", qs[0].History)
	}
	if len(qs[1].History) != 1 || qs[1].History[0].Question != "Why is Oman trusted as a mediator?" || !strings.Contains(qs[1].History[0].Answer, "[1]") {
		t.Errorf("follow-up history = %+v, want the first question and its answer", qs[1].History)
	}
	if qs[1].Text != "And in Afghanistan?" {
		t.Errorf("follow-up text = %q, want the mention removed", qs[1].Text)
	}
}

func TestMentionFreeFollowUpInThread(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	rec := &recorder{Answerer: e}
	h := startBot(t, bot.Config{Answerer: rec, MentionFreeTriggers: true})
	h.f.message(guildID, chanID, userID, false, "<@"+botID+"> Why is Oman trusted as a mediator?", true)
	first := h.f.waitFor(t, "answer", func(r request) bool { return r.Method == "POST" && strings.HasSuffix(r.Path, "/messages") })
	thread := strings.Split(first.Path, "/")[2]
	h.f.addThread(thread, chanID)
	h.f.message(guildID, thread, userID, false, "And in Afghanistan?", false)
	h.f.waitFor(t, "follow-up answer", func(r request) bool { return r.Method == "POST" && r.Path == "/channels/"+thread+"/messages" })
	h.stop()
	if qs := rec.questions(); len(qs) != 2 || len(qs[1].History) != 1 {
		t.Errorf("questions = %+v, want a follow-up with one turn of history", qs)
	}
}

func TestDirectMessageIsAReply(t *testing.T) {
	t.Parallel()
	h := startBot(t, bot.Config{})
	const dm = "700000000000000077"
	id := h.f.message("", dm, userID, false, "What is the Aflaj irrigation system?", false)
	r := h.f.waitFor(t, "reply", func(r request) bool { return r.Method == "POST" })
	if r.Path != "/channels/"+dm+"/messages" || jsonPath(r.body(t), "message_reference", "message_id") != id {
		t.Errorf("DM answer = %s %s, want a reply in the DM", r, r.Body)
	}
}

func TestStreamingEditsThenFinal(t *testing.T) {
	t.Parallel()
	// The extractive Engine does not stream; this Answerer streams like an LLM would.
	edited := make(chan struct{})
	answerer := scripted(func(ctx context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error) {
		onText("Oman")
		onText(" mediates")
		select {
		case <-edited: // the test saw the streaming edit
		case <-ctx.Done():
			return falaj.Answer{}, ctx.Err()
		}
		return falaj.Answer{ID: "s1", Text: "Oman mediates [1].", Answered: true, Answerer: falaj.AnswererLLM,
			Citations: []falaj.Citation{{N: 1, Passage: falaj.Passage{Title: "T", Author: "A", Ordinal: 1, Text: "Oman mediates."}}}}, nil
	})
	h := startBot(t, bot.Config{Answerer: answerer})
	id := h.f.interaction(chanID, "ask", ask("Does Oman mediate?")...)
	progress := h.f.waitFor(t, "streaming edit", isOriginalEdit(id))
	if c := jsonPath(progress.body(t), "content"); c != "> Does Oman mediate?\n\nOman mediates …" {
		t.Errorf("streaming edit = %q", c)
	}
	if e := jsonPath(progress.body(t), "embeds"); e != nil {
		t.Errorf("streaming edit has embeds %v", e)
	}
	close(edited)
	final := h.f.waitFor(t, "final edit", isOriginalEdit(id))
	if c := jsonPath(final.body(t), "content"); c != "> Does Oman mediate?\n\nOman mediates [1]." {
		t.Errorf("final edit = %q", c)
	}
	if jsonPath(final.body(t), "embeds", 0, "title") != "Sources" {
		t.Errorf("final edit has no sources: %s", final.Body)
	}
}

func TestFeedbackIsStoredAndSummarized(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state", "falaj", "feedback.jsonl") // a folder not made yet
	h := startBot(t, bot.Config{FeedbackPath: path})
	id := h.f.interaction(chanID, "ask", ask("Why is Oman trusted as a mediator?")...)
	edit := h.f.waitFor(t, "edit", isOriginalEdit(id))
	down, _ := jsonPath(edit.body(t), "components", 0, "components", 1, "custom_id").(string)
	click := h.f.click(down)
	cb := h.f.waitFor(t, "click callback", isCallback(click))
	if c, _ := jsonPath(cb.body(t), "data", "content").(string); jsonPath(cb.body(t), "data", "flags") != float64(64) || !strings.HasPrefix(c, "Thanks") {
		t.Errorf("click answered %s, want an ephemeral thanks", cb.Body)
	}
	h.stop()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), userID) {
		t.Errorf("the feedback file has the plain user id: %s", b)
	}
	answerID := strings.TrimPrefix(down, "falaj:vote:down:")
	for _, want := range []string{`"answer_id":"` + answerID + `"`, `"vote":"down"`, `"question":"Why is Oman trusted as a mediator?"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("feedback line %s lacks %s", b, want)
		}
	}
	sum, err := bot.SummarizeFeedback(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Down != 1 || sum.Up != 0 || len(sum.Worst) != 1 || sum.Worst[0].Question != "Why is Oman trusted as a mediator?" {
		t.Errorf("summary = %+v", sum)
	}
}

func TestHelpSourcesReindex(t *testing.T) {
	t.Parallel()
	ix := openIndex(t)
	srcs, err := ix.Sources(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	h := startBot(t, bot.Config{Sources: ix, Reindexer: ix})
	id := h.f.interaction(chanID, "help")
	cb := h.f.waitFor(t, "help", isCallback(id))
	if c, _ := jsonPath(cb.body(t), "data", "content").(string); !strings.Contains(c, "/ask") {
		t.Errorf("/help = %q", c)
	}
	id = h.f.interaction(chanID, "sources")
	edit := h.f.waitFor(t, "sources", isOriginalEdit(id))
	if title, _ := jsonPath(edit.body(t), "embeds", 0, "title").(string); !strings.HasPrefix(title, fmt.Sprintf("Sources: %d documents", len(srcs))) {
		t.Errorf("/sources embed title = %q", title)
	}
	if d, _ := jsonPath(edit.body(t), "embeds", 0, "description").(string); !strings.Contains(d, srcs[0].Title) {
		t.Errorf("/sources description %q lacks %q", d, srcs[0].Title)
	}
	// Server settings can show /reindex to anyone; the handler still checks Manage Server.
	id = h.f.interaction(chanID, "reindex")
	cb = h.f.waitFor(t, "reindex without permission", isCallback(id))
	if c, _ := jsonPath(cb.body(t), "data", "content").(string); jsonPath(cb.body(t), "type") != float64(4) ||
		jsonPath(cb.body(t), "data", "flags") != float64(64) || !strings.Contains(c, "Manage Server") {
		t.Errorf("/reindex by a member without Manage Server: %s, want a private refusal", cb.Body)
	}
	id = h.f.interactionAs(userID, "32", chanID, "reindex") // Manage Server
	edit = h.f.waitFor(t, "reindex", isOriginalEdit(id))
	if c, _ := jsonPath(edit.body(t), "content").(string); !strings.HasPrefix(c, fmt.Sprintf("Reindexed: %d documents", len(srcs))) {
		t.Errorf("/reindex = %q", c)
	}
}

func TestMissingToken(t *testing.T) {
	t.Parallel()
	_, err := bot.New(bot.Config{Answerer: scripted(nil)})
	if !falaj.IsUserError(err) || !strings.Contains(falaj.UserMessage(err), "DISCORD_TOKEN") {
		t.Errorf("New without a token: %v, want a UserError naming DISCORD_TOKEN", err)
	}
}

// runBot runs a bot with cfg against f until Run returns, which it must within
// waitTimeout, and returns Run's error.
func runBot(t *testing.T, f *fakeDiscord, cfg bot.Config) error {
	t.Helper()
	if cfg.Token == "" {
		cfg.Token = "test-token"
	}
	cfg.APIURL, cfg.HTTPClient, cfg.Answerer = f.srv.URL, f.srv.Client(), scripted(nil)
	b, err := bot.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Run(t.Context()) }()
	select {
	case err := <-done:
		return err
	case <-time.After(waitTimeout):
		t.Fatalf("Run did not return within %s", waitTimeout)
		return nil
	}
}

func TestStartupErrorsSayWhatToFix(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		setup func(f *fakeDiscord, cfg *bot.Config)
		want  []string // in the UserError's message
	}{
		{"token rejected by REST", func(f *fakeDiscord, cfg *bot.Config) { cfg.Token = "bad-token" },
			[]string{"rejected DISCORD_TOKEN", "401", "Reset Token"}},
		{"token rejected by the gateway", func(f *fakeDiscord, cfg *bot.Config) { f.closeCode = 4004 },
			[]string{"rejected DISCORD_TOKEN", "4004", "Reset Token"}},
		{"message content intent off", func(f *fakeDiscord, cfg *bot.Config) { f.closeCode = 4014; cfg.MentionFreeTriggers = true },
			[]string{"Message Content Intent", "Developer Portal", "FALAJ_MENTION_FREE"}},
		{"not in the guild", func(f *fakeDiscord, cfg *bot.Config) {
			f.failPaths["PUT /applications/"+appID+"/guilds/800000000000000009/"] = 403
			cfg.GuildIDs = []string{guildID, "800000000000000009"}
		}, []string{"800000000000000009 in DISCORD_GUILD_IDS", "applications.commands"}},
		{"no applications.commands scope", func(f *fakeDiscord, cfg *bot.Config) { f.failPaths["PUT /applications/"] = 403 },
			[]string{"applications.commands", "invite"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeDiscord(t)
			var cfg bot.Config
			tt.setup(f, &cfg)
			err := runBot(t, f, cfg)
			msg := falaj.UserMessage(err)
			if !falaj.IsUserError(err) {
				t.Fatalf("Run = %v, want a UserError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			if strings.Contains(err.Error(), "test-token") || strings.Contains(err.Error(), "bad-token") {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

func TestRejectedTokenIsCheckedBeforeTheGateway(t *testing.T) {
	t.Parallel()
	f := newFakeDiscord(t)
	runBot(t, f, bot.Config{Token: "bad-token"})
	for _, r := range f.requests() {
		if r.Path == "/gateway" {
			t.Errorf("the bot asked for the gateway with a rejected token: %v", f.requests())
		}
	}
}

func TestStartIsCancellable(t *testing.T) {
	t.Parallel()
	// A gateway that accepts the websocket and never says HELLO: discordgo's Open
	// would wait for ever.
	f := newFakeDiscord(t)
	f.noHello = true
	b, err := bot.New(bot.Config{Token: "test-token", APIURL: f.srv.URL, HTTPClient: f.srv.Client(), Answerer: scripted(nil)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(t.Context())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	select {
	case <-f.connected:
	case <-time.After(waitTimeout):
		t.Fatal("the bot did not connect to the gateway")
	}
	stopped := errors.New("stopped by the test")
	cancel(stopped)
	select {
	case err := <-done:
		if !errors.Is(err, stopped) {
			t.Errorf("Run = %v, want the context's cause", err)
		}
	case <-time.After(waitTimeout):
		t.Fatalf("Run did not return within %s of cancellation", waitTimeout)
	}
}

func decodeAny(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := jsonUnmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func TestShutdownLetsAnswersFinish(t *testing.T) {
	t.Parallel()
	// An answer still running when the bot is told to stop: a blocking Answerer makes it so.
	started, release := make(chan struct{}), make(chan struct{})
	e, _ := newEngine(t)
	answerer := scripted(func(ctx context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error) {
		close(started)
		<-release
		return e.Answer(ctx, q, onText)
	})
	h := startBot(t, bot.Config{Answerer: answerer})
	id := h.f.interaction(chanID, "ask", ask("Why is Oman trusted as a mediator?")...)
	<-started
	h.cancel()
	close(release)
	edit := h.f.waitFor(t, "edit", isOriginalEdit(id))
	if c, _ := jsonPath(edit.body(t), "content").(string); edit.Status != 200 || !strings.Contains(c, "[1]") {
		t.Errorf("answer finished during shutdown = %d %q, want it delivered", edit.Status, c)
	}
	h.stop()
}

func TestShutdownCancelsAfterGrace(t *testing.T) {
	t.Parallel()
	// An answer that only ends when cancelled: the bot must cancel it after the grace
	// period and still replace "thinking" with an apology.
	started := make(chan struct{})
	answerer := scripted(func(ctx context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error) {
		close(started)
		<-ctx.Done()
		return falaj.Answer{}, ctx.Err()
	})
	h := startBot(t, bot.Config{Answerer: answerer, ShutdownGrace: 100 * time.Millisecond})
	id := h.f.interaction(chanID, "ask", ask("Why is Oman trusted?")...)
	<-started
	h.cancel()
	edit := h.f.waitFor(t, "apology", isOriginalEdit(id))
	if c, _ := jsonPath(edit.body(t), "content").(string); !strings.Contains(c, "error id:") {
		t.Errorf("cancelled answer edited to %q, want an apology with an error id", c)
	}
	h.stop()
	if !strings.Contains(h.logs.String(), "shutdown grace over") {
		t.Errorf("no log of the cancellation:\n%s", h.logs)
	}
}

// panickingSources is a failure-injection double for /sources: the index does not
// panic, but the bot must survive code that does.
type panickingSources struct{}

func (panickingSources) Sources(context.Context) ([]falaj.Source, error) {
	panic("boom in the answerer")
}

func TestPanicRepliesWithErrorID(t *testing.T) {
	t.Parallel()
	// A failure-injection double: the Engine does not panic, but a bug in any Answerer
	// (an LLM client, a future engine) could; the bot must still answer the person.
	answerer := scripted(func(ctx context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error) {
		panic("boom in the answerer")
	})
	for _, tt := range []struct {
		name  string
		ask   func(h *harness) string            // sends a question, returns what identifies its reply
		reply func(id string) func(request) bool // the reply that must carry the apology
	}{
		{"/sources", func(h *harness) string { return h.f.interaction(chanID, "sources") }, isOriginalEdit},
		{"slash command", func(h *harness) string {
			return h.f.interaction(chanID, "ask", ask("Why is Oman trusted?")...)
		}, isOriginalEdit},
		{"mention", func(h *harness) string {
			return h.f.message(guildID, chanID, userID, false, "<@"+botID+"> Why is Oman trusted?", true)
		}, func(string) func(request) bool {
			return func(r request) bool { return r.Method == "POST" && strings.HasSuffix(r.Path, "/messages") }
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := startBot(t, bot.Config{Answerer: answerer, Sources: panickingSources{}})
			id := tt.ask(h)
			r := h.f.waitFor(t, "apology", tt.reply(id))
			content, _ := jsonPath(r.body(t), "content").(string)
			m := regexp.MustCompile(`error id: ([0-9a-f]{8})`).FindStringSubmatch(content)
			if m == nil {
				t.Fatalf("reply = %q, want an apology with an error id", content)
			}
			h.stop()
			logs := h.logs.String()
			for _, want := range []string{"level=ERROR msg=\"panic in handler\"", "error_id=" + m[1], "panic=\"boom in the answerer\"", "stack=\"goroutine "} {
				if !strings.Contains(logs, want) {
					t.Errorf("logs lack %s:\n%s", want, logs)
				}
			}
		})
	}
}

func TestBusyBotSaysSo(t *testing.T) {
	t.Parallel()
	// An answer that runs until the test releases it holds the only answer slot.
	started, release := make(chan struct{}), make(chan struct{})
	answerer := scripted(func(ctx context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error) {
		close(started)
		<-release
		return falaj.Answer{ID: "a1", Text: "The sources do not cover this."}, nil
	})
	h := startBot(t, bot.Config{Answerer: answerer, MaxConcurrent: 1})
	first := h.f.interaction(chanID, "ask", ask("Why is Oman trusted?")...)
	<-started
	second := h.f.interaction(chanID, "ask", ask("And the GDP target?")...)
	cb := h.f.waitFor(t, "callback", isCallback(second))
	b := cb.body(t)
	if c, _ := jsonPath(b, "data", "content").(string); jsonPath(b, "type") != float64(4) || jsonPath(b, "data", "flags") != float64(64) ||
		c != "Falaj is busy answering others; please try again in a moment." {
		t.Errorf("callback while busy = %s, want an ephemeral busy message", cb.Body)
	}
	close(release)
	h.f.waitFor(t, "first answer", isOriginalEdit(first))
	// The slot is free again.
	third := h.f.interaction(chanID, "ask", ask("What is the Aflaj system?")...)
	if cb := h.f.waitFor(t, "callback", isCallback(third)); jsonPath(cb.body(t), "type") != float64(5) {
		t.Errorf("callback after the first answer = %s, want a deferred answer", cb.Body)
	}
}

func TestAskInUnknownThreadIsAcknowledgedFirst(t *testing.T) {
	t.Parallel()
	// The thread's parent is not cached and Discord is slow to say what it is: the
	// acknowledgement must not wait for the lookup.
	h := startBot(t, bot.Config{Channels: []string{chanID}})
	const thread = "700000000000000009"
	h.f.addThread(thread, chanID)
	release := h.f.block("GET /channels/" + thread)
	id := h.f.interaction(thread, "ask", ask("Why is Oman trusted as a mediator?")...)
	cb := h.f.waitFor(t, "callback", isCallback(id))
	if jsonPath(cb.body(t), "type") != float64(5) {
		t.Errorf("callback = %s, want a deferred answer", cb.Body)
	}
	close(release)
	edit := h.f.waitFor(t, "edit", isOriginalEdit(id))
	if c, _ := jsonPath(edit.body(t), "content").(string); !strings.Contains(c, "[1]") {
		t.Errorf("answer in a thread of an allowed channel = %q, want an answer", c)
	}
}

func TestQuestionWithBackticksDoesNotOpenACodeBlock(t *testing.T) {
	t.Parallel()
	answerer := scripted(func(ctx context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error) {
		return falaj.Answer{ID: "a1", Text: "Oman mediates [1].\n\n```\nx = 1\n```", Answered: true,
			Citations: []falaj.Citation{{N: 1, Quote: "Oman mediates.", Passage: falaj.Passage{Title: "T", Ordinal: 1}}}}, nil
	})
	h := startBot(t, bot.Config{Answerer: answerer})
	id := h.f.interaction(chanID, "ask", ask("Does ```Oman` mediate?")...)
	edit := h.f.waitFor(t, "edit", isOriginalEdit(id))
	got, _ := jsonPath(edit.body(t), "content").(string)
	want := "> Does \\`\\`\\`Oman\\` mediate?\n\nOman mediates [1].\n\n```\nx = 1\n```"
	if got != want {
		t.Errorf("content = %q, want %q (the question's backticks escaped)", got, want)
	}
}

func TestUnknownButtonIsAnswered(t *testing.T) {
	t.Parallel()
	h := startBot(t, bot.Config{})
	id := h.f.click("falaj:old-button:42")
	cb := h.f.waitFor(t, "callback", isCallback(id))
	b := cb.body(t)
	if c, _ := jsonPath(b, "data", "content").(string); jsonPath(b, "data", "flags") != float64(64) || c != "This button is no longer active." {
		t.Errorf("unknown button answered %s, want an ephemeral \"This button is no longer active.\"", cb.Body)
	}
}

func TestReadyAgainWhileAnswering(t *testing.T) {
	t.Parallel()
	// A reconnect sends READY again while messages are handled; under -race this
	// checks that the bot's own id is not read from the session state unlocked.
	h := startBot(t, bot.Config{})
	h.f.message(guildID, chanID, userID, false, "<@"+botID+"> Why is Oman trusted as a mediator?", true)
	h.f.ready()
	h.f.waitFor(t, "answer", func(r request) bool { return r.Method == "POST" && strings.HasSuffix(r.Path, "/messages") })
}

func TestOneUsersBurstDoesNotMakeTheBotBusyForOthers(t *testing.T) {
	t.Parallel()
	// Alice's answers run until the test ends; Bob's come back at once.
	const alice, bob = "600000000000000011", "600000000000000012"
	hold := make(chan struct{})
	defer close(hold)
	answerer := scripted(func(ctx context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error) {
		if strings.HasPrefix(q.Text, "Alice") {
			select {
			case <-hold:
			case <-ctx.Done():
			}
		}
		return falaj.Answer{ID: "a-" + q.Text, Text: "The sources do not cover this."}, nil
	})
	h := startBot(t, bot.Config{Answerer: answerer, MaxConcurrent: 3, ShutdownGrace: time.Millisecond})
	var burst []string
	for n := range 25 {
		burst = append(burst, h.f.interactionAs(alice, "0", chanID, "ask", ask(fmt.Sprintf("Alice %d: why is Oman trusted?", n))...))
	}
	pending := map[string]bool{}
	for _, id := range burst {
		pending["/interactions/"+id+"/tok-"+id+"/callback"] = true
	}
	deferred, notices := 0, map[string]int{}
	for len(pending) > 0 {
		r := h.f.waitFor(t, "callbacks to Alice", func(r request) bool { return r.Method == "POST" && pending[r.Path] })
		delete(pending, r.Path)
		b := r.body(t)
		if jsonPath(b, "type") == float64(5) {
			deferred++
			continue
		}
		c, _ := jsonPath(b, "data", "content").(string)
		notices[c]++
	}
	if deferred != bot.DefaultMaxPerUser {
		t.Errorf("Alice's burst: %d answers started, want %d (the per-user cap); notices %v", deferred, bot.DefaultMaxPerUser, notices)
	}
	// Bob, within his own rate limit, is answered every time.
	for n := range 3 {
		id := h.f.interactionAs(bob, "0", chanID, "ask", ask(fmt.Sprintf("Bob %d: what did Oman do in Yemen?", n))...)
		b := h.f.waitFor(t, "callback to Bob", isCallback(id)).body(t)
		if jsonPath(b, "type") != float64(5) {
			t.Fatalf("Bob's question %d after Alice's burst: callback %v, want a deferred answer", n+1, b)
		}
		h.f.waitFor(t, "Bob's answer", isOriginalEdit(id))
	}
}

func TestMentionSyntaxDoesNotChangeTheAnswer(t *testing.T) {
	t.Parallel()
	// The real engine: the mention words made it decline this question.
	h := startBot(t, bot.Config{})
	const q = "What did Oman do during the Arab boycott of Qatar?"
	slash := h.f.interaction(chanID, "ask", ask(q+" @everyone please ping <@&555> <:falaj:1234>")...)
	b := h.f.waitFor(t, "answer to /ask", isOriginalEdit(slash)).body(t)
	if content, _ := b["content"].(string); !strings.HasPrefix(content, "> "+q+" please ping\n") || !strings.Contains(content, "[1]") {
		t.Errorf("/ask with mentions: %q, want the question quoted without them and an answer citing [1]", content)
	}
	h.f.message(guildID, chanID, userID, false, "<@"+botID+"> "+q+" @here <#"+otherID+"> <@"+userID+">", true)
	first := h.f.waitFor(t, "answer in the thread", func(r request) bool {
		return r.Method == "POST" && strings.HasSuffix(r.Path, "/messages")
	})
	if content, _ := first.body(t)["content"].(string); !strings.Contains(content, "[1]") {
		t.Errorf("mention with mentions in it: %q, want an answer citing [1]", content)
	}
	h.stop()
	if logs := h.logs.String(); strings.Contains(logs, "555") || strings.Contains(logs, "@everyone") || strings.Contains(logs, "@here") {
		t.Errorf("mentions reach the logs:\n%s", logs)
	}
}

func TestSourceFootnotesAreNotCitationsInDiscord(t *testing.T) {
	t.Parallel()
	p := falaj.Passage{Title: "Qatar", Author: "A", Ordinal: 3, Text: "Oman remained neutral in 2017.[1] It kept its airspace open.[12]"}
	answerer := scripted(func(ctx context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error) {
		return falaj.Answer{ID: "fn1", Text: "Oman remained neutral in 2017.[1] It kept its airspace open.[12] [1]", Answered: true,
			Citations: []falaj.Citation{{N: 1, Passage: p, Quote: "It kept its airspace open.[12]"}}}, nil
	})
	h := startBot(t, bot.Config{Answerer: answerer})
	id := h.f.interaction(chanID, "ask", ask("What did Oman do during the boycott?")...)
	b := h.f.waitFor(t, "answer", isOriginalEdit(id)).body(t)
	if content, _ := b["content"].(string); !strings.HasSuffix(content, "\n\nOman remained neutral in 2017.⁽¹⁾ It kept its airspace open.⁽¹²⁾ [1]") {
		t.Errorf("answer = %q; want the source's [1] and [12] as footnotes and only the answer's [1] as a citation", content)
	}
	if v, _ := jsonPath(b, "embeds", 0, "fields", 0, "value").(string); !strings.HasSuffix(v, "> It kept its airspace open.⁽¹²⁾") {
		t.Errorf("source quote = %q; want its [12] as a footnote", v)
	}
}
