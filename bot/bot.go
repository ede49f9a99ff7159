// Package bot is Falaj's Discord front end, the only package that imports discordgo.
//
// A Bot holds a falaj.Answerer and renders its Answers; it never retrieves, prompts or
// checks citations itself. People ask with /ask (a deferred reply, then an edit with
// the answer and a Sources embed), by mentioning the bot, or in a DM; a mention in a
// channel opens a thread, and later questions in that thread are asked with the
// thread's history (see histories for why it is kept in memory).
//
// Safety: every message, edit, interaction response and followup carries
// allowed_mentions with an empty parse list, so nothing the bot writes pings anyone.
// The token is never logged; interaction tokens are cut out of logged errors. REST goes
// through transport, which waits out 429s (bounded, cancellable) and can point the
// whole API at another base URL (Config.APIURL); see transport for the reasons.
//
// Errors: an error while answering edits the reply with a short apology and an error
// id that is also logged (slog Error, key error_id), so no interaction is left
// "thinking"; a *falaj.UserError shows its message instead.
//
// docs/DISCORD.md explains how to run the bot in a server.
package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/falaj-bot/falaj"
)

// Timing of answers and shutdown.
const (
	answerTimeout        = 2 * time.Minute  // one answer, streaming included
	replyTimeout         = 15 * time.Second // an apology sent after the answer's context ended
	defaultShutdownGrace = 10 * time.Second
)

// SourceLister lists the indexed documents, for /sources. *retrieval.Index has it.
type SourceLister interface {
	Sources(ctx context.Context) ([]falaj.Source, error)
}

// Reindexer refreshes the index, for /reindex. *retrieval.Index has it.
type Reindexer interface {
	Reindex(ctx context.Context) (falaj.IndexStats, error)
}

// Config configures a Bot. Only Token and Answerer are required.
type Config struct {
	// Token is the bot token from the Developer Portal (DISCORD_TOKEN), with or without
	// the "Bot " prefix. Required. It is never logged.
	Token string
	// AppID is the application id (DISCORD_APP_ID); "": the application of the token,
	// as the gateway's READY event reports it.
	AppID string
	// GuildIDs are the servers to register the slash commands in (DISCORD_GUILD_IDS);
	// per-guild commands update at once. Empty: register globally, which Discord may
	// take up to an hour to show.
	GuildIDs []string
	// Channels is the allow-list of channel ids the bot answers in (FALAJ_CHANNELS); a
	// thread counts as its parent channel; DMs are always answered. Empty: everywhere.
	Channels []string
	// Rate is how many questions one person may ask per minute (FALAJ_RATE), as a burst
	// that refills evenly. 0: 5.
	Rate int
	// MentionFreeTriggers makes the bot answer every message in the threads it opened,
	// not only those that mention it (FALAJ_MENTION_FREE). It needs the privileged
	// Message Content intent, switched on in the Developer Portal. false: in threads,
	// mention the bot to ask a follow-up.
	MentionFreeTriggers bool
	// APIURL is the base URL for REST and the gateway lookup (DISCORD_API_URL), such as
	// a REST proxy: "https://proxy.example/api/v9" takes the place of
	// "https://discord.com/api/v9". "": discord.com.
	APIURL string
	// FeedbackPath is the JSON Lines file 👍/👎 clicks are appended to
	// (FALAJ_FEEDBACK). "": clicks are acknowledged but not stored.
	FeedbackPath string
	// ShutdownGrace is how long Run lets answers in flight finish once its context is
	// done. 0: 10 s.
	ShutdownGrace time.Duration
	// Logger receives the bot's logs. nil: logs are discarded.
	Logger *slog.Logger
	// HTTPClient is the client for REST; its Transport is wrapped, not changed. nil: a
	// client with a 20 s timeout.
	HTTPClient *http.Client
	// Answerer answers the questions. Required.
	Answerer falaj.Answerer
	// Sources lists the corpus for /sources. nil: no /sources command.
	Sources SourceLister
	// Reindexer refreshes the index for /reindex. nil: no /reindex command.
	Reindexer Reindexer
}

// Bot is a running Discord bot. Create it with New and start it with Run.
type Bot struct {
	cfg      Config
	log      *slog.Logger
	s        *discordgo.Session
	allow    map[string]bool // Config.Channels; empty: all
	limiter  *userLimiter
	history  *histories
	feedback *feedbackFile
	asked    *questionLog
	parents  sync.Map // thread id → parent channel id ("" for a channel that is no thread)

	mu       sync.Mutex
	closing  bool
	inflight sync.WaitGroup
}

