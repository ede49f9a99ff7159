package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/falaj-bot/falaj"
)

func runAsk(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("ask", `ask [flags] "question"   (or - to read the question from standard input)`)
	var c common
	if err := c.register(fs, a.settings, "warn"); err != nil {
		return err
	}
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	question := strings.Join(fs.Args(), " ")
	if question == "-" {
		b, err := io.ReadAll(io.LimitReader(a.stdin, 1<<20))
		if err != nil {
			return fmt.Errorf("read question from stdin: %w", err)
		}
		question = string(b)
	}
	if _, err := falaj.CleanQuestion(question); err != nil {
		return err // before opening the index: bad input fails fast
	}
	log, err := newLogger(a.stderr, c.logLevel)
	if err != nil {
		return err
	}
	start := time.Now()
	ix, stats, err := a.openIndex(ctx, &c, log, false, nil)
	if err != nil {
		return err
	}
	eng, err := a.engine(ix, &c, log)
	if err != nil {
		return err
	}
	log.Debug("index ready", "passages", stats.Passages, "from_cache", stats.FromCache, "took_ms", time.Since(start).Milliseconds())

	var onText func(string)
	streamed := false
	if !*asJSON && isTerminal(a.stdout) {
		onText = func(s string) { streamed = true; fmt.Fprint(a.stdout, s) }
	}
	ans, err := eng.Answer(ctx, falaj.Question{Text: question}, onText)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ans.JSON())
	}
	if streamed && ans.Answerer == falaj.AnswererExtractive {
		fmt.Fprintln(a.stdout)
		return writeSources(a.stdout, ans)
	}
	if streamed {
		fmt.Fprint(a.stdout, "\n\nChecked answer:\n")
	}
	return writeAnswer(a.stdout, ans)
}

// writeAnswer prints ans for people: the text, a note if any, then the sources.
func writeAnswer(w io.Writer, ans falaj.Answer) error {
	if _, err := fmt.Fprintln(w, ans.Text); err != nil {
		return err
	}
	return writeSources(w, ans)
}

// writeSources prints the note and the numbered sources of ans.
func writeSources(w io.Writer, ans falaj.Answer) error {
	var b strings.Builder
	if ans.Note != "" {
		fmt.Fprintf(&b, "\nNote: %s\n", ans.Note)
	}
	if len(ans.Citations) > 0 {
		b.WriteString("\nSources:\n")
	}
	for _, c := range ans.Citations {
		fmt.Fprintf(&b, "[%d] %s — %s, passage %d\n", c.N, c.Passage.Title, c.Passage.Author, c.Passage.Ordinal)
		if c.Quote != "" {
			fmt.Fprintf(&b, "    “%s”\n", shorten(c.Quote, 300))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// shorten cuts s to at most n runes at a word boundary, adding an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}
