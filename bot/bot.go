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
// "thinking"; a *falaj.UserError shows its message instead. A panic in a handler is
// recovered into the same apology (logged with the panic value and the stack).
//
// Starting: Run checks the token with GET /users/@me before it opens the gateway
// (Discord does not check the token on GET /gateway; it closes the websocket after
// IDENTIFY with code 4004), and turns the failures an admin can fix into a
// *falaj.UserError that names the setting: a rejected token (401, or close 4004), a
// privileged intent that is not switched on (close 4014), commands that may not be
// registered (403 Missing Access). Opening the gateway ends when Run's context does.
//
// Load: a question is checked against its asker's rate limit first (Config.Rate), then
// against the answers running: at most Config.MaxConcurrent at once, and at most
// Config.MaxPerUser of one person's, so one person's burst cannot make the bot busy for
// everyone else. A question beyond either gets a polite "busy" reply instead of
// queueing, and a refused question never holds a slot.
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
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/falaj-bot/falaj"
)

// Timing of answers and shutdown.
const (
	answerTimeout        = 2 * time.Minute  // one answer, streaming included
	replyTimeout         = 15 * time.Second // an apology sent after the answer's context ended
	defaultShutdownGrace = 10 * time.Second
	defaultMaxConcurrent = 8
	// channelLookupTimeout bounds the REST lookup of a thread's parent that /ask may
	// need before its deferred response, so the acknowledgement stays well within
	// Discord's 3 s.
	channelLookupTimeout = time.Second
	maxParents           = 10000 // thread → parent channel entries cached
)

// busyText is the reply when Config.MaxConcurrent answers are already running.
const busyText = "Falaj is busy answering others; please try again in a moment."

// busyUserText is the reply when the asker already has Config.MaxPerUser answers running.
const busyUserText = "I am still answering your earlier questions; please ask again once they are answered."

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
	// MaxConcurrent is how many answers may run at once, over all people; a question
	// beyond that is told the bot is busy (privately for /ask). 0: 8.
	MaxConcurrent int
	// MaxPerUser is how many answers one person may have running at once; a question
	// beyond that is told to wait for the earlier ones (privately for /ask). 0: 2.
	MaxPerUser int
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
	asked    *fifo[string]  // answer id → question, for feedback
	parents  *fifo[string]  // channel id → parent channel id ("" for a channel that is no thread)
	me       atomic.Value   // the bot's own user id (string), from GET /users/@me and READY
	slots    *answerSlots   // Config.MaxConcurrent answers, Config.MaxPerUser per person
	dial     *gatewayDialer // the gateway connection, so a cancelled start can close it

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
	dial := &gatewayDialer{}
	d := *s.Dialer // a copy: s.Dialer is websocket.DefaultDialer, shared by the process
	d.NetDialContext = dial.dialContext
	s.Dialer = &d
	s.Identify.Intents = intents(cfg.MentionFreeTriggers)
	s.LogLevel = discordgo.LogError

	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = defaultShutdownGrace
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = defaultMaxConcurrent
	}
	if cfg.MaxPerUser <= 0 {
		cfg.MaxPerUser = defaultMaxPerUser
	}
	b := &Bot{
		cfg:      cfg,
		log:      log,
		s:        s,
		allow:    make(map[string]bool),
		limiter:  newUserLimiter(cfg.Rate),
		history:  newHistories(),
		feedback: &feedbackFile{path: cfg.FeedbackPath},
		asked:    newFIFO[string](maxAsked),
		parents:  newFIFO[string](maxParents),
		slots:    newAnswerSlots(cfg.MaxConcurrent, cfg.MaxPerUser),
		dial:     dial,
	}
	b.me.Store("")
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
// the connection. Stopping once connected is no error: Run returns nil. When ctx ends
// while Run is still connecting (checking the token, opening the gateway), Run gives up
// and returns context.Cause(ctx). A failure the admin can fix (a rejected token, a
// privileged intent not switched on, commands that may not be registered) is a
// *falaj.UserError that names the setting and the fix.
func (b *Bot) Run(ctx context.Context) error {
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	removes := []func(){
		b.s.AddHandler(func(s *discordgo.Session, r *discordgo.Ready) {
			if r.User != nil && r.User.ID != "" {
				b.me.Store(r.User.ID)
			}
		}),
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

	user, err := b.connect(ctx)
	if err != nil {
		return err
	}
	defer b.s.Close()
	// However Run ends from here on (stopped, or registering failed), answers in flight
	// get the grace period before the session closes: events may arrive while registering.
	defer b.shutdown(cancelWork)
	appID := b.appID()
	b.log.InfoContext(ctx, "connected to discord", "user", user.Username, "user_id", user.ID, "app_id", appID,
		"mention_free", b.cfg.MentionFreeTriggers, "max_concurrent", b.cfg.MaxConcurrent)
	if err := b.register(ctx, appID); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while registering: connected, so a normal stop
		}
		return err
	}

	<-ctx.Done()
	return nil
}

