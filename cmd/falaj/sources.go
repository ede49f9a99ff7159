package main

import (
	"context"
	"fmt"
	"text/tabwriter"
)

func runSources(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("sources", "sources [flags]")
	var c common
	if err := c.register(fs, a.settings, "warn"); err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: fmt.Sprintf("sources takes no arguments, got %q", fs.Args()), help: "Run 'falaj sources --help' for usage."}
	}
	if err := c.check(); err != nil {
		return err
	}
	log, err := newLogger(a.stderr, c.logLevel)
	if err != nil {
		return err
	}
	ix, stats, err := a.openIndex(ctx, &c, log, false, nil)
	if err != nil {
		return err
	}
	reportSkipped(log, stats)
	srcs, err := ix.Sources(ctx)
	if err != nil {
		return fmt.Errorf("list sources: %w", err)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DOCUMENT\tTITLE\tAUTHOR\tPASSAGES")
	total := 0
	for _, s := range srcs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", s.Doc, s.Title, s.Author, s.Passages)
		total += s.Passages
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.stdout, "%s, %s\n", plural(len(srcs), "document"), plural(total, "passage"))
	return err
}
