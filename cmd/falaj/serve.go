package main

import (
	"context"
	"fmt"

	"github.com/falaj-bot/falaj/web"
)

// runServe serves the web page and the JSON API until ctx is done (Ctrl-C), then shuts
// down gracefully. It binds to loopback unless --addr says otherwise.
func runServe(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("serve", "serve [flags]")
	var c common
	if err := c.register(fs, a.settings, "info"); err != nil {
		return err
	}
	rate, err := a.settings.float("FALAJ_WEB_RATE", web.DefaultRate)
	if err != nil {
		return err
	}
	timeout, err := a.settings.duration("FALAJ_ANSWER_TIMEOUT", web.DefaultAnswerTimeout)
	if err != nil {
		return err
	}
	addr := fs.String("addr", a.settings.str("FALAJ_ADDR", web.DefaultAddr),
		"address to listen on; 0.0.0.0:8080 lets others on the network (a workshop room) open the page (env FALAJ_ADDR)")
	fs.Float64Var(&rate, "rate", rate, "questions per second each client address may ask, in bursts of 10; negative: no limit (env FALAJ_WEB_RATE)")
	fs.DurationVar(&timeout, "answer-timeout", timeout, "longest time one answer may take (env FALAJ_ANSWER_TIMEOUT)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: fmt.Sprintf("serve takes no arguments, got %q", fs.Args()), help: "Run 'falaj serve --help' for usage."}
	}
	if timeout <= 0 {
		return &usageError{msg: source(fs, a.settings, "answer-timeout", "FALAJ_ANSWER_TIMEOUT", timeout) + ": give a positive duration such as 90s"}
	}
	if rate == 0 {
		return &usageError{msg: source(fs, a.settings, "rate", "FALAJ_WEB_RATE", rate) + " would refuse every question; give a positive rate, or a negative one for no limit"}
	}
	w, err := a.wire(ctx, &c)
	if err != nil {
		return err
	}
	cfg := web.Config{
		Addr:          *addr,
		Answerer:      w.eng,
		Catalog:       w.ix,
		Logger:        w.log,
		Rate:          rate,
		AnswerTimeout: timeout,
	}
	if c.corpus != "" {
		cfg.Examples = []string{} // the built-in ones are about the built-in corpus
	}
	srv, err := web.New(cfg)
	if err != nil {
		return err
	}
	return srv.Run(ctx)
}
