package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/falaj-bot/falaj"
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
	ix, stats, err := a.openIndex(ctx, &c, log, *force, p.update)
	p.done()
	if err != nil {
		return err
	}
	where, _ := c.snapshotDir() // openIndex warned when there is no cache dir
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
	if err := ix.SaveError(); err != nil {
		return falaj.Userf(err, "The index was built but could not be saved in %s (%v), so every command would build it again. Make that folder writable, or point --index-dir (FALAJ_INDEX_DIR) at one that is.", where, err)
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

// progress shows embedding progress with the rate and the time left: a bar redrawn in
// place on a terminal, a plain line at every quarter otherwise (logs and CI).
type progress struct {
	w       io.Writer
	tty     bool
	now     func() time.Time // time.Now; tests pass a fake clock
	start   time.Time        // when the first update came
	first   int              // passages done at the first update
	last    int              // last quarter printed (plain mode)
	started bool
}

func newProgress(w io.Writer, tty bool) *progress {
	return &progress{w: w, tty: tty, last: -1, now: time.Now}
}

func (p *progress) update(done, total int) {
	if total <= 0 {
		return
	}
	if !p.started {
		p.started, p.start, p.first = true, p.now(), done
	}
	rate := p.rate(done, total)
	if p.tty {
		const width = 30
		n := width * done / total
		fmt.Fprintf(p.w, "\rembedding [%s%s] %d/%d passages%s\x1b[K", strings.Repeat("█", n), strings.Repeat("·", width-n), done, total, rate)
		return
	}
	if q := 4 * done / total; q > p.last {
		p.last = q
		fmt.Fprintf(p.w, "embedding: %d/%d passages%s\n", done, total, rate)
	}
}

// rate is ", 2 100/s, 8s left" once a rate can be told, else "".
func (p *progress) rate(done, total int) string {
	el := p.now().Sub(p.start)
	if el < 100*time.Millisecond || done <= p.first {
		return ""
	}
	perSec := float64(done-p.first) / el.Seconds()
	if done >= total {
		return fmt.Sprintf(", %.0f/s, took %s", perSec, el.Round(100*time.Millisecond))
	}
	left := time.Duration(float64(total-done) / perSec * float64(time.Second))
	return fmt.Sprintf(", %.0f/s, %s left", perSec, left.Round(time.Second))
}

func (p *progress) done() {
	if p.tty && p.started {
		fmt.Fprintln(p.w)
	}
}
