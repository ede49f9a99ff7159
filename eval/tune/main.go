// Command tune chooses retrieval and gate settings on tuning data and reports the choice
// on check data it was not chosen on (docs/RETRIEVAL.md, "The tuning loop"):
//
//	go run ./eval/tune [--eval-dir ../shared/eval] [--faq DIR] [--variants default,bm25] [--gates -1,0.3,0.45] [-v]
//
// Each named retrieval variant (fusion weight, embedder; retrieval.Config fields) is
// indexed once over the seeds and then measured with every confidence gate of the grid
// (falaj.EngineConfig.MinConfidence; -1: never decline) on the tuning sets: the public
// questions, our paraphrases and the odd half of dev.jsonl. The variant and gate with
// the best score win, the score being, summed over the tuning sets,
//
//	cited-hit − wrong-cited − unanswerable questions answered
//
// (ties: more hit@1, then the earlier in the list). The winner and the product's
// default are then run on the check sets, the even half of dev.jsonl and the Debian FAQ
// (when installed), side by side. Tables are Markdown, for docs/RETRIEVAL.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/eval"
	"github.com/falaj-bot/falaj/retrieval"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tune:", err)
		os.Exit(1)
	}
}

// variant is a named retrieval setting; its Config gets the corpus filled in.
type variant struct {
	name string
	cfg  retrieval.Config
}

// variants are the retrieval settings compared. The first is the product's default.
// Add one here to compare it; a knob without a Config field gets one (zero value: the
// current default) rather than a global.
func variants() []variant {
	return []variant{
		{"default", retrieval.Config{}}, // local embedder, 1024 dimensions; w=0.3
		{"bm25", retrieval.Config{VectorWeight: -1}},
		{"w=0.2", retrieval.Config{VectorWeight: 0.2}},
		{"w=0.4", retrieval.Config{VectorWeight: 0.4}},
		{"w=0.5", retrieval.Config{VectorWeight: 0.5}},
		{"local-512", retrieval.Config{Embedder: retrieval.Local{Dim: 512}}},
		{"glove", retrieval.Config{Embedder: retrieval.Glove{}}},   // GloVe SIF, fusion 0.5
		{"hybrid", retrieval.Config{Embedder: retrieval.Hybrid{}}}, // GloVe 0.95 + hash 0.05, fusion 0.5
	}
}

// defaultGates is the MinConfidence grid; -1 never declines on confidence.
var defaultGates = "-1,0.2,0.3,0.35,0.4,0.45,0.5,0.55,0.6"

// result is one variant and gate measured on the tuning sets.
type result struct {
	variant string
	gate    float64
	reports []eval.Report
	sum     eval.Report // the tuning sets' counts added up
}