// New checks cfg and prepares a Bot; it does not connect yet. A missing token is a
// *falaj.UserError that says where to get one.
func New(cfg Config) (*Bot, error) {
	token := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(cfg.Token), "Bot "))
	if token == "" {
		return nil, &falaj.UserError{Msg: "DISCORD_TOKEN is not set. Create a bot at https://discord.com/developers/applications " +
			"(your app → Bot → Reset Token), put DISCORD_TOKEN=… in .env or the environment, and see docs/DISCORD.md."}
	}
	if cfg.Answerer == nil {
		return nil, errors.New("bot: Config.Answerer is nil")
	}
	client := &http.Client{Timeout: 20 * time.Second}
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		client = &c
	}
	tr, err := newTransport(cfg.APIURL, client.Transport)
	if err != nil {
		return nil, &falaj.UserError{Msg: fmt.Sprintf("DISCORD_API_URL %q is not an http(s) URL; unset it to talk to discord.com.", cfg.APIURL), Err: err}
	}
	client.Transport = tr

	s, err := discordgo.New("Bot " + token)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	s.Client = client
	s.ShouldRetryOnRateLimit = false // transport waits 429s out, bounded and cancellable
	s.Identify.Intents = intents(cfg.MentionFreeTriggers)
	s.LogLevel = discordgo.LogError

	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = defaultShutdownGrace
	}
	b := &Bot{
		cfg:      cfg,
		log:      log,
		s:        s,
		allow:    make(map[string]bool),
		limiter:  newUserLimiter(cfg.Rate),
		history:  newHistories(),
		feedback: &feedbackFile{path: cfg.FeedbackPath},
		asked:    newQuestionLog(),
	}
	for _, id := range cfg.Channels {
		if id = strings.TrimSpace(id); id != "" {
			b.allow[id] = true
		}
	}
	return b, nil
}

// intents are the gateway intents: guilds, guild messages and DMs, plus the privileged
// message content only when the bot answers messages that do not mention it.
func intents(mentionFree bool) discordgo.Intent {
	in := discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
	if mentionFree {
		in |= discordgo.IntentsMessageContent
	}
	return in
}

// Run connects to Discord, registers the slash commands (in Config.GuildIDs, or
// globally) and answers until ctx is done. Then it stops taking questions, lets the
// answers in flight finish for up to Config.ShutdownGrace, cancels the rest, and closes
// the connection. A token Discord rejects is a *falaj.UserError. Stopping is no error:
// Run returns nil once ctx is done, even when that happens while it starts.
func (b *Bot) Run(ctx context.Context) error {
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	removes := []func(){
		b.s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
			b.handle(work, "interaction", func(ctx context.Context) { b.onInteraction(ctx, i.Interaction) })
		}),
		b.s.AddHandler(func(s *discordgo.Session, m *discordgo.MessageCreate) {
			b.handle(work, "message", func(ctx context.Context) { b.onMessage(ctx, m.Message) })
		}),
		b.s.AddHandler(func(s *discordgo.Session, d *discordgo.Disconnect) {
			b.log.Info("discord gateway disconnected")
		}),
	}
	defer func() {
		for _, remove := range removes {
			remove()
		}
	}()

	if err := b.s.Open(); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		var rest *discordgo.RESTError
		if errors.As(err, &rest) && rest.Response != nil && rest.Response.StatusCode == http.StatusUnauthorized {
			return &falaj.UserError{Msg: "Discord rejected DISCORD_TOKEN (401 Unauthorized). Reset the token in the Developer Portal (your app → Bot) and update DISCORD_TOKEN.", Err: err}
		}
		return fmt.Errorf("connect to discord: %s", redact(err.Error(), b.s.Token))
	}
	defer b.s.Close()
	user := b.s.State.User
	if user == nil {
		return errors.New("connect to discord: no user in READY")
	}
	appID := b.appID()
	b.log.InfoContext(ctx, "connected to discord", "user", user.Username, "user_id", user.ID, "app_id", appID,
		"guilds", len(b.s.State.Guilds), "mention_free", b.cfg.MentionFreeTriggers)
	if err := b.register(ctx, appID); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return err
	}

	<-ctx.Done()
	b.shutdown(cancelWork)
	return nil
}

// appID is Config.AppID or the application of the token.
func (b *Bot) appID() string {
	if b.cfg.AppID != "" {
		return b.cfg.AppID
	}
	if a := b.s.State.Application; a != nil && a.ID != "" {
		return a.ID
	}
	return b.s.State.User.ID // bots made since 2020 have the application's id
}

// shutdown stops new work, waits for work in flight for the grace period, then cancels
// it and waits a little longer for it to notice.
func (b *Bot) shutdown(cancelWork context.CancelFunc) {
	b.mu.Lock()
	b.closing = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() {
		b.inflight.Wait()
		close(done)
	}()
	grace := time.NewTimer(b.cfg.ShutdownGrace)
	defer grace.Stop()
	select {
	case <-done:
		b.log.Info("discord bot stopped")
		return
	case <-grace.C:
	}
	b.log.Warn("shutdown grace over; cancelling answers in flight", "grace", b.cfg.ShutdownGrace)
	cancelWork()
	select {
	case <-done:
	case <-time.After(replyTimeout):
		b.log.Error("answers in flight did not stop after cancellation")
	}
}

