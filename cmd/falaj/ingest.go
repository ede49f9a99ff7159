package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

func runIngest(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("ingest", "ingest [--corpus DIR] [--force] [flags]")
	var c common
	if err := c.register(fs, a.settings, "warn"); err != nil {
		return err
	}
	force := fs.Bool("force", false, "re-embed every passage, ignoring the saved snapshot")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: "ingest takes no arguments; use --corpus DIR", help: "Run 'falaj ingest --help' for usage."}
	}
	if err := c.check(); err != nil {
		return err
	}
	log, err := newLogger(a.stderr, c.logLevel)
	if err != nil {
		return err
	}
	p := newProgress(a.stderr, isTerminal(a.stderr))
	_, stats, err := a.openIndex(ctx, &c, log, *force, p.update)
	p.done()
	if err != nil {
		return err
	}
	where := c.snapshotDir()
	if where == "" {
		where = "memory only"
	}
	_, err = fmt.Fprintf(a.stdout, "%s, %s (%d embedded, %d removed) in %s; embedder %s; index %s\n",
		plural(stats.Documents, "document"), plural(stats.Passages, "passage"), stats.Embedded, stats.Removed,
		stats.Took.Round(1e6), stats.Embedder, where)
	if err != nil {
		return err
	}
	if len(stats.Skipped) > 0 {
		fmt.Fprintf(a.stdout, "skipped %s:\n", plural(len(stats.Skipped), "file"))
		for _, s := range stats.Skipped {
			fmt.Fprintln(a.stdout, "  "+s)
		}
	}
	return nil
}

// plural returns "1 passage" or "n passages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// progress shows embedding progress: a bar redrawn in place on a terminal, a plain line at
// every quarter otherwise (logs and CI).
type progress struct {
	w       io.Writer
	tty     bool
	last    int // last quarter printed (plain mode)
	started bool
}

func newProgress(w io.Writer, tty bool) *progress { return &progress{w: w, tty: tty, last: -1} }

func (p *progress) update(done, total int) {
	if total <= 0 {
		return
	}
	p.started = true
	if p.tty {
		const width = 30
		n := width * done / total
		fmt.Fprintf(p.w, "\rembedding [%s%s] %d/%d passages", strings.Repeat("█", n), strings.Repeat("·", width-n), done, total)
		return
	}
	if q := 4 * done / total; q > p.last {
		p.last = q
		fmt.Fprintf(p.w, "embedding: %d/%d passages\n", done, total)
	}
}

func (p *progress) done() {
	if p.tty && p.started {
		fmt.Fprintln(p.w)
	}
}
