package bot_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/bot"
	"github.com/falaj-bot/falaj/internal/openaitest"
	"github.com/falaj-bot/falaj/llm"
	"github.com/falaj-bot/falaj/retrieval"
)

// scriptedRow is one behaviour of openaitest.Behaviours as the Discord test runs it: its
// own scripted server, llm client and Engine, the interaction that asks it, and what the
// Engine answered inside the bot.
type scriptedRow struct {
	b      openaitest.Behaviour
	engine *falaj.Engine
	id     string // the interaction id

	done     chan struct{} // closed once the fields below are set
	question falaj.Question
	answer   falaj.Answer
	err      error
	streamed string // what the Engine passed to onText, all of it
}

// rowRouter is the bot's Answerer: each Answer call takes the next row the test hands it
// (the test dispatches one /ask, then hands over its row, then the next) and answers with
// that row's real Engine, passing its streamed text on to the bot. When the Engine
// streamed anything, it returns only once Discord has received a streaming edit of the
// reply, so that what streamed is shown: the scripted server replies in milliseconds,
// within the bot's one-edit-a-second throttle, which would otherwise skip the streaming
// edit and leave what streamed unchecked.
type rowRouter struct {
	next chan *scriptedRow
	log  *tokenLog
}

// Answer answers q with the next row's Engine; see rowRouter.
func (r *rowRouter) Answer(ctx context.Context, q falaj.Question, onText func(string)) (falaj.Answer, error) {
	var row *scriptedRow
	select {
	case row = <-r.next:
	case <-ctx.Done():
		return falaj.Answer{}, ctx.Err()
	}
	var streamed strings.Builder
	a, err := row.engine.Answer(ctx, q, func(d string) {
		streamed.WriteString(d)
		onText(d)
	})
	row.question, row.answer, row.err, row.streamed = q, a, err, streamed.String()
	close(row.done)
	if err == nil && streamed.Len() > 0 {
		r.log.wait(ctx, row.id, isStreamingEdit) // on timeout the test finds no streaming edit
	}
	return a, err
}

// tokenLog keeps the fake Discord's requests per interaction token, for several waiters.
type tokenLog struct {
	mu      sync.Mutex
	reqs    map[string][]request // interaction id → its requests, in order
	changed chan struct{}        // closed and replaced on each request
}

// follow records every request f receives until ctx ends.
func (l *tokenLog) follow(ctx context.Context, f *fakeDiscord) {
	tokRE := regexp.MustCompile(`/tok-(\d+)(?:/|$)`)
	for {
		select {
		case r := <-f.reqs:
			m := tokRE.FindStringSubmatch(r.Path)
			if m == nil {
				continue
			}
			l.mu.Lock()
			l.reqs[m[1]] = append(l.reqs[m[1]], r)
			close(l.changed)
			l.changed = make(chan struct{})
			l.mu.Unlock()
		case <-ctx.Done():
			return
		}
	}
}

// wait returns the requests of interaction id once one of them satisfies ok, or, after
// waitTimeout or when ctx ends, those so far and false.
func (l *tokenLog) wait(ctx context.Context, id string, ok func(request) bool) ([]request, bool) {
	timeout := time.After(waitTimeout)
	for {
		l.mu.Lock()
		reqs, changed := slices.Clone(l.reqs[id]), l.changed
		l.mu.Unlock()
		if slices.ContainsFunc(reqs, ok) {
			return reqs, true
		}
		select {
		case <-changed:
		case <-timeout:
			return reqs, false
		case <-ctx.Done():
			return reqs, false
		}
	}
}

// isStreamingEdit: an edit of the deferred reply without components, which only the
// streaming edits lack (the final edit sets them, the feedback buttons or none).
func isStreamingEdit(r request) bool {
	return r.Method == "PATCH" && strings.HasSuffix(r.Path, "/messages/@original") && !strings.Contains(string(r.Body), `"components"`)
}

// hasButtons: the message that carries the feedback buttons, the last of an answer.
func hasButtons(r request) bool {
	return messageBearing(r) && strings.Contains(string(r.Body), `"custom_id"`)
}

// mustNotAppear is what a scripted reply holds that must never reach Discord: reasoning,
// the refusal sentinel, injected text, preambles and citation styles left unnormalised.
var mustNotAppear = []string{"<think", "</think", "the user asks", "Passage 3 looks off", "NOT_IN", "PWNED",
	"Sure!", "Based on the provided", "(Passage", "[n=", "【", "†source", "[Source", "^1"}