// handle runs one event's work, counted for shutdown and guarded against panics.
func (b *Bot) handle(ctx context.Context, kind string, f func(ctx context.Context)) {
	b.mu.Lock()
	if b.closing {
		b.mu.Unlock()
		return
	}
	b.inflight.Add(1)
	b.mu.Unlock()
	defer b.inflight.Done()
	defer func() {
		if r := recover(); r != nil {
			b.log.ErrorContext(ctx, "panic in handler", "event", kind, "error_id", newErrorID(), "panic", fmt.Sprint(r))
		}
	}()
	f(ctx)
}

// answer asks the Answerer, streaming its text into out through the edit throttle.
func (b *Bot) answer(ctx context.Context, q falaj.Question, out sink) (falaj.Answer, error) {
	ctx, cancel := context.WithTimeout(ctx, answerTimeout)
	defer cancel()
	th := newThrottle(editEvery, out.progress)
	thCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		th.run(thCtx)
	}()
	a, err := b.cfg.Answerer.Answer(ctx, q, th.add)
	stop()
	<-done
	if err == nil && a.ID == "" {
		a.ID = newErrorID()
	}
	return a, err
}

// failure returns the text a person sees for err and logs it: a UserError's message
// (logged at Info), or an apology with an error id that is logged at Error.
func (b *Bot) failure(ctx context.Context, err error, attrs ...any) string {
	if falaj.IsUserError(err) {
		b.log.InfoContext(ctx, "question refused", append(attrs, "reason", falaj.UserMessage(err))...)
		return falaj.UserMessage(err)
	}
	id := newErrorID()
	b.log.ErrorContext(ctx, "answer failed", append(attrs, "error_id", id, "err", redact(err.Error(), b.s.Token))...)
	return fmt.Sprintf("Sorry, I could not answer that. Please try again in a moment. (error id: %s)", id)
}

// sink is where an answer goes: an interaction's reply or a message reply.
type sink interface {
	progress(ctx context.Context, text string) error // streaming text so far
	final(ctx context.Context, r reply) error        // the answer
	fail(ctx context.Context, text string) error     // an apology or a UserError's message
}

// progressText is the streaming text as shown: within one message, marked unfinished.
func progressText(prefix, text string) string {
	return truncate(prefix+text, maxMessageRunes-2) + " …"
}

// allowed reports whether the bot answers in channelID of guildID: DMs always, threads
// as their parent channel, other channels as Config.Channels says.
func (b *Bot) allowed(ctx context.Context, guildID, channelID string) bool {
	if len(b.allow) == 0 || guildID == "" {
		return true
	}
	if b.allow[channelID] {
		return true
	}
	parent, err := b.parent(ctx, channelID)
	if err != nil {
		b.log.WarnContext(ctx, "channel lookup failed; not answering", "channel", channelID, "err", redact(err.Error(), b.s.Token))
		return false
	}
	return parent != "" && b.allow[parent]
}

// parent returns the parent channel of a thread, or "" when channelID is no thread.
// Lookups use the session state, then REST, and are cached.
func (b *Bot) parent(ctx context.Context, channelID string) (string, error) {
	if p, ok := b.parents.Load(channelID); ok {
		return p.(string), nil
	}
	ch, err := b.s.State.Channel(channelID)
	if err != nil {
		ch, err = b.s.Channel(channelID, discordgo.WithContext(ctx))
		if err != nil {
			return "", fmt.Errorf("look up channel %s: %w", channelID, err)
		}
	}
	p := ""
	if ch.IsThread() {
		p = ch.ParentID
	}
	b.parents.Store(channelID, p)
	return p, nil
}

// newErrorID returns 8 random hex digits, to match a reply with its log line.
func newErrorID() string {
	var b [4]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// tokenInPath matches the interaction token in webhook and callback URLs.
var tokenInPath = regexp.MustCompile(`/(webhooks|interactions)/(\d+)/[^/\s"?]+`)

// redact removes the bot token and interaction tokens from s, a text about to be logged.
func redact(s, token string) string {
	if t := strings.TrimPrefix(token, "Bot "); t != "" {
		s = strings.ReplaceAll(s, t, "[token]")
	}
	return tokenInPath.ReplaceAllString(s, "/$1/$2/[token]")
}

// questionLog remembers the question of recent answers, by answer id, so a feedback
// click can be stored with its question. Bounded to maxAsked; safe for concurrent use.
type questionLog struct {
	mu    sync.Mutex
	byID  map[string]string
	order []string
}

const maxAsked = 10000

func newQuestionLog() *questionLog { return &questionLog{byID: make(map[string]string)} }

func (l *questionLog) add(answerID, question string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.byID[answerID]; ok {
		return
	}
	if len(l.order) >= maxAsked {
		delete(l.byID, l.order[0])
		l.order = l.order[1:]
	}
	l.byID[answerID] = question
	l.order = append(l.order, answerID)
}

func (l *questionLog) get(answerID string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.byID[answerID]
}
