// Command falaj answers questions about Oman's diplomacy from a corpus of articles, citing
// every claim. Run `falaj help` for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/falaj-bot/falaj"
)

func main() {
	// Ctrl-C (SIGINT) and SIGTERM both stop a command; only Ctrl-C makes the exit
	// status 130, since a service manager's SIGTERM asks for a normal stop.
	interrupted, stopInt := signal.NotifyContext(context.Background(), os.Interrupt)
	ctx, stopTerm := signal.NotifyContext(interrupted, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	stopTerm()
	wasInterrupted := interrupted.Err() != nil
	stopInt()
	os.Exit(exitStatus(err, wasInterrupted, os.Stderr))
}

// exitStatus is exitCode for a command that Ctrl-C may have stopped (interrupted): a
// server (serve, discord) or chat that stopped cleanly returns nil, and still exits
// 130, as README says.
func exitStatus(err error, interrupted bool, stderr io.Writer) int {
	if err == nil && interrupted {
		fmt.Fprintln(stderr, "falaj: interrupted")
		return 130
	}
	return exitCode(err, stderr)
}

// exitCode prints err for people and returns the exit status: 0 on success (declining is
// an answer), 2 on bad usage (an empty or overlong question included, as the web API's
// 400), 130 when cancelled, 1 on any
// other error.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, "falaj:", ue.msg)
		if ue.help != "" {
			fmt.Fprintln(stderr, ue.help)
		}
		return 2
	}
	if errors.Is(err, errHelp) {
		return 0
	}
	if errors.Is(err, falaj.ErrEmptyQuestion) || errors.Is(err, falaj.ErrQuestionTooLong) {
		fmt.Fprintln(stderr, "falaj:", falaj.UserMessage(err))
		return 2
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "falaj: interrupted")
		return 130
	}
	fmt.Fprintln(stderr, "falaj:", falaj.UserMessage(err))
	if !falaj.IsUserError(err) {
		fmt.Fprintln(stderr, "falaj: cause:", err)
	}
	return 1
}

// usageError is a mistake in how falaj was called: exit status 2.
type usageError struct {
	msg  string
	help string // e.g. "Run 'falaj ask --help' for usage."
}

func (e *usageError) Error() string { return e.msg }

// errHelp is returned after --help was printed: exit status 0.
var errHelp = errors.New("help requested")

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, a *app, args []string) error
}

func commands() []command {
	return []command{
		{"ask", "answer one question with cited sources", runAsk},
		{"chat", "ask questions interactively, with follow-ups (for demos)", runChat},
		{"ingest", "build or refresh the search index", runIngest},
		{"sources", "list the indexed documents", runSources},
		{"eval", "measure retrieval and answers on a question set", runEval},
		{"serve", "serve the web page and JSON API (for workshops; works offline)", runServe},
		{"discord", "run the Discord bot (needs DISCORD_TOKEN; see docs/DISCORD.md)", runDiscord},
		{"feedback", "summarise the 👍/👎 votes of the Discord bot", runFeedback},
	}
}

// run is main without the process: it parses args and runs one command, reading the
// environment only through lookupEnv.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) error {
	a, err := newApp(stdin, stdout, stderr, lookupEnv)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		writeUsage(stderr)
		return &usageError{msg: "no command given"}
	}
	if args[0] == "help" && len(args) > 1 {
		args = []string{args[1], "--help"} // falaj help ask: ask's usage
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		writeUsage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, a, args[1:])
		}
	}
	return &usageError{msg: fmt.Sprintf("unknown command %q", args[0]), help: "Run 'falaj help' for the commands."}
}

func writeUsage(w io.Writer) {
	fmt.Fprint(w, `falaj answers questions about Oman's diplomacy from its sources, citing each claim.

Usage: falaj <command> [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'falaj help <command>' (or 'falaj <command> --help') for a command's flags. Settings
come from flags, then the environment, then a .env file in the working directory (see
.env.example).
`)
}
