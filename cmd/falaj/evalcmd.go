package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"

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
	if le := (*eval.LineError)(nil); errors.As(err, &le) {
		return falaj.Userf(err, "Line %d of the question set %s cannot be used: %s. Each line is one JSON object, such as "+
			`{"question": "When was the QCG launched?", "expect_any": ["January 2016"], "answerable": true}.`,
			le.Line, *questions, jsonProblem(le.Err))
	}
	if err != nil {
		return falaj.Userf(err, "Cannot read the question set %s: %v.", *questions, err)
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

// jsonProblem says what is wrong with a JSON value in words for people, without Go's
// type names: "expect_any should be a list, not a string".
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		what := "the line"
		if te.Field != "" {
			what = te.Field
		}
		return fmt.Sprintf("%s should be %s, not %s", what, jsonKind(te.Type), article(te.Value))
	case errors.As(err, &se):
		return fmt.Sprintf("it is not JSON (%s, at byte %d)", strings.TrimPrefix(se.Error(), "json: "), se.Offset)
	}
	return err.Error()
}

// jsonKind names the JSON kind that decodes into t.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another kind of value"
}

// article names a JSON kind as encoding/json reports it ("string", "object", "array",
// "bool", "number", "number 1.5") for people: "a string", "a list".
func article(kind string) string {
	switch {
	case kind == "array":
		return "a list"
	case kind == "bool":
		return "true or false"
	case kind == "object":
		return "an object"
	case strings.HasPrefix(kind, "number"):
		return "a number"
	}
	return "a " + kind
}
