package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/falaj-bot/falaj"
)

// maxHistory bounds the turns a chat keeps for follow-ups: enough for "and what did Iran
// want?", small enough that an old topic does not steer retrieval.
const maxHistory = 4

func runChat(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("chat", "chat [flags]")
	var c common
	if err := c.register(fs, a.settings, "warn"); err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	log, err := newLogger(a.stderr, c.logLevel)
	if err != nil {
		return err
	}
	ix, _, err := a.openIndex(ctx, &c, log, false, nil)
	if err != nil {
		return err
	}
	eng, err := a.engine(ix, &c, log)
	if err != nil {
		return err
	}
	tty := isTerminal(a.stdout)
	fmt.Fprintln(a.stdout, "Ask about Oman's diplomacy. Follow-up questions use the conversation. /sources shows the last answer's sources, /new starts over, /quit ends.")
	var (
		history []falaj.Turn
		last    falaj.Answer
	)
	lines := bufio.NewScanner(a.stdin)
	lines.Buffer(make([]byte, 64*1024), 1<<20)
	for {
		fmt.Fprint(a.stdout, "\n> ")
		if !lines.Scan() {
			fmt.Fprintln(a.stdout)
			return lines.Err()
		}
		line := strings.TrimSpace(lines.Text())
		switch line {
		case "":
			continue
		case "/quit", "/exit", "/q":
			return nil
		case "/new":
			history, last = nil, falaj.Answer{}
			fmt.Fprintln(a.stdout, "Starting over.")
			continue
		case "/sources":
			if len(last.Citations) == 0 {
				fmt.Fprintln(a.stdout, "The last answer cited no sources.")
				continue
			}
			for _, c := range last.Citations {
				fmt.Fprintf(a.stdout, "[%d] %s — %s, passage %d\n%s\n\n", c.N, c.Passage.Title, c.Passage.Author, c.Passage.Ordinal, c.Passage.Text)
			}
			continue
		case "/help":
			fmt.Fprintln(a.stdout, "Type a question. /sources: full passages of the last answer; /new: forget the conversation; /quit: leave.")
			continue
		}
		if strings.HasPrefix(line, "/") {
			fmt.Fprintf(a.stdout, "Unknown command %s. Try /help.\n", line)
			continue
		}
		var onText func(string)
		streamed := false
		if tty {
			onText = func(s string) { streamed = true; fmt.Fprint(a.stdout, s) }
		}
		ans, err := eng.Answer(ctx, falaj.Question{Text: line, History: history}, onText)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			fmt.Fprintln(a.stdout, falaj.UserMessage(err))
			if !falaj.IsUserError(err) {
				log.Error("answer failed", "err", err)
			}
			continue
		}
		last = ans
		switch {
		case streamed && ans.Answerer == falaj.AnswererExtractive:
			fmt.Fprintln(a.stdout)
			err = writeSources(a.stdout, ans)
		case streamed:
			fmt.Fprint(a.stdout, "\n\nChecked answer:\n")
			err = writeAnswer(a.stdout, ans)
		default:
			err = writeAnswer(a.stdout, ans)
		}
		if err != nil {
			return err
		}
		history = append(history, falaj.Turn{Question: line, Answer: ans.Text})
		if len(history) > maxHistory {
			history = history[len(history)-maxHistory:]
		}
	}
}
