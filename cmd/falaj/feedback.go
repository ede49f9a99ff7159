package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/bot"
)

// runFeedback summarises the 👍/👎 clicks the Discord bot stored.
func runFeedback(ctx context.Context, a *app, args []string) error {
	flags := a.flagSet("feedback", "feedback [flags] [file]")
	path := flags.String("feedback", a.settings.str("FALAJ_FEEDBACK", defaultFeedbackPath(a.settings)), "JSON Lines file the bot stores clicks in (env FALAJ_FEEDBACK; default: the user's state dir)")
	if err := parse(flags, args); err != nil {
		return err
	}
	switch flags.NArg() {
	case 0:
	case 1:
		*path = flags.Arg(0)
	default:
		return &usageError{msg: fmt.Sprintf("feedback takes at most one file, got %q", flags.Args()), help: "Run 'falaj feedback --help' for usage."}
	}
	if *path == "" {
		return &usageError{msg: "no feedback file: there is no user state dir (neither XDG_STATE_HOME nor HOME is set)",
			help: "Give the file: falaj feedback FILE, or set FALAJ_FEEDBACK."}
	}
	named := false // a file the user named here: missing is then a mistake (a typo), not "no votes yet"
	flags.Visit(func(f *flag.Flag) { named = named || f.Name == "feedback" })
	named = named || flags.NArg() == 1
	f, err := os.Open(*path)
	if errors.Is(err, fs.ErrNotExist) {
		if named {
			return falaj.Userf(err, "%s does not exist. Give the file the Discord bot stores clicks in (FALAJ_FEEDBACK names it).", *path)
		}
		// The bot's file before its first click: no votes yet, which is no error.
		fmt.Fprintf(a.stderr, "falaj: no feedback yet: %s does not exist. The Discord bot creates it on the first 👍/👎 click (FALAJ_FEEDBACK names it).\n", *path)
		_, err = fmt.Fprint(a.stdout, bot.Summary{}.String())
		return err
	}
	if err != nil {
		return fmt.Errorf("open feedback: %w", err)
	}
	defer f.Close()
	sum, err := bot.SummarizeFeedback(f)
	if err != nil {
		return falaj.Userf(err, "%s is not a feedback file the bot wrote: %v", *path, err)
	}
	_, err = fmt.Fprint(a.stdout, sum.String())
	return err
}