// TestDiscordScriptedBehaviours: `/ask` on Discord gives, for each behaviour real models
// show (openaitest.Behaviours), the outcome `falaj ask` and the web API give
// (TestAskScriptedBehaviours, TestServeScriptedBehaviours): a real Engine over the seed
// index with a real llm client against the scripted server answers, and the bot's last
// message(s) render exactly that answer, its note and its sources; no streaming edit
// shows text that the answer does not start with, nothing of mustNotAppear reaches any
// message, and every message pings nobody. One bot answers all rows at once.
func TestDiscordScriptedBehaviours(t *testing.T) {
	t.Parallel()
	ix := openIndex(t)
	router := &rowRouter{next: make(chan *scriptedRow), log: &tokenLog{reqs: make(map[string][]request), changed: make(chan struct{})}}
	h := startBot(t, bot.Config{Answerer: router, MaxConcurrent: 2 * len(openaitest.Behaviours)})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go router.log.follow(ctx, h.f)

	rows := make([]*scriptedRow, len(openaitest.Behaviours))
	for i, b := range openaitest.Behaviours {
		srv := openaitest.New(t, b.Reply)
		c, err := llm.New(llm.Config{BaseURL: srv.URL, ChatModel: b.ChatModel})
		if err != nil {
			t.Fatal(err)
		}
		e, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix, Generator: c, Rewriter: c, MinConfidence: retrieval.DefaultMinConfidence})
		if err != nil {
			t.Fatal(err)
		}
		row := &scriptedRow{b: b, engine: e, done: make(chan struct{})}
		user := fmt.Sprintf("6000000000000010%02d", i) // one person per row: no per-person limit applies
		row.id = h.f.interactionAs(user, "0", chanID, "ask", ask(b.Question)...)
		select {
		case router.next <- row:
		case <-time.After(waitTimeout):
			t.Fatalf("row %q: the bot did not ask its Answerer within %s; logs:\n%s", b.Name, waitTimeout, h.logs)
		}
		rows[i] = row
	}

	for _, row := range rows {
		t.Run(row.b.Name, func(t *testing.T) {
			reqs, ok := router.log.wait(ctx, row.id, hasButtons)
			if !ok {
				t.Fatalf("no final message within %s; requests: %v", waitTimeout, reqs)
			}
			<-row.done
			checkDiscordRow(t, row, reqs)
		})
	}
}

