package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/bot"
)

// defaultFeedbackPath is where 👍/👎 clicks go when FALAJ_FEEDBACK is unset:
// feedback.jsonl (and its .salt) in the user's state directory, $XDG_STATE_HOME/falaj or
// else ~/.local/state/falaj. Never the working directory: the file holds people's
// questions, and in a checkout it would sit one `git add .` away from a commit. "" when
// there is no state directory (no XDG_STATE_HOME or home): never a shared folder such as
// /tmp, where another user could read the file or plant a link in its place.
func defaultFeedbackPath(s settings) string {
	dir := s.str("XDG_STATE_HOME", "")
	if !filepath.IsAbs(dir) { // the XDG spec: a relative value is ignored
		home := s.str("HOME", s.str("USERPROFILE", ""))
		if home == "" {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "falaj", "feedback.jsonl")
}

// runDiscord runs the Discord bot until ctx is done (Ctrl-C, SIGTERM). The token comes
// only from the environment or .env (DISCORD_TOKEN), never from a flag.
func runDiscord(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("discord", "discord [flags]   (needs DISCORD_TOKEN; see docs/DISCORD.md)")
	var c common
	if err := c.register(fs, a.settings, "info"); err != nil {
		return err
	}
	rate, err := a.settings.integer("FALAJ_RATE", 5)
	if err != nil {
		return err
	}
	mentionFree, err := a.settings.boolean("FALAJ_MENTION_FREE", false)
	if err != nil {
		return err
	}
	maxConcurrent, err := a.settings.integer("FALAJ_MAX_CONCURRENT", 8)
	if err != nil {
		return err
	}
	maxPerUser, err := a.settings.integer("FALAJ_MAX_PER_USER", 2)
	if err != nil {
		return err
	}
	appID := fs.String("app-id", a.settings.str("DISCORD_APP_ID", ""), "application id; empty: the token's application (env DISCORD_APP_ID)")
	guilds := fs.String("guilds", a.settings.str("DISCORD_GUILD_IDS", ""), "comma-separated server ids to register the slash commands in; empty: globally (env DISCORD_GUILD_IDS)")
	channels := fs.String("channels", a.settings.str("FALAJ_CHANNELS", ""), "comma-separated channel ids to answer in; empty: all (env FALAJ_CHANNELS)")
	fs.IntVar(&rate, "rate", rate, "questions per person per minute (env FALAJ_RATE)")
	fs.IntVar(&maxConcurrent, "max-concurrent", maxConcurrent, "answers at once, over everyone; beyond it people are told the bot is busy (env FALAJ_MAX_CONCURRENT)")
	fs.IntVar(&maxPerUser, "max-per-user", maxPerUser, "answers at once for one person; beyond it they are asked to wait for their earlier ones (env FALAJ_MAX_PER_USER)")
	fs.BoolVar(&mentionFree, "mention-free", mentionFree, "answer every message in the bot's threads, not only mentions; needs the Message Content intent (env FALAJ_MENTION_FREE)")
	feedback := fs.String("feedback", a.settings.str("FALAJ_FEEDBACK", defaultFeedbackPath(a.settings)), "JSON Lines file for 👍/👎 clicks; off: keep none (env FALAJ_FEEDBACK; default: the user's state dir)")
	apiURL := fs.String("api-url", a.settings.str("DISCORD_API_URL", ""), "base URL for Discord REST and the gateway lookup, e.g. a REST proxy; empty: discord.com (env DISCORD_API_URL)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: fmt.Sprintf("discord takes no arguments, got %q", fs.Args()), help: "Run 'falaj discord --help' for usage."}
	}
	if rate < 0 {
		return &usageError{msg: source(fs, a.settings, "rate", "FALAJ_RATE", rate) + ": give the questions per person per minute, or 0 for the default"}
	}
	if maxConcurrent < 0 {
		return &usageError{msg: source(fs, a.settings, "max-concurrent", "FALAJ_MAX_CONCURRENT", maxConcurrent) +
			": give how many answers may run at once, or 0 for the default (8)"}
	}
	if maxPerUser < 0 {
		return &usageError{msg: source(fs, a.settings, "max-per-user", "FALAJ_MAX_PER_USER", maxPerUser) +
			": give how many answers one person may have running at once, or 0 for the default (2)"}
	}
	token := a.settings.str("DISCORD_TOKEN", "")
	if token == "" {
		return &falaj.UserError{Msg: "DISCORD_TOKEN is not set. Create a bot at https://discord.com/developers/applications " +
			"(your app → Bot → Reset Token), put DISCORD_TOKEN=… in .env or the environment, and see docs/DISCORD.md."}
	}
	noStateDir := *feedback == "" // no default and none given ("off" is a choice)
	if *feedback == "off" {
		*feedback = ""
	}
	w, err := a.wire(ctx, &c)
	if err != nil {
		return err
	}
	if noStateDir {
		w.log.Warn("no user state dir (neither XDG_STATE_HOME nor HOME is set): 👍/👎 clicks are not stored; set FALAJ_FEEDBACK to keep them")
	}
	b, err := bot.New(bot.Config{
		Token:               token,
		AppID:               *appID,
		GuildIDs:            splitList(*guilds),
		Channels:            splitList(*channels),
		Rate:                rate,
		MaxConcurrent:       maxConcurrent,
		MaxPerUser:          maxPerUser,
		MentionFreeTriggers: mentionFree,
		APIURL:              *apiURL,
		FeedbackPath:        *feedback,
		Logger:              w.log,
		Answerer:            w.eng,
		Sources:             w.ix,
		Reindexer:           w.ix,
	})
	if err != nil {
		return err
	}
	return b.Run(ctx)
}

// splitList splits a comma- or space-separated list, dropping empty items.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}
