package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/eval"
	"github.com/falaj-bot/falaj/retrieval"
)

// defaultSuite is what `falaj eval` runs without sets: the public questions, our
// paraphrases, the tuning and check halves of dev.jsonl, the Arabic set (from evalDir)
// and the Debian FAQ. Sets whose files are missing are skipped with a note.
func defaultSuite(evalDir string) []string {
	return []string{
		"testdata/questions.jsonl",
		"testdata/paraphrases.jsonl",
		filepath.Join(evalDir, "dev.jsonl") + "#" + eval.HalfOdd,
		filepath.Join(evalDir, "dev.jsonl") + "#" + eval.HalfEven,
		filepath.Join(evalDir, "arabic.jsonl"),
		eval.DebianFAQSpec,
	}
}

func runEval(ctx context.Context, a *app, args []string) error {
	flags := a.flagSet("eval", `eval [SET...] [--questions FILE] [--misses] [--json | --markdown] [flags]

Measures the configured Falaj on question sets, one row per set. A SET is
  FILE                 JSON Lines question set (testdata/questions.jsonl)
  FILE#odd, FILE#even  the half whose ids end in an odd / even number
                       (dev.jsonl#odd tunes, dev.jsonl#even checks)
  FILE@DIR             FILE over its own corpus, the folder DIR (indexed in memory)
  debian-faq[:DIR]     the Debian FAQ (package doc-debian) as corpus and questions
Without sets: the public questions, paraphrases, dev.jsonl#odd and #even,
arabic.jsonl (from --eval-dir) and debian-faq, skipping what is not there.`)
	var c common
	if err := c.register(flags, a.settings, "warn"); err != nil {
		return err
	}
	questions := flags.String("questions", a.settings.str("FALAJ_QUESTIONS", ""), "one more question set, JSON Lines (env FALAJ_QUESTIONS)")
	evalDir := flags.String("eval-dir", a.settings.str("FALAJ_EVAL_DIR", filepath.Join("..", "shared", "eval")), "folder of dev.jsonl and arabic.jsonl for the default suite (env FALAJ_EVAL_DIR)")
	var misses bool
	flags.BoolVar(&misses, "misses", false, "list each set's misses")
	flags.BoolVar(&misses, "v", false, "same as --misses")
	asJSON := flags.Bool("json", false, "print every set's report as a JSON array")
	markdown := flags.Bool("markdown", false, "print the table as Markdown")
	if err := parse(flags, args); err != nil {
		return err
	}
	specs := flags.Args()
	if *questions != "" {
		specs = append(specs, *questions)
	}
	optional := len(specs) == 0
	if optional {
		specs = defaultSuite(*evalDir)
	}
	var sets []eval.Set
	for _, spec := range specs {
		s, err := eval.LoadSet(spec)
		var le *eval.LineError
		switch {
		case err != nil && optional && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, eval.ErrNoDebianFAQ)):
			fmt.Fprintf(a.stderr, "falaj eval: skipping %s: %v\n", spec, err)
			continue
		case errors.As(err, &le):
			return falaj.Userf(err, "Line %d of the question set %s cannot be used: %s. Each line is one JSON object, such as "+
				`{"question": "When was the QCG launched?", "expect_any": ["January 2016"], "answerable": true}.`,
				le.Line, spec, jsonProblem(le.Err))
		case err != nil:
			return falaj.Userf(err, "Cannot load the question set: %v. A set is FILE, FILE#odd, FILE#even, FILE@DIR or debian-faq; see falaj eval --help.", err)
		}
		sets = append(sets, s)
	}
	if len(sets) == 0 {
		return &falaj.UserError{Msg: "No question set to run. Pass one, e.g. falaj eval testdata/questions.jsonl."}
	}
	if err := c.check(); err != nil {
		return err
	}
	log, err := newLogger(a.stderr, c.logLevel)
	if err != nil {
		return err
	}
	build := func(ctx context.Context, corpus fs.FS, name string) (eval.System, error) {
		var ix *retrieval.Index
		if corpus == nil {
			var stats falaj.IndexStats
			ix, stats, err = a.openIndex(ctx, &c, log, false, nil)
			reportSkipped(log, stats)
		} else {
			ix, err = a.openSetIndex(ctx, &c, log, corpus, name)
		}
		if err != nil {
			return eval.System{}, err
		}
		eng, err := a.engine(ix, &c, log)
		if err != nil {
			return eval.System{}, err
		}
		return eval.System{Searcher: ix, Answerer: eng}, nil
	}
	reps, err := eval.RunSets(ctx, sets, build, 0)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(reps)
	}
	if err := eval.WriteTable(a.stdout, reps, *markdown); err != nil {
		return err
	}
	if misses {
		return eval.WriteMisses(a.stdout, reps)
	}
	return nil
}

// openSetIndex indexes a question set's own corpus in memory, with the configured
// embedder and chunk size.
func (a *app) openSetIndex(ctx context.Context, c *common, log *slog.Logger, corpus fs.FS, name string) (*retrieval.Index, error) {
	emb, err := a.embedder(c)
	if err != nil {
		return nil, err
	}
	ix, _, err := retrieval.Open(ctx, retrieval.Config{
		Corpus: corpus, CorpusName: name, Embedder: emb, ChunkSize: c.chunkSize, Logger: log,
	})
	if err != nil {
		return nil, fmt.Errorf("open index of %s: %w", name, err)
	}
	return ix, nil
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