// connect checks the token, then opens the gateway, giving up when ctx ends. It
// returns the bot's user.
//
// Discord does not check the token on GET /gateway: with a bad one the websocket is
// closed after IDENTIFY (code 4004). So the token is checked first with GET /users/@me,
// whose 401 is clear, and a 4004 close is mapped to the same message. discordgo's Open
// takes no context and waits for HELLO without a deadline, so it runs in a goroutine;
// when ctx ends, the gateway connection is closed under it (gatewayDialer), Open
// returns, and the session is closed. GET /gateway inside Open is bounded only by the
// HTTP client's timeout (20 s by default).
func (b *Bot) connect(ctx context.Context) (*discordgo.User, error) {
	user, err := b.s.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		if status, _ := restStatus(err); status == http.StatusUnauthorized {
			return nil, &falaj.UserError{Msg: tokenRejected("401 Unauthorized"), Err: b.redacted(err)}
		}
		return nil, fmt.Errorf("check discord token: %w", b.redacted(err))
	}
	b.me.Store(user.ID)

	opened := make(chan error, 1)
	go func() { opened <- b.s.Open() }()
	select {
	case err = <-opened:
	case <-ctx.Done():
		b.dial.abort()
		if err := <-opened; err == nil {
			b.s.Close() // it opened just as ctx ended
		}
		return nil, context.Cause(ctx)
	}
	if err == nil {
		return user, nil
	}
	switch code, _ := closeCode(err); code {
	case 4004:
		return nil, &falaj.UserError{Msg: tokenRejected("gateway close 4004, Authentication failed"), Err: b.redacted(err)}
	case 4014:
		return nil, &falaj.UserError{Msg: "Discord refused the Message Content intent (gateway close 4014, Disallowed intents), " +
			"which FALAJ_MENTION_FREE=true needs. Switch on Message Content Intent in the Developer Portal " +
			"(https://discord.com/developers/applications → your app → Bot → Privileged Gateway Intents), " +
			"or unset FALAJ_MENTION_FREE.", Err: b.redacted(err)}
	}
	return nil, fmt.Errorf("connect to discord gateway: %w", b.redacted(err))
}

// tokenRejected is the message for a token Discord does not accept; why says how it
// said so.
func tokenRejected(why string) string {
	return "Discord rejected DISCORD_TOKEN (" + why + "). Get a new token in the Developer Portal " +
		"(https://discord.com/developers/applications → your app → Bot → Reset Token) and put it in DISCORD_TOKEN " +
		"in .env or the environment; see docs/DISCORD.md."
}

// restStatus returns the HTTP status and Discord's JSON error code of a REST error.
func restStatus(err error) (status, code int) {
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) {
		return 0, 0
	}
	if rest.Response != nil {
		status = rest.Response.StatusCode
	}
	if rest.Message != nil {
		code = rest.Message.Code
	}
	return status, code
}

// closeCode returns the code of the websocket close frame in err's chain, as discordgo's
// Open returns it: gorilla/websocket's *CloseError (discordgo's own websocket module).
func closeCode(err error) (int, bool) {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code, true
	}
	return 0, false
}

// logFailure logs a failure an operator may need to act on at Error, with a new error id
// (returned, so the person affected can be shown it) and err's text with the bot and
// interaction tokens cut out. Every Error log of the bot goes through it.
func (b *Bot) logFailure(ctx context.Context, msg string, err error, attrs ...any) (errorID string) {
	errorID = newErrorID()
	b.log.ErrorContext(ctx, msg, append(attrs, "error_id", errorID, "err", b.errText(err))...)
	return errorID
}

// errText is err's text with the bot and interaction tokens cut out, for logs.
func (b *Bot) errText(err error) string {
	return redact(err.Error(), b.s.Token)
}

// redacted returns err with the token cut out of its text, for logs and for the cause
// of a UserError. Its chain is lost; map errors before redacting them.
func (b *Bot) redacted(err error) error {
	return errors.New(redact(err.Error(), b.s.Token))
}

// gatewayDialer dials the gateway's TCP connections for the session's websocket
// dialer and remembers the latest, so that abort can close it under a discordgo Open
// that waits for HELLO; after abort every dial fails. Safe for concurrent use.
type gatewayDialer struct {
	mu      sync.Mutex
	conn    net.Conn
	aborted bool
}

var errDialAborted = errors.New("gateway dial aborted: the bot is stopping")

func (g *gatewayDialer) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.aborted {
		c.Close()
		return nil, errDialAborted
	}
	g.conn = c
	return c, nil
}

// abort closes the connection being set up and makes later dials fail.
func (g *gatewayDialer) abort() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.aborted = true
	if g.conn != nil {
		g.conn.Close()
	}
}

