package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/llm"
	"github.com/falaj-bot/falaj/prompts"
	"github.com/falaj-bot/falaj/retrieval"
)

// app is what every command gets: the standard streams and the settings.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	settings       settings
}

func newApp(stdin io.Reader, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) (*app, error) {
	path := ".env"
	if p, ok := lookupEnv("FALAJ_ENV_FILE"); ok && p != "" {
		if _, err := os.Stat(p); err != nil {
			return nil, falaj.Userf(err, "FALAJ_ENV_FILE names %s, which cannot be read (%v).", p, err)
		}
		path = p
	}
	dotenv, err := readDotEnv(path)
	if err != nil {
		return nil, falaj.Userf(err, "Could not read the settings file (%v); fix or remove it.", err)
	}
	return &app{stdin: stdin, stdout: stdout, stderr: stderr, settings: settings{env: lookupEnv, dotenv: dotenv}}, nil
}

// flagSet returns a flag set for command name whose usage text starts with synopsis.
func (a *app) flagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintf(a.stderr, "Usage: falaj %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, turning --help into errHelp and flag mistakes into a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	// Accept flags after positional arguments too: falaj ask "question" --json.
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if strings.HasPrefix(arg, "-") && len(arg) > 1 {
			flags = append(flags, arg)
			name := strings.TrimLeft(arg, "-")
			if !strings.Contains(name, "=") {
				if f := fs.Lookup(name); f != nil && !isBool(f) && i+1 < len(args) {
					flags = append(flags, args[i+1])
					i++
				}
			}
			continue
		}
		rest = append(rest, arg)
	}
	err := fs.Parse(append(flags, append([]string{"--"}, rest...)...))
	if errors.Is(err, flag.ErrHelp) {
		return errHelp
	}
	if err != nil {
		return &usageError{msg: err.Error(), help: fmt.Sprintf("Run 'falaj %s --help' for usage.", fs.Name())}
	}
	return nil
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// openIndex opens (loading or building) the index for c.
func (a *app) openIndex(ctx context.Context, c *common, log *slog.Logger, force bool, progress func(done, total int)) (*retrieval.Index, falaj.IndexStats, error) {
	cfg := retrieval.Config{
		Dir:       c.snapshotDir(),
		ChunkSize: c.chunkSize,
		Force:     force,
		Logger:    log,
		Progress:  progress,
		Vectors:   c.vectors,
		Probes:    c.probes,
	}
	if c.corpus != "" {
		st, err := os.Stat(c.corpus)
		if err != nil {
			return nil, falaj.IndexStats{}, falaj.Userf(err, "Cannot read the corpus folder %s. Check the path given by --corpus or FALAJ_CORPUS.", c.corpus)
		}
		if !st.IsDir() {
			return nil, falaj.IndexStats{}, &falaj.UserError{Msg: fmt.Sprintf("The corpus %s is not a folder. Point --corpus or FALAJ_CORPUS at a folder of .txt or .md files.", c.corpus)}
		}
		name := c.corpus
		if abs, err := filepath.Abs(c.corpus); err == nil {
			name = abs // one snapshot per folder, however the path was typed
		}
		cfg.Corpus, cfg.CorpusName = os.DirFS(c.corpus), name
	}
	emb, err := a.embedder(c)
	if err != nil {
		return nil, falaj.IndexStats{}, err
	}
	cfg.Embedder = emb
	ix, stats, err := retrieval.Open(ctx, cfg)
	if err != nil {
		return nil, stats, fmt.Errorf("open index: %w", err)
	}
	// Skipped files are logged by retrieval at Warn, which the CLI shows by default.
	return ix, stats, nil
}

// embedder returns the configured embedder; nil is the offline default.
func (a *app) embedder(c *common) (retrieval.Embedder, error) {
	switch c.embedder {
	case "", "local":
		if c.localDim != 0 {
			return retrieval.Local{Dim: c.localDim}, nil
		}
		return nil, nil
	case "glove":
		return retrieval.Glove{}, nil
	case "hybrid":
		return retrieval.Hybrid{}, nil
	case "openai":
		if !c.llm.Enabled() {
			return nil, &falaj.UserError{Msg: "FALAJ_EMBEDDER=openai needs OPENAI_API_KEY (for OpenAI) or OPENAI_BASE_URL (for Ollama, vLLM, LocalAI, llama.cpp). Set one in the environment or .env, or use FALAJ_EMBEDDER=local."}
		}
		emb, err := llm.NewEmbedder(c.llm)
		if err != nil {
			return nil, llmSettingsError(err)
		}
		return emb, nil
	}
	return nil, &usageError{msg: fmt.Sprintf("unknown embedder %q: want local, glove, hybrid or openai", c.embedder)}
}

// engine wires the Engine over ix: with a language model when OPENAI_API_KEY or
// OPENAI_BASE_URL is set (and --no-llm is not), else extractive only, by design and
// without a warning: keys make answers better, never make Falaj start.
func (a *app) engine(ix *retrieval.Index, c *common, log *slog.Logger) (*falaj.Engine, error) {
	ps, err := prompts.Load(c.promptsDir)
	if err != nil {
		return nil, falaj.Userf(err, "Cannot load the prompts from %s (FALAJ_PROMPTS_DIR): %v", c.promptsDir, err)
	}
	cfg := falaj.EngineConfig{
		Searcher:      ix,
		Prompts:       ps,
		K:             c.k,
		MinConfidence: retrieval.DefaultMinConfidence,
		Logger:        log,
		Translator:    &arabicTranslator{path: c.arabicDict, ix: ix, log: log},
	}
	if c.llm.Enabled() && !c.noLLM {
		lc := c.llm
		lc.ChatModel, lc.Prompts, lc.Logger = c.model, ps, log
		client, err := llm.New(lc)
		if err != nil {
			return nil, llmSettingsError(err)
		}
		cfg.Generator, cfg.Rewriter = client, client
	}
	return falaj.NewEngine(cfg)
}

// wired is what a command that answers questions needs.
type wired struct {
	log *slog.Logger
	ix  *retrieval.Index
	eng *falaj.Engine
}

// wire builds the logger, opens the index and builds the engine for c.
func (a *app) wire(ctx context.Context, c *common) (wired, error) {
	if err := c.check(); err != nil {
		return wired{}, err
	}
	log, err := newLogger(a.stderr, c.logLevel)
	if err != nil {
		return wired{}, err
	}
	ix, stats, err := a.openIndex(ctx, c, log, false, nil)
	if err != nil {
		return wired{}, err
	}
	eng, err := a.engine(ix, c, log)
	if err != nil {
		return wired{}, err
	}
	log.Debug("index ready", "passages", stats.Passages, "from_cache", stats.FromCache, "took_ms", stats.Took.Milliseconds())
	return wired{log: log, ix: ix, eng: eng}, nil
}

// isTerminal reports whether w is a character device (a person's terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&fs.ModeCharDevice != 0
}
