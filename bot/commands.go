package bot

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/falaj-bot/falaj"
)

// helpText is the reply to /help.
const helpText = `**Falaj** answers questions about Oman's diplomacy from its library of articles, and cites them: [1] points to the first source under the answer.

• ` + "`/ask question:`" + ` — ask; add ` + "`private:True`" + ` to see the answer alone.
• Mention me with a question — I answer in a thread; in that thread, mention me again to follow up, and I remember the conversation.
• DM me — the same, without a mention.
• ` + "`/sources`" + ` — the articles I answer from.
• 👍 / 👎 under an answer tell the maintainers what works.

When the articles do not cover a question I say so instead of guessing.`

// commands returns the slash commands to register: /ask and /help always, /sources and
// /reindex when the Config has what they need.
func (b *Bot) commands() []*discordgo.ApplicationCommand {
	anywhere := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	cmds := []*discordgo.ApplicationCommand{
		{
			Name:        "ask",
			Description: "Ask a question about Oman's diplomacy; the answer cites its sources",
			Contexts:    anywhere,
			Options: []*discordgo.ApplicationCommandOption{
				{
					Type:        discordgo.ApplicationCommandOptionString,
					Name:        "question",
					Description: "Your question, e.g. Why is Oman trusted as a mediator?",
					Required:    true,
					MaxLength:   falaj.MaxQuestionRunes,
				},
				{
					Type:        discordgo.ApplicationCommandOptionBoolean,
					Name:        "private",
					Description: "Only you see the answer (default: false)",
				},
			},
		},
		{Name: "help", Description: "How to ask Falaj", Contexts: anywhere},
	}
	if b.cfg.Sources != nil {
		cmds = append(cmds, &discordgo.ApplicationCommand{Name: "sources", Description: "List the articles Falaj answers from", Contexts: anywhere})
	}
	if b.cfg.Reindexer != nil {
		manageServer := int64(discordgo.PermissionManageGuild)
		cmds = append(cmds, &discordgo.ApplicationCommand{
			Name:                     "reindex",
			Description:              "Re-read the articles and refresh the search index (admins)",
			DefaultMemberPermissions: &manageServer,
			Contexts:                 &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild},
		})
	}
	return cmds
}

// register overwrites the bot's slash commands in each configured guild, or globally.
func (b *Bot) register(ctx context.Context, appID string) error {
	cmds := b.commands()
	guilds := b.cfg.GuildIDs
	if len(guilds) == 0 {
		guilds = []string{""}
	}
	for _, g := range guilds {
		if _, err := b.s.ApplicationCommandBulkOverwrite(appID, g, cmds, discordgo.WithContext(ctx)); err != nil {
			where := "globally"
			if g != "" {
				where = "in guild " + g
			}
			if status, code := restStatus(err); status == http.StatusForbidden || code == discordMissingAccess {
				return &falaj.UserError{Msg: registerDenied(g), Err: fmt.Errorf("register slash commands %s: %w", where, b.redacted(err))}
			}
			return fmt.Errorf("register slash commands %s: %w", where, b.redacted(err))
		}
		b.log.InfoContext(ctx, "registered slash commands", "guild", g, "commands", len(cmds))
	}
	return nil
}

// discordMissingAccess is Discord's JSON error code 50001, Missing Access.
const discordMissingAccess = 50001

// registerDenied explains a 403 Missing Access when registering the commands in guild
// ("": globally).
func registerDenied(guild string) string {
	if guild == "" {
		return "Discord refused to register the slash commands (403 Missing Access). Invite the bot again with the " +
			"applications.commands scope (the invite URL is in docs/DISCORD.md), and check that DISCORD_APP_ID, if set, " +
			"is this bot's Application ID."
	}
	return "Discord refused to register the slash commands in server " + guild + " (403 Missing Access). Check that " +
		guild + " in DISCORD_GUILD_IDS is the id of a server the bot is in, and that the bot was invited with the " +
		"applications.commands scope (the invite URL is in docs/DISCORD.md); or leave DISCORD_GUILD_IDS empty to " +
		"register the commands globally."
}

// onInteraction dispatches a slash command or a button click.
func (b *Bot) onInteraction(ctx context.Context, i *discordgo.Interaction) {
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		switch name := i.ApplicationCommandData().Name; name {
		case "ask":
			b.onAsk(ctx, i)
		case "help":
			b.respond(ctx, i, helpText, true)
		case "sources":
			b.onSources(ctx, i)
		case "reindex":
			b.onReindex(ctx, i)
		default:
			b.respond(ctx, i, "I do not know that command; try /help.", true)
		}
	case discordgo.InteractionMessageComponent:
		b.onVote(ctx, i)
	}
}