// userID is the bot's own user id; "" before Run has checked the token.
func (b *Bot) userID() string { return b.me.Load().(string) }

// appID is Config.AppID or the application of the token.
func (b *Bot) appID() string {
	if b.cfg.AppID != "" {
		return b.cfg.AppID
	}
	b.s.State.RLock()
	a := b.s.State.Application
	id := ""
	if a != nil {
		id = a.ID
	}
	b.s.State.RUnlock()
	if id != "" {
		return id
	}
	return b.userID() // bots made since 2020 have the application's id
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

// handle runs one event's work, counted for shutdown. A panic that the handler did not
// turn into a reply itself (see rescue) is logged here, so it never ends the process.
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
			b.log.ErrorContext(ctx, "panic in handler", "event", kind, "error_id", newErrorID(),
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	f(ctx)
}

// rescue, deferred by a handler, recovers a panic: it logs it at Error with an error id,
// the panic value and the stack, and when the handler has promised a reply (*out is
// set: a deferred interaction, a question asked by message) it sends the apology with
// that id there, so no interaction is left "thinking".
func (b *Bot) rescue(ctx context.Context, out *sink, attrs []any) {
	r := recover()
	if r == nil {
		return
	}
	id := newErrorID()
	b.log.ErrorContext(ctx, "panic in handler", append(attrs, "error_id", id, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))...)
	if *out == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replyTimeout)
	defer cancel()
	if err := (*out).fail(ctx, apology(id)); err != nil {
		b.logFailure(ctx, "send apology", err, append(attrs, "apology_error_id", id)...)
	}
}

// apology is the text shown in place of an answer that failed.
func apology(errorID string) string {
	return fmt.Sprintf("Sorry, I could not answer that. Please try again in a moment. (error id: %s)", errorID)
}

// admit decides whether user's question is answered now: the rate limit is checked
// first, then a slot is taken (answerSlots), so a refused question never holds a slot
// and a busy bot does not spend the asker's allowance. When ok, the slot is held until
// release is called: release it once the answer is back (before sending it, so a reply
// seen means a free slot), and also in a defer, for the paths that return early;
// releasing twice is harmless. When !ok, notice is the text for the asker, and quiet
// says a message need not be answered (a rate-limited person is told once per wait).
func (b *Bot) admit(ctx context.Context, user string, attrs []any) (release func(), notice string, quiet, ok bool) {
	if ok, wait, tell := b.limiter.allow(user); !ok {
		b.log.InfoContext(ctx, "rate limited", append(attrs, "user", user, "wait_ms", wait.Milliseconds())...)
		return func() {}, slowDown(wait), !tell, false
	}
	release, why := b.slots.acquire(user)
	switch why {
	case busyAll:
		b.limiter.giveBack(user)
		b.log.InfoContext(ctx, "busy", append(attrs, "user", user, "max_concurrent", b.cfg.MaxConcurrent)...)
		return release, busyText, false, false
	case busyUser:
		b.log.InfoContext(ctx, "busy for this user", append(attrs, "user", user, "max_per_user", b.cfg.MaxPerUser)...)
		return release, busyUserText, false, false
	}
	return release, "", false, true
}

// answer asks the Answerer, streaming its text into out through the edit throttle. The
// throttle has stopped when answer returns, panics included, so no streaming edit can
// come after the final answer or an apology.
func (b *Bot) answer(ctx context.Context, q falaj.Question, out sink) (falaj.Answer, error) {
	ctx, cancel := context.WithTimeout(ctx, answerTimeout)
	defer cancel()
	th := newThrottle(editEvery, out.progress, func(err error) {
		b.log.WarnContext(ctx, "streaming edit failed; the next edit or the answer shows the text", "err", b.errText(err))
	})
	thCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		th.run(thCtx)
	}()
	defer func() {
		stop()
		<-done
	}()
	a, err := b.cfg.Answerer.Answer(ctx, q, th.add)
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
	return apology(b.logFailure(ctx, "answer failed", err, attrs...))
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
// as their parent channel, other channels as Config.Channels says. Only a thread whose
// parent is not known yet needs a REST lookup; err is its failure.
func (b *Bot) allowed(ctx context.Context, guildID, channelID string) (bool, error) {
	if len(b.allow) == 0 || guildID == "" || b.allow[channelID] {
		return true, nil
	}
	parent, err := b.parent(ctx, channelID)
	if err != nil {
		return false, err
	}
	return parent != "" && b.allow[parent], nil
}

// parent returns the parent channel of a thread, or "" when channelID is no thread.
// Lookups use the cache, the session state, then REST; answers are cached (at most
// maxParents, the oldest forgotten first).
func (b *Bot) parent(ctx context.Context, channelID string) (string, error) {
	if p, ok := b.parents.get(channelID); ok {
		return p, nil
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
	b.parents.put(channelID, p)
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

// maxAsked is how many answers' questions are kept for feedback clicks.
const maxAsked = 10000