// checkDiscordRow checks what Discord received for row (reqs, up to the final message)
// against the Engine's answer and the behaviour's expected outcome.
func checkDiscordRow(t *testing.T, row *scriptedRow, reqs []request) {
	t.Helper()
	b, a := row.b, row.answer
	if row.err != nil {
		t.Fatalf("Engine: %v", row.err)
	}
	if row.question.Text != b.Question {
		t.Fatalf("the Answerer was asked %q; want %q (rows crossed)", row.question.Text, b.Question)
	}

	// The Engine's outcome is the behaviour's (as in TestAskScriptedBehaviours).
	w := b.Want
	if string(a.Status) != w.Status || a.Answerer != w.Answerer || a.Answered != (w.Status == "answered") ||
		!strings.HasPrefix(a.Note, w.Note) || (w.Note == "" && a.Note != "") {
		t.Errorf("status %q by %q, note %q; want %q by %q, note %q", a.Status, a.Answerer, a.Note, w.Status, w.Answerer, w.Note)
	}
	if b.WantText != "" && a.Text != b.WantText {
		t.Errorf("answer %q; want %q", a.Text, b.WantText)
	}
	if n := len(a.Citations); (b.WantCites >= 0 && n != b.WantCites) || (b.WantCites < 0 && n == 0) {
		t.Errorf("%d citations; want %d (-1: some)", n, b.WantCites)
	}

	checkAllowedMentions(t, reqs)
	for _, r := range reqs {
		if !messageBearing(r) {
			continue
		}
		for _, s := range jsonStrings(decodeAny(t, r.Body)) {
			for _, bad := range mustNotAppear {
				if strings.Contains(s, bad) {
					t.Errorf("%s shows %q: %q", r, bad, s)
				}
			}
		}
	}

	// The last edit of the deferred reply and the followups after it are the answer.
	var final []request
	var streaming []string
	for _, r := range reqs {
		switch {
		case isStreamingEdit(r):
			streaming = append(streaming, jsonPath(r.body(t), "content").(string))
		case r.Method == "PATCH" && strings.HasSuffix(r.Path, "/messages/@original"):
			final = []request{r}
		case r.Method == "POST" && strings.HasPrefix(r.Path, "/webhooks/") && len(final) > 0:
			final = append(final, r)
		}
	}
	if len(final) == 0 {
		t.Fatalf("no final edit of the deferred reply; requests: %v", reqs)
	}
	var parts []string
	for _, r := range final {
		c, _ := jsonPath(r.body(t), "content").(string)
		parts = append(parts, c)
	}
	prefix := "> " + b.Question + "\n\n"
	want := prefix + a.Text
	if a.Note != "" {
		want += "\n\n-# " + strings.Join(strings.Fields(a.Note), " ")
	}
	// The parts of a long answer are cut at white space, which the cut drops; an answer
	// longer than bot.MaxAnswerMessages messages is cut, with a note.
	got := strings.Join(strings.Fields(strings.Join(parts, "\n\n")), " ")
	if len(final) > bot.MaxAnswerMessages {
		t.Errorf("an answer sent as %d messages; want at most %d", len(final), bot.MaxAnswerMessages)
	}
	if cut, ok := strings.CutSuffix(got, strings.Join(strings.Fields(bot.CutNote), " ")); ok {
		cut = strings.TrimSuffix(strings.TrimSpace(cut), "…")
		if !strings.HasPrefix(strings.Join(strings.Fields(want), " "), strings.TrimSpace(cut)) || len(final) != bot.MaxAnswerMessages {
			t.Errorf("cut message(s) are not the start of the Engine's answer, in %d messages:\n%s", len(final), got)
		}
	} else if got != strings.Join(strings.Fields(want), " ") {
		t.Errorf("final message(s):\n%s\nwant the Engine's answer:\n%s", got, want)
	}
	if len(final) > 1 && len([]rune(a.Text)) < 1900 {
		t.Errorf("an answer of %d characters sent as %d messages", len([]rune(a.Text)), len(final))
	}
	if a.Answered && a.Answerer == falaj.AnswererLLM {
		for _, m := range regexp.MustCompile(`\[(\d+)\]`).FindAllStringSubmatch(strings.Join(parts, "\n"), -1) {
			if n, _ := strconv.Atoi(m[1]); n < 1 || n > len(a.Citations) {
				t.Errorf("marker [%d] with %d citations", n, len(a.Citations))
			}
		}
	}

	last := final[len(final)-1].body(t)
	custom, _ := jsonPath(last, "components", 0, "components", 0, "custom_id").(string)
	if !strings.HasSuffix(custom, ":"+a.ID) {
		t.Errorf("feedback button %q; want it for the Engine's answer %s", custom, a.ID)
	}
	embeds, _ := jsonPath(last, "embeds").([]any)
	switch {
	case a.Answered || a.Status == falaj.StatusRelated:
		fields, _ := jsonPath(embeds, 0, "fields").([]any)
		if jsonPath(embeds, 0, "title") != "Sources" || len(fields) != min(len(a.Citations), 25) {
			t.Errorf("embeds %v; want Sources with the %d citations", embeds, len(a.Citations))
		}
		for i, f := range fields {
			name, _ := jsonPath(f, "name").(string)
			if i < len(a.Citations) && !strings.HasPrefix(name, fmt.Sprintf("[%d] ", a.Citations[i].N)) {
				t.Errorf("source %d named %q; want [%d] and its title", i, name, a.Citations[i].N)
			}
		}
	case a.Status == falaj.StatusDeclined && len(embeds) != 0:
		t.Errorf("a decline shows embeds %v", embeds)
	}

	// Streaming shows checked text only: each streaming edit is the start of the answer.
	if row.streamed != "" && len(streaming) == 0 {
		t.Errorf("the Engine streamed %q but Discord got no streaming edit", row.streamed)
	}
	if row.streamed == "" && len(streaming) > 0 {
		t.Errorf("nothing streamed but Discord got streaming edits %q", streaming)
	}
	for _, s := range streaming {
		shown := strings.TrimSuffix(s, " …")
		if long := strings.TrimSuffix(shown, "…"); len([]rune(shown)) >= 1990 && long != shown {
			shown = long // cut to fit one message
		}
		if !strings.HasPrefix(prefix+a.Text, shown) {
			t.Errorf("streaming edit %q is not the start of the answer %q", s, prefix+a.Text)
		}
	}
}

// jsonStrings returns every string in a decoded JSON value, keys excluded.
func jsonStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, jsonStrings(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range v {
			out = append(out, jsonStrings(e)...)
		}
		return out
	}
	return nil
}