// interactionUser is the person behind an interaction, in a guild or a DM.
func interactionUser(i *discordgo.Interaction) *discordgo.User {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User
	}
	if i.User != nil {
		return i.User
	}
	return &discordgo.User{}
}

// onAsk answers /ask: a deferred reply at once, then the answer in its place.
//
// Discord drops an interaction that is not acknowledged within 3 s, so nothing before
// the deferred response waits on the network, except in one rare case: whether the
// channel is allowed is known from the interaction's channel id and the caches (the
// thread parents seen, the session state); only a thread whose parent is unknown needs
// a REST lookup, bounded by channelLookupTimeout. A channel known to be outside the
// allow-list, a busy bot and a rate limit are answered at once, privately (an ephemeral
// message is itself the acknowledgement). When the lookup does not finish in time the
// reply is deferred with the asker's flags and the lookup finishes after it; if the
// thread then proves to be outside the allow-list, the "I only answer in …" notice
// replaces the deferred reply, which Discord cannot make private any more.
func (b *Bot) onAsk(ctx context.Context, i *discordgo.Interaction) {
	start := time.Now()
	var question string
	private := false
	for _, o := range i.ApplicationCommandData().Options {
		switch o.Name {
		case "question":
			question = o.StringValue()
		case "private":
			private = o.BoolValue()
		}
	}
	user := interactionUser(i)
	attrs := []any{"interaction", i.ID, "guild", i.GuildID, "channel", i.ChannelID}
	var out sink
	defer b.rescue(ctx, &out, attrs)

	quick, cancel := context.WithTimeout(ctx, channelLookupTimeout)
	ok, lookupErr := b.allowed(quick, i.GuildID, i.ChannelID)
	cancel()
	if lookupErr == nil && !ok {
		b.respond(ctx, i, b.elsewhere(), true)
		return
	}
	release, notice, _, ok := b.admit(ctx, user.ID, attrs)
	defer release()
	if !ok {
		b.respond(ctx, i, notice, true) // an interaction must be answered, even when quiet
		return
	}
	var flags discordgo.MessageFlags
	if private {
		flags = discordgo.MessageFlagsEphemeral
	}
	err := b.s.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: flags, AllowedMentions: noMentions()},
	}, discordgo.WithContext(ctx))
	if err != nil {
		b.logFailure(ctx, "defer interaction", err, "interaction", i.ID)
		return
	}
	is := &interactionSink{b: b, i: i, flags: flags}
	out = is
	if lookupErr != nil {
		b.log.InfoContext(ctx, "slow channel lookup; deferred first", append(attrs, "err", b.errText(lookupErr))...)
		if ok, err := b.allowed(ctx, i.GuildID, i.ChannelID); err != nil || !ok {
			if err != nil {
				b.log.WarnContext(ctx, "channel lookup failed; not answering", append(attrs, "err", b.errText(err))...)
			}
			if err := out.fail(ctx, b.elsewhere()); err != nil {
				b.logFailure(ctx, "send notice", err, attrs...)
			}
			return
		}
	}
	q, err := falaj.CleanQuestion(stripMentions(question))
	if err != nil {
		b.reportFailure(ctx, out, err, attrs)
		return
	}
	is.prefix = quoteQuestion(q)
	conv := ""
	if b.history.has(i.ChannelID) && !private {
		conv = i.ChannelID
	}
	b.answerAndDeliver(ctx, out, is.prefix, q, conv, start, attrs, release)
}

// quoteQuestion is the line above an /ask answer: the question, on one line, at most
// 300 characters, as a block quote. Its backticks are escaped ("\`"; Discord shows a
// plain backtick), so a ``` in a question can neither open a code block that swallows
// the answer nor unbalance the fences the message splitter keeps whole.
func quoteQuestion(q string) string {
	q = truncate(oneLine(q), 300)
	return "> " + strings.ReplaceAll(q, "`", "\\`") + "\n\n"
}

// answerAndDeliver answers q with the conversation conv's history, frees the concurrency
// slot (release) as soon as the answer is composed, then sends it through out, or the
// apology when answering failed.
func (b *Bot) answerAndDeliver(ctx context.Context, out sink, prefix, q, conv string, start time.Time, attrs []any, release func()) {
	b.log.DebugContext(ctx, "question", append(attrs, "question", q)...)
	a, err := b.answer(ctx, falaj.Question{Text: q, History: b.history.get(conv)}, out)
	release()
	if err != nil {
		b.reportFailure(ctx, out, err, attrs)
		return
	}
	b.deliver(ctx, out, prefix, q, a, conv, start, attrs)
}

