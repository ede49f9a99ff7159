package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/eval"
)

func runEval(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("eval", "eval [--questions FILE] [--json] [flags]")
	var c common
	if err := c.register(fs, a.settings, "warn"); err != nil {
		return err
	}
	questions := fs.String("questions", a.settings.str("FALAJ_QUESTIONS", "testdata/questions.jsonl"), "question set, JSON Lines (env FALAJ_QUESTIONS)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	f, err := os.Open(*questions)
	if err != nil {
		return falaj.Userf(err, "Cannot read the question set %s. Pass one with --questions FILE.", *questions)
	}
	cases, err := eval.ReadCases(f)
	f.Close()
	if err != nil {
		return falaj.Userf(err, "The question set %s is not valid JSON Lines.", *questions)
	}
	w, err := a.wire(ctx, &c)
	if err != nil {
		return err
	}
	rep, err := eval.Run(ctx, cases, w.ix, w.eng, 0)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteText(a.stdout)
}
