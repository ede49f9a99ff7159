package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/falaj-bot/falaj"
)

// maxStdinBytes bounds what ask reads from standard input: far above any question, so a
// longer input is reported as too long without reading it all.
const maxStdinBytes = 1 << 20

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
	if fs.NArg() == 0 {
		return &usageError{msg: "no question given", help: `Usage: falaj ask "question"  (or - to read it from standard input)`}
	}
	question := strings.Join(fs.Args(), " ")
	if question == "-" {
		b, err := io.ReadAll(io.LimitReader(a.stdin, maxStdinBytes+1))
		if err != nil {
			return fmt.Errorf("read question from stdin: %w", err)
		}
		if len(b) > maxStdinBytes {
			// Not read to the end: the input may be endless (yes | falaj ask -).
			return &falaj.UserError{
				Msg: fmt.Sprintf("The question on standard input is longer than %d bytes; the limit is %d characters. Please ask something shorter.", maxStdinBytes, falaj.MaxQuestionRunes),
				Err: falaj.ErrQuestionTooLong,
			}
		}
		question = string(b)
	}
	if _, err := falaj.CleanQuestion(question); err != nil {
		return err // before opening the index: bad input fails fast
	}
	w, err := a.wire(ctx, &c)
	if err != nil {
		return err
	}
	eng := w.eng
	if err := w.ix.SaveError(); err != nil {
		fmt.Fprintf(a.stderr, "falaj: note: the index could not be saved (%v); answering from memory, the next run indexes again\n", err)
	}

	// Stream only to a person's terminal: a pipe or file gets the checked answer once.
	// What streams has passed the citation check sentence by sentence (the Engine's
	// CitationStream), so a reply that is retracted was never shown.
	out := &streamOut{w: a.stdout}
	var onText func(string)
	if !*asJSON && isTerminal(a.stdout) {
		onText = out.write
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
	return out.finish(ans)
}

// streamOut prints an answer's text as it streams, then the rest of the answer.
type streamOut struct {
	w        io.Writer
	streamed strings.Builder
}

func (s *streamOut) write(t string) {
	s.streamed.WriteString(t)
	fmt.Fprint(s.w, t)
}

// finish prints what follows the streamed text: the sources when the answer is what was
// streamed, else the checked answer in full (the model's reply was declined by citation
// checking, or the model failed midway and the extractive answer replaces it).
func (s *streamOut) finish(ans falaj.Answer) error {
	switch got := strings.TrimSpace(s.streamed.String()); {
	case got == "":
		return writeAnswer(s.w, ans)
	case got == strings.TrimSpace(ans.Text):
		fmt.Fprintln(s.w)
		return writeSources(s.w, ans)
	}
	fmt.Fprint(s.w, "\n\n--- checked answer ---\n")
	return writeAnswer(s.w, ans)
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
		fmt.Fprintf(&b, "\n%s: %s\n", falaj.FixedText("note", ans.Lang), ans.Note)
	}
	if len(ans.Citations) > 0 {
		b.WriteString("\n" + falaj.SourcesHeading(ans.Lang) + ":\n")
	}
	for _, c := range ans.Citations {
		b.WriteString(sourceLine(c) + "\n")
		// An extractive answer is its quotes already; show them again only for a model's
		// answer, where they say what the model drew on.
		if c.Quote != "" && ans.Answerer != falaj.AnswererExtractive {
			fmt.Fprintf(&b, "    “%s”\n", falaj.Excerpt(c.Quote, 300))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// sourceLine names a cited passage: "[1] Title — Author, passage 3"; without an author,
// "[1] Title, passage 3".
func sourceLine(c falaj.Citation) string {
	by := ""
	if c.Passage.Author != "" {
		by = " — " + c.Passage.Author
	}
	return fmt.Sprintf("[%d] %s%s, passage %d", c.N, c.Passage.Title, by, c.Passage.Ordinal)
}
