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
// want?", small enough that an old topic does not steer retrieval; never more than the
// Engine keeps.
const maxHistory = min(4, falaj.MaxHistoryTurns)

func runChat(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("chat", "chat [flags]")
	var c common
	if err := c.register(fs, a.settings, "warn"); err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: fmt.Sprintf("chat takes no arguments, got %q", fs.Args()), help: "Run 'falaj chat --help' for usage."}
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
			in inputLine
			ok bool
		)
		select {
		case <-ctx.Done(): // Ctrl-C at the prompt
			fmt.Fprintln(a.stdout)
			return nil
		case in, ok = <-lines:
		}
		if !ok {
			fmt.Fprintln(a.stdout)
			return nil
		}
		if in.err != nil {
			fmt.Fprintln(a.stdout)
			return fmt.Errorf("read chat input: %w", in.err)
		}
		if in.tooLong > 0 {
			fmt.Fprintf(a.stdout, "That line was %d bytes, over the %d-byte limit, so it was skipped. A question is at most %d characters; please ask again.\n",
				in.tooLong, maxLineBytes, falaj.MaxQuestionRunes)
			continue
		}
		line := strings.TrimSpace(in.text)
		switch line {
		case "":
			continue
		case "/quit", "/exit", "/q":
			if !tty {
				fmt.Fprintln(a.stdout) // a terminal echoed the line and its newline; a file did not
			}
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

// maxLineBytes bounds one line of chat input. A longer line (a paste gone wrong, a file
// piped in) is reported and skipped; the session goes on.
const maxLineBytes = 1 << 20

// inputLine is one line of chat input, or why there is none.
type inputLine struct {
	text    string
	tooLong int   // > 0: the line had this many bytes, over maxLineBytes, and was dropped
	err     error // reading failed (not the end of input); nothing more follows
}

// readLines sends the lines of r until it ends or ctx is done. The reading goroutine
// blocks in Read on a terminal; it ends with the process, which is what a chat wants.
func readLines(ctx context.Context, r io.Reader) <-chan inputLine {
	ch := make(chan inputLine)
	go func() {
		defer close(ch)
		br := bufio.NewReaderSize(r, 64*1024)
		for {
			l, err := readLine(br, maxLineBytes)
			if err == io.EOF {
				return
			}
			if err != nil {
				l = inputLine{err: err}
			}
			select {
			case ch <- l:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return ch
}

// readLine reads one line, without its "\n" or "\r\n". A line longer than max bytes is
// read to its end and dropped: its size is in tooLong. The last line may lack a "\n";
// io.EOF means there was no line left.
func readLine(br *bufio.Reader, max int) (inputLine, error) {
	var buf []byte
	size := 0
	for {
		frag, err := br.ReadSlice('\n')
		size += len(frag)
		if size <= max+2 { // room for "\r\n"
			buf = append(buf, frag...)
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && size > 0:
		case err != nil:
			return inputLine{}, err
		}
		break
	}
	line := strings.TrimSuffix(strings.TrimSuffix(string(buf), "\n"), "\r")
	if size > max+2 || len(line) > max {
		return inputLine{tooLong: size}, nil
	}
	return inputLine{text: line}, nil
}
