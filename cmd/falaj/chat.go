package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
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
	w, err := a.wire(ctx, &c)
	if err != nil {
		return err
	}
	log, eng := w.log, w.eng
	tty := isTerminal(a.stdout)
	fmt.Fprintln(a.stdout, "Ask about Oman's diplomacy. Follow-up questions use the conversation. /sources shows the last answer's sources, /new starts over, /quit ends.")
	var (
		history []falaj.Turn
		last    falaj.Answer
	)
	lines := readLines(ctx, a.stdin)
	for {
		fmt.Fprint(a.stdout, "\n> ")
		var (
			raw string
			ok  bool
		)
		select {
		case <-ctx.Done(): // Ctrl-C at the prompt
			fmt.Fprintln(a.stdout)
			return nil
		case raw, ok = <-lines:
		}
		if !ok {
			fmt.Fprintln(a.stdout)
			return nil
		}
		line := strings.TrimSpace(raw)
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
				fmt.Fprintf(a.stdout, "%s\n%s\n\n", sourceLine(c), c.Passage.Text)
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
		out := &streamOut{w: a.stdout}
		var onText func(string)
		if tty {
			onText = out.write
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
		if err := out.finish(ans); err != nil {
			return err
		}
		history = append(history, falaj.Turn{Question: line, Answer: ans.Text})
		if len(history) > maxHistory {
			history = history[len(history)-maxHistory:]
		}
	}
}

// readLines sends the lines of r until it ends or ctx is done. The reading goroutine
// blocks in Read on a terminal; it ends with the process, which is what a chat wants.
func readLines(ctx context.Context, r io.Reader) <-chan string {
	ch := make(chan string)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			select {
			case ch <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}
