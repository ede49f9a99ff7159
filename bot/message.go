package bot

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/falaj-bot/falaj"
)

// threadArchiveMinutes is how long a conversation thread stays open without messages.
const threadArchiveMinutes = 1440

// onMessage answers a message that mentions the bot, a DM, or (with
// MentionFreeTriggers) any message in a thread the bot opened. Bots, webhooks and the
// bot itself are ignored. In a channel the bot opens a thread on the question and
// answers there; in a thread or a DM it replies in place. Follow-ups in the bot's
// threads and DMs are asked with the conversation's history.
func (b *Bot) onMessage(ctx context.Context, m *discordgo.Message) {
	start := time.Now()
	me := b.userID()
	if m.Author == nil || m.Author.Bot || m.WebhookID != "" || (me != "" && m.Author.ID == me) {
		return
	}
	dm := m.GuildID == ""
	mentioned := false
	for _, u := range m.Mentions {
		if me != "" && u.ID == me {
			mentioned = true
		}
	}
	ours := b.history.has(m.ChannelID) // a thread the bot opened, or a DM it answered in
	if !dm && !mentioned && !(b.cfg.MentionFreeTriggers && ours) {
		return
	}
	attrs := []any{"message", m.ID, "guild", m.GuildID, "channel", m.ChannelID}
	if ok, err := b.allowed(ctx, m.GuildID, m.ChannelID); err != nil {
		b.log.WarnContext(ctx, "channel lookup failed; not answering", append(attrs, "err", b.errText(err))...)
		return
	} else if !ok {
		return
	}
	text := stripMentions(m.Content) // the bot's own mention included
	ref := m.Reference()
	ref.FailIfNotExists = new(bool)
	var out sink = &messageSink{b: b, channelID: m.ChannelID, ref: ref}
	defer b.rescue(ctx, &out, attrs)
	release, notice, quiet, ok := b.admit(ctx, m.Author.ID, attrs)
	defer release()
	if !ok {
		if !quiet {
			if err := out.fail(ctx, notice); err != nil {
				b.logFailure(ctx, "send notice", err, attrs...)
			}
		}
		return
	}
	q, err := falaj.CleanQuestion(text)
	if err != nil {
		b.reportFailure(ctx, out, err, attrs)
		return
	}
	conv := m.ChannelID
	if !dm {
		thread, err := b.parent(ctx, m.ChannelID)
		if err == nil && thread == "" && !ours {
			// A channel, not a thread: open a thread on the question and answer there.
			ch, err := b.s.MessageThreadStartComplex(m.ChannelID, m.ID, &discordgo.ThreadStart{
				Name:                truncate(oneLine(q), 100),
				AutoArchiveDuration: threadArchiveMinutes,
			}, discordgo.WithContext(ctx))
			if err != nil {
				b.log.InfoContext(ctx, "no thread; replying in the channel", append(attrs, "err", b.errText(err))...)
				conv = ""
			} else {
				b.history.start(ch.ID)
				b.parents.put(ch.ID, m.ChannelID)
				conv = ch.ID
				out = &messageSink{b: b, channelID: ch.ID}
			}
		} else if !ours {
			conv = "" // someone else's thread: answer, without a history to keep
		}
	}
	b.answerAndDeliver(ctx, out, "", q, conv, start, attrs, release)
}

// messageSink delivers an answer as channel messages: the first one is sent when the
// first text arrives (or at the end) and edited after that; more parts are new
// messages. ref, when set, makes the first message a reply (without a ping: replied_user
// is false and the parse list empty).
type messageSink struct {
	b         *Bot
	channelID string
	ref       *discordgo.MessageReference

	mu    sync.Mutex
	first *discordgo.Message
}

// put sends the first message, or edits it when it was sent.
func (o *messageSink) put(ctx context.Context, content string, r *reply) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.first == nil {
		send := &discordgo.MessageSend{Content: content, Reference: o.ref, AllowedMentions: noMentions()}
		if r != nil {
			send.Embeds, send.Components = r.embeds, r.components
		}
		msg, err := o.b.s.ChannelMessageSendComplex(o.channelID, send, discordgo.WithContext(ctx))
		if err != nil {
			return err
		}
		o.first = msg
		return nil
	}
	edit := &discordgo.MessageEdit{ID: o.first.ID, Channel: o.channelID, Content: &content, AllowedMentions: noMentions()}
	if r != nil {
		nn := *r
		nn.nonNil()
		edit.Embeds, edit.Components = &nn.embeds, &nn.components
	}
	_, err := o.b.s.ChannelMessageEditComplex(edit, discordgo.WithContext(ctx))
	return err
}

func (o *messageSink) progress(ctx context.Context, text string) error {
	return o.put(ctx, progressText("", text), nil)
}

func (o *messageSink) fail(ctx context.Context, text string) error {
	return o.put(ctx, text, &reply{})
}

func (o *messageSink) final(ctx context.Context, r reply) error {
	last := len(r.parts) - 1
	first := reply{}
	if last == 0 {
		first = r
	}
	if err := o.put(ctx, r.parts[0], &first); err != nil {
		return err
	}
	for n, p := range r.parts[1:] {
		send := &discordgo.MessageSend{Content: p, AllowedMentions: noMentions()}
		if n+1 == last {
			send.Embeds, send.Components = r.embeds, r.components
		}
		if _, err := o.b.s.ChannelMessageSendComplex(o.channelID, send, discordgo.WithContext(ctx)); err != nil {
			return fmt.Errorf("message %d of %d: %w", n+2, len(r.parts), err)
		}
	}
	return nil
}