// score is cited-hit − wrong-cited − unanswerable questions answered.
func (r result) score() int {
	return r.sum.AnswerHit - r.sum.WrongCited - (r.sum.Unanswerable - r.sum.Abstained)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("tune", flag.ContinueOnError)
	fl.SetOutput(stderr)
	root := fl.String("root", ".", "the repository (its testdata/ holds the public and paraphrase sets)")
	evalDir := fl.String("eval-dir", filepath.Join("..", "shared", "eval"), "folder of dev.jsonl")
	faqDir := fl.String("faq", eval.DebianFAQDir, "folder of the Debian FAQ (package debian-faq)")
	only := fl.String("variants", "", "comma-separated variant names to run (default: all)")
	gateList := fl.String("gates", defaultGates, "comma-separated MinConfidence values; -1: never decline")
	verbose := fl.Bool("v", false, "print every tuning set's row, not only the sums")
	if err := fl.Parse(args); err != nil {
		return err
	}
	gates, err := parseGates(*gateList)
	if err != nil {
		return err
	}
	vs := variants()
	if *only != "" {
		want := strings.Split(*only, ",")
		vs = slices.DeleteFunc(vs, func(v variant) bool { return !slices.Contains(want, v.name) })
		if len(vs) == 0 {
			return fmt.Errorf("--variants %q: no such variant", *only)
		}
	}
	dev := filepath.Join(*evalDir, "dev.jsonl")
	var tuning []eval.Set
	for _, spec := range []string{
		filepath.Join(*root, "testdata", "questions.jsonl"),
		filepath.Join(*root, "testdata", "paraphrases.jsonl"),
		dev + "#" + eval.HalfOdd,
	} {
		s, err := eval.LoadSet(spec)
		if err != nil {
			return err
		}
		tuning = append(tuning, s)
	}

	// Tuning: one seed index per variant, reused by every gate.
	indexes := map[string]*retrieval.Index{}
	var results []result
	for _, v := range vs {
		ix, _, err := retrieval.Open(ctx, v.cfg)
		if err != nil {
			return fmt.Errorf("variant %s: %w", v.name, err)
		}
		indexes[v.name] = ix
		for _, g := range gates {
			r := result{variant: v.name, gate: g}
			eng, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix, MinConfidence: g})
			if err != nil {
				return err
			}
			for _, s := range tuning {
				rep, err := eval.Run(ctx, s.Cases, ix, eng, 0)
				if err != nil {
					return fmt.Errorf("variant %s gate %v: %w", v.name, g, err)
				}
				rep.Set = s.Name
				r.reports = append(r.reports, rep)
				add(&r.sum, rep)
			}
			results = append(results, r)
		}
	}
	best := 0
	for i, r := range results {
		b := results[best]
		if r.score() > b.score() || r.score() == b.score() && r.sum.Hit1 > b.sum.Hit1 {
			best = i
		}
	}
	fmt.Fprintf(stdout, "Tuning sets: %s. Score = cited-hit − wrong-cited − unanswerable answered.\n\n", names(tuning))
	fmt.Fprintln(stdout, "| variant | gate | hit@1 | hit@3 | cited-hit | wrong-cited | declined | unans. answered | score |")
	fmt.Fprintln(stdout, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for i, r := range results {
		mark := ""
		if i == best {
			mark = " **chosen**"
		}
		s := r.sum
		fmt.Fprintf(stdout, "| %s%s | %s | %d/%d | %d/%d | %d/%d | %d/%d | %d/%d | %d/%d | %d |\n",
			r.variant, mark, gateName(r.gate), s.Hit1, s.Answerable, s.Hit3, s.Answerable, s.AnswerHit, s.Answerable,
			s.WrongCited, s.Answerable, s.OverRefused, s.Answerable, s.Unanswerable-s.Abstained, s.Unanswerable, r.score())
	}
	if *verbose {
		for _, r := range results {
			fmt.Fprintf(stdout, "\n%s, gate %s:\n\n", r.variant, gateName(r.gate))
			if err := eval.WriteTable(stdout, r.reports, true); err != nil {
				return err
			}
		}
	}

	// Check: the chosen setting beside the product's default, on data not tuned on.
	chosen := results[best]
	devCheck, err := eval.LoadSet(dev + "#" + eval.HalfEven)
	if err != nil {
		return err
	}
	check := []eval.Set{devCheck}
	faq, err := eval.DebianFAQ(*faqDir)
	switch {
	case errors.Is(err, eval.ErrNoDebianFAQ):
		fmt.Fprintf(stderr, "tune: no Debian FAQ check: %v\n", err)
	case err != nil:
		return err
	default:
		check = append(check, faq)
	}
	type setting struct {
		v    variant
		gate float64
	}
	settings := []setting{{variants()[0], falaj.DefaultMinConfidence}}
	for _, v := range vs {
		if v.name == chosen.variant && (v.name != settings[0].v.name || chosen.gate != settings[0].gate) {
			settings = append(settings, setting{v, chosen.gate})
		}
	}
	var rows []eval.Report
	for _, st := range settings {
		for _, s := range check {
			ix := indexes[st.v.name]
			if s.Corpus != nil || ix == nil {
				cfg := st.v.cfg
				cfg.Corpus, cfg.CorpusName = s.Corpus, s.CorpusName
				if ix, _, err = retrieval.Open(ctx, cfg); err != nil {
					return fmt.Errorf("check %s with %s: %w", s.Name, st.v.name, err)
				}
			}
			eng, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix, MinConfidence: st.gate})
			if err != nil {
				return err
			}
			rep, err := eval.Run(ctx, s.Cases, ix, eng, 0)
			if err != nil {
				return fmt.Errorf("check %s with %s: %w", s.Name, st.v.name, err)
			}
			rep.Set = fmt.Sprintf("%s — %s, gate %s", s.Name, st.v.name, gateName(st.gate))
			rows = append(rows, rep)
		}
	}
	fmt.Fprintf(stdout, "\nChosen on the tuning sets: %s, gate %s. Check sets (the default first):\n\n", chosen.variant, gateName(chosen.gate))
	return eval.WriteTable(stdout, rows, true)
}

// add adds r's counts to sum (MRR is left out: it is a mean).
func add(sum *eval.Report, r eval.Report) {
	sum.Cases += r.Cases
	sum.Answerable += r.Answerable
	sum.Unanswerable += r.Unanswerable
	sum.Hit1 += r.Hit1
	sum.Hit3 += r.Hit3
	sum.AnswerHit += r.AnswerHit
	sum.WrongCited += r.WrongCited
	sum.OverRefused += r.OverRefused
	sum.Related += r.Related
	sum.Abstained += r.Abstained
	sum.UnanswerableCited += r.UnanswerableCited
}

func parseGates(list string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(list, ",") {
		g, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || g == 0 || g > 1 {
			return nil, fmt.Errorf("--gates: %q is not a confidence in (0, 1] or -1", f)
		}
		out = append(out, g)
	}
	return out, nil
}

func gateName(g float64) string {
	if g < 0 {
		return "off"
	}
	return strconv.FormatFloat(g, 'f', -1, 64)
}

func names(sets []eval.Set) string {
	var n []string
	for _, s := range sets {
		n = append(n, s.Name)
	}
	return strings.Join(n, ", ")
}