// deliver sends a finished answer, remembers it for feedback and the conversation, and
// logs it.
func (b *Bot) deliver(ctx context.Context, out sink, prefix, q string, a falaj.Answer, conv string, start time.Time, attrs []any) {
	b.asked.put(a.ID, q)
	if conv != "" {
		b.history.add(conv, falaj.Turn{Question: q, Answer: a.Text})
	}
	r := renderAnswer(prefix, a)
	if err := out.final(ctx, r); err != nil {
		b.reportFailure(ctx, out, fmt.Errorf("send answer %s: %w", a.ID, err), attrs)
		return
	}
	b.log.InfoContext(ctx, "answered", append(attrs, "answer_id", a.ID, "answered", a.Answered,
		"citations", len(a.Citations), "answerer", a.Answerer, "parts", len(r.parts),
		"history", conv != "", "took_ms", time.Since(start).Milliseconds())...)
}

// reportFailure shows err's text in place of the answer, with a fresh context when the
// answer's own has ended, so the reply never stays "thinking".
func (b *Bot) reportFailure(ctx context.Context, out sink, err error, attrs []any) {
	text := b.failure(ctx, err, attrs...)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replyTimeout)
	defer cancel()
	if err := out.fail(ctx, text); err != nil {
		b.logFailure(ctx, "send apology", err, attrs...)
	}
}

// elsewhere tells where the bot does answer.
func (b *Bot) elsewhere() string {
	var chans []string
	for _, id := range b.cfg.Channels {
		chans = append(chans, "<#"+id+">")
	}
	return "I only answer in " + strings.Join(chans, ", ") + " (and in DMs)."
}

// slowDown is the polite rate-limit notice.
func slowDown(wait time.Duration) string {
	secs := int(wait.Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return fmt.Sprintf("You are asking faster than I can answer well. Please try again in %d s.", secs)
}

// respond answers an interaction at once with text.
func (b *Bot) respond(ctx context.Context, i *discordgo.Interaction, text string, ephemeral bool) {
	var flags discordgo.MessageFlags
	if ephemeral {
		flags = discordgo.MessageFlagsEphemeral
	}
	err := b.s.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: truncate(text, maxMessageRunes), Flags: flags, AllowedMentions: noMentions()},
	}, discordgo.WithContext(ctx))
	if err != nil {
		b.logFailure(ctx, "respond to interaction", err, "interaction", i.ID)
	}
}

// deferPrivately acknowledges an interaction with an ephemeral "thinking" reply.
func (b *Bot) deferPrivately(ctx context.Context, i *discordgo.Interaction) error {
	return b.s.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()},
	}, discordgo.WithContext(ctx))
}

// onSources lists the corpus.
func (b *Bot) onSources(ctx context.Context, i *discordgo.Interaction) {
	if b.cfg.Sources == nil {
		b.respond(ctx, i, "Listing sources is not available here.", true)
		return
	}
	var out sink
	defer b.rescue(ctx, &out, []any{"interaction", i.ID})
	if err := b.deferPrivately(ctx, i); err != nil {
		b.logFailure(ctx, "defer interaction", err, "interaction", i.ID)
		return
	}
	out = &interactionSink{b: b, i: i, flags: discordgo.MessageFlagsEphemeral}
	srcs, err := b.cfg.Sources.Sources(ctx)
	if err != nil {
		b.reportFailure(ctx, out, fmt.Errorf("list sources: %w", err), []any{"interaction", i.ID})
		return
	}
	if err := out.final(ctx, reply{parts: []string{"These are the articles I answer from:"}, embeds: []*discordgo.MessageEmbed{sourcesListEmbed(srcs)}}); err != nil {
		b.reportFailure(ctx, out, fmt.Errorf("send sources: %w", err), []any{"interaction", i.ID})
	}
}

// onReindex refreshes the index for members who may manage the server. Discord shows
// the command only to them by default (DefaultMemberPermissions), but a server admin
// can change that under Server Settings → Integrations, so the handler checks the
// member's permissions in the interaction too.
func (b *Bot) onReindex(ctx context.Context, i *discordgo.Interaction) {
	if b.cfg.Reindexer == nil || i.GuildID == "" {
		b.respond(ctx, i, "Reindexing is not available here.", true)
		return
	}
	user := interactionUser(i)
	if !mayManageServer(i) {
		b.log.InfoContext(ctx, "reindex refused: no Manage Server permission", "interaction", i.ID, "user", user.ID)
		b.respond(ctx, i, "Only members with the Manage Server permission may reindex.", true)
		return
	}
	var out sink
	defer b.rescue(ctx, &out, []any{"interaction", i.ID, "user", user.ID})
	if err := b.deferPrivately(ctx, i); err != nil {
		b.logFailure(ctx, "defer interaction", err, "interaction", i.ID)
		return
	}
	out = &interactionSink{b: b, i: i, flags: discordgo.MessageFlagsEphemeral}
	st, err := b.cfg.Reindexer.Reindex(ctx)
	if err != nil {
		b.reportFailure(ctx, out, fmt.Errorf("reindex: %w", err), []any{"interaction", i.ID, "user", user.ID})
		return
	}
	b.log.InfoContext(ctx, "reindexed", "user", user.ID, "documents", st.Documents, "passages", st.Passages,
		"embedded", st.Embedded, "skipped", len(st.Skipped), "took_ms", st.Took.Milliseconds())
	text := fmt.Sprintf("Reindexed: %d documents, %d passages (%d embedded, %d removed) in %s.",
		st.Documents, st.Passages, st.Embedded, st.Removed, st.Took.Round(time.Millisecond))
	if len(st.Skipped) > 0 {
		text += "\nSkipped:\n• " + strings.Join(st.Skipped, "\n• ")
	}
	if err := out.final(ctx, reply{parts: []string{truncate(text, maxMessageRunes)}}); err != nil {
		b.reportFailure(ctx, out, fmt.Errorf("send reindex result: %w", err), []any{"interaction", i.ID})
	}
}

// mayManageServer reports whether the member behind i has Manage Server (or is an
// administrator), from the permissions Discord computed for the interaction.
func mayManageServer(i *discordgo.Interaction) bool {
	if i.Member == nil {
		return false
	}
	return i.Member.Permissions&(discordgo.PermissionManageGuild|discordgo.PermissionAdministrator) != 0
}

// onVote records a 👍/👎 click and thanks the person, privately.
func (b *Bot) onVote(ctx context.Context, i *discordgo.Interaction) {
	vote, answerID, ok := parseVote(i.MessageComponentData().CustomID)
	if !ok {
		// A button of an older version, or one this bot never made: Discord shows
		// "This interaction failed" unless it is answered.
		b.log.InfoContext(ctx, "unknown button", "interaction", i.ID, "custom_id", i.MessageComponentData().CustomID)
		b.respond(ctx, i, "This button is no longer active.", true)
		return
	}
	user := interactionUser(i)
	question, _ := b.asked.get(answerID)
	v := Vote{Time: time.Now().UTC(), AnswerID: answerID, Question: question, Vote: vote}
	text := "Thanks for the feedback!"
	if err := b.feedback.add(v, user.ID); err != nil {
		id := b.logFailure(ctx, "store feedback", err, "answer_id", answerID)
		text = fmt.Sprintf("Thanks! I could not save it, though (error id: %s).", id)
	} else {
		b.log.InfoContext(ctx, "feedback", "answer_id", answerID, "vote", vote)
	}
	b.respond(ctx, i, text, true)
}

// interactionSink delivers an answer as an interaction's deferred reply and followups.
type interactionSink struct {
	b      *Bot
	i      *discordgo.Interaction
	flags  discordgo.MessageFlags // ephemeral for private answers
	prefix string                 // the quoted question shown above the answer
}

func (o *interactionSink) edit(ctx context.Context, content string, r *reply) error {
	e := &discordgo.WebhookEdit{Content: &content, AllowedMentions: noMentions()}
	if r != nil {
		e.Embeds = &r.embeds
		e.Components = &r.components
	}
	_, err := o.b.s.InteractionResponseEdit(o.i, e, discordgo.WithContext(ctx))
	return err
}

func (o *interactionSink) progress(ctx context.Context, text string) error {
	return o.edit(ctx, progressText(o.prefix, text), nil)
}

func (o *interactionSink) fail(ctx context.Context, text string) error {
	none := reply{embeds: []*discordgo.MessageEmbed{}, components: []discordgo.MessageComponent{}}
	return o.edit(ctx, text, &none)
}

// final edits the deferred reply with the first part and sends the others as
// followups; the embeds and buttons go with the last part.
func (o *interactionSink) final(ctx context.Context, r reply) error {
	parts := r.parts
	last := len(parts) - 1
	first := reply{embeds: []*discordgo.MessageEmbed{}, components: []discordgo.MessageComponent{}}
	if last == 0 {
		first = r
		first.nonNil()
	}
	if err := o.edit(ctx, parts[0], &first); err != nil {
		return err
	}
	for n, p := range parts[1:] {
		params := &discordgo.WebhookParams{Content: p, Flags: o.flags, AllowedMentions: noMentions()}
		if n+1 == last {
			params.Embeds, params.Components = r.embeds, r.components
		}
		if _, err := o.b.s.FollowupMessageCreate(o.i, true, params, discordgo.WithContext(ctx)); err != nil {
			return fmt.Errorf("followup %d of %d: %w", n+2, len(parts), err)
		}
	}
	return nil
}

// nonNil makes empty embeds and components explicit, so an edit clears earlier ones.
func (r *reply) nonNil() {
	if r.embeds == nil {
		r.embeds = []*discordgo.MessageEmbed{}
	}
	if r.components == nil {
		r.components = []discordgo.MessageComponent{}
	}
}
