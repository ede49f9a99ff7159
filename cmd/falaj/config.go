package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/arabic"
	"github.com/falaj-bot/falaj/llm"
	"github.com/falaj-bot/falaj/retrieval"
)

// settings reads configuration with the precedence flags > environment > .env file >
// defaults. Flags are registered with the value found so far as their default, so the last
// source wins. Nothing writes the process environment.
type settings struct {
	env    func(string) (string, bool) // the process environment
	dotenv map[string]string           // the .env file, if any
}

// lookup returns the value of name from the environment, else the .env file.
func (s settings) lookup(name string) (string, bool) {
	if v, ok := s.env(name); ok {
		return v, true
	}
	v, ok := s.dotenv[name]
	return v, ok
}

// where names where the setting name was found: "in the environment", or "in .env" (the
// settings file FALAJ_ENV_FILE names).
func (s settings) where(name string) string {
	if _, ok := s.env(name); ok {
		return "in the environment"
	}
	file := ".env"
	if f, ok := s.env("FALAJ_ENV_FILE"); ok && f != "" {
		file = f
	}
	return "in " + file
}

// str returns the setting name, or def when unset or empty.
func (s settings) str(name, def string) string {
	if v, ok := s.lookup(name); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

// integer returns the setting name as an int, or def when unset; a malformed value is an
// error that names the variable.
func (s settings) integer(name string, def int) (int, error) {
	v := s.str(name, "")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, &usageError{msg: fmt.Sprintf("%s=%q %s is not a whole number", name, v, s.where(name))}
	}
	return n, nil
}

// duration returns the setting name as a time.Duration ("30s", "2m"), or def when unset.
func (s settings) duration(name string, def time.Duration) (time.Duration, error) {
	v := s.str(name, "")
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, &usageError{msg: fmt.Sprintf("%s=%q %s is not a duration such as 30s or 2m", name, v, s.where(name))}
	}
	return d, nil
}

// float returns the setting name as a float64, or def when unset.
func (s settings) float(name string, def float64) (float64, error) {
	v := s.str(name, "")
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, &usageError{msg: fmt.Sprintf("%s=%q %s is not a number", name, v, s.where(name))}
	}
	return f, nil
}

// boolean returns the setting name as a bool (1, true, yes, on), or def when unset.
func (s settings) boolean(name string, def bool) (bool, error) {
	v := strings.ToLower(s.str(name, ""))
	switch v {
	case "":
		return def, nil
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, &usageError{msg: fmt.Sprintf("%s=%q %s is not true or false", name, v, s.where(name))}
}

// readDotEnv reads KEY=VALUE lines from path. A missing file is no error. Lines may start
// with "export "; values may be quoted; # starts a comment line.
func readDotEnv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	return parseDotEnv(f, path)
}

func parseDotEnv(r io.Reader, name string) (map[string]string, error) {
	m := map[string]string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("%s:%d: want KEY=VALUE", name, n)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		} else if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		m[k] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return m, nil
}

// knownSettings are the FALAJ_* variables some part of Falaj reads (.env.example lists
// the user's ones; the FALAJ_TEST_*, FALAJ_CHROME, FALAJ_BENCH_ARTICLES and FALAJ_MEASURE_* ones are read by tests).
const knownSettings = `FALAJ_ADDR FALAJ_ANSWER_TIMEOUT FALAJ_ARABIC_DICT FALAJ_CHANNELS
	FALAJ_CHAT_MODEL FALAJ_CHUNK_SIZE FALAJ_CONTEXT_TOKENS FALAJ_CORPUS FALAJ_EMBEDDER
	FALAJ_EMBED_BATCH FALAJ_EMBED_MODEL FALAJ_ENV_FILE FALAJ_EVAL_DIR FALAJ_FEEDBACK
	FALAJ_INDEX_DIR FALAJ_K FALAJ_LLM_DEADLINE FALAJ_LLM_TIMEOUT FALAJ_LOCAL_DIM
	FALAJ_LOG_LEVEL FALAJ_MAX_CONCURRENT FALAJ_MAX_PER_USER FALAJ_MAX_TOKENS
	FALAJ_MENTION_FREE FALAJ_PROBES FALAJ_PROMPTS_DIR FALAJ_QUESTIONS FALAJ_RATE FALAJ_REASONING
	FALAJ_TEMPERATURE FALAJ_TOKEN_PARAM FALAJ_VECTORS FALAJ_WEB_RATE
	FALAJ_TEST_CHAT_MODEL FALAJ_TEST_OPENAI_KEY FALAJ_TEST_OPENAI_URL FALAJ_CHROME FALAJ_BENCH_ARTICLES
	FALAJ_MEASURE_IVF FALAJ_MEASURE_PROBES`

// unknownSettings returns the FALAJ_* names in dotenv that no part of Falaj reads (a
// misspelt FALAJ_KK=3), sorted. Other names are left alone: a .env is often shared.
func unknownSettings(dotenv map[string]string) []string {
	var out []string
	for k := range dotenv {
		if strings.HasPrefix(k, "FALAJ_") && !slices.Contains(strings.Fields(knownSettings), k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// common holds the settings every command that opens the index shares.
type common struct {
	corpus    string // FALAJ_CORPUS: folder of .txt/.md files; "": the embedded seeds
	indexDir  string // FALAJ_INDEX_DIR: snapshot folder; "": the user cache dir; "off": memory only
	embedder  string // FALAJ_EMBEDDER: local, glove, hybrid or openai
	k         int    // FALAJ_K: passages per question
	chunkSize int    // FALAJ_CHUNK_SIZE: passage target size; 0: the default
	logLevel  string // FALAJ_LOG_LEVEL: debug, info, warn, error
	localDim  int    // FALAJ_LOCAL_DIM: the local embedder's dimension; 0: retrieval.DefaultLocalDim
	vectors   string // FALAJ_VECTORS: how the snapshot stores vectors, int8 or float32; "": retrieval.DefaultVectors
	probes    int    // FALAJ_PROBES: partitions a search queries in a partitioned index; 0: retrieval's default

	model      string     // FALAJ_CHAT_MODEL: chat model when an LLM is configured
	noLLM      bool       // --no-llm: extractive answers even when an LLM is configured
	promptsDir string     // FALAJ_PROMPTS_DIR: folder of .tmpl files replacing the embedded ones
	llm        llm.Config // the rest of the LLM settings, from the environment only
	arabicDict string     // FALAJ_ARABIC_DICT: FreeDict ara-eng files (path prefix); "": where Debian installs them

	flags    *flag.FlagSet // where the flags above were registered, to name a value's source
	settings settings
}

// register adds the common flags to fs, defaulting to the settings' values. defLevel is
// the command's log level when FALAJ_LOG_LEVEL is unset.
func (c *common) register(fs *flag.FlagSet, s settings, defLevel string) error {
	c.flags, c.settings = fs, s
	k, err := s.integer("FALAJ_K", 5)
	if err != nil {
		return err
	}
	cs, err := s.integer("FALAJ_CHUNK_SIZE", 0)
	if err != nil {
		return err
	}
	if c.localDim, err = s.integer("FALAJ_LOCAL_DIM", 0); err != nil {
		return err
	}
	c.vectors = s.str("FALAJ_VECTORS", "")
	if c.probes, err = s.integer("FALAJ_PROBES", 0); err != nil {
		return err
	}
	fs.StringVar(&c.corpus, "corpus", s.str("FALAJ_CORPUS", ""), "folder of .txt/.md articles to index instead of the built-in corpus (env FALAJ_CORPUS)")
	fs.StringVar(&c.indexDir, "index-dir", s.str("FALAJ_INDEX_DIR", ""), "where the index snapshot is kept; \"off\" keeps it in memory (env FALAJ_INDEX_DIR, default: user cache dir)")
	fs.StringVar(&c.embedder, "embedder", s.str("FALAJ_EMBEDDER", "local"), "embedder: local (offline hash), glove (offline word vectors), hybrid (both) or openai (env FALAJ_EMBEDDER)")
	fs.IntVar(&c.k, "k", k, "passages to retrieve per question, 1 to 50 (env FALAJ_K)")
	fs.IntVar(&c.chunkSize, "chunk-size", cs, "passage target size in characters, 200 to 5000; 0 for the default, 700 (env FALAJ_CHUNK_SIZE)")
	fs.StringVar(&c.logLevel, "log-level", s.str("FALAJ_LOG_LEVEL", defLevel), "log level: debug, info, warn or error (env FALAJ_LOG_LEVEL)")
	fs.StringVar(&c.model, "model", s.str("FALAJ_CHAT_MODEL", llm.DefaultChatModel), "chat model, when OPENAI_API_KEY or OPENAI_BASE_URL is set (env FALAJ_CHAT_MODEL)")
	fs.BoolVar(&c.noLLM, "no-llm", false, "answer extractively even when an LLM is configured (for a demo on a bad network)")
	fs.StringVar(&c.promptsDir, "prompts-dir", s.str("FALAJ_PROMPTS_DIR", ""), "folder of .tmpl files that replace the built-in prompts (env FALAJ_PROMPTS_DIR)")
	fs.StringVar(&c.arabicDict, "arabic-dict", s.str("FALAJ_ARABIC_DICT", ""), "FreeDict Arabic–English dictionary, the path of its .index file without the extension (env FALAJ_ARABIC_DICT, default "+arabic.DefaultDictPath+")")
	return c.readLLM(s)
}

// readLLM reads the LLM settings that have no flags: the key and endpoint are secrets or
// deployment facts, and the tuning knobs are rarely changed.
func (c *common) readLLM(s settings) error {
	var err error
	c.llm.APIKey = s.str("OPENAI_API_KEY", "")
	c.llm.BaseURL = s.str("OPENAI_BASE_URL", "")
	c.llm.EmbedModel = s.str("FALAJ_EMBED_MODEL", "")
	if c.llm.EmbedBatch, err = s.integer("FALAJ_EMBED_BATCH", 0); err != nil {
		return err
	}
	temp, err := s.float("FALAJ_TEMPERATURE", llm.DefaultTemperature)
	if err != nil {
		return err
	}
	c.llm.Temperature = &temp // 0 is sent as 0
	if c.llm.MaxTokens, err = s.integer("FALAJ_MAX_TOKENS", 0); err != nil {
		return err
	}
	// The context window: FALAJ_CONTEXT_TOKENS, else Ollama's own setting when the
	// server is Ollama's, else llm's default for the server (see docs/LLM.md).
	ctxTokens, err := s.integer("FALAJ_CONTEXT_TOKENS", 0)
	if err != nil {
		return err
	}
	if ctxTokens == 0 && strings.Contains(c.llm.BaseURL, ":11434") {
		if ctxTokens, err = s.integer("OLLAMA_CONTEXT_LENGTH", 0); err != nil {
			return err
		}
	}
	c.llm.ContextTokens = ctxTokens
	c.llm.Reasoning = s.str("FALAJ_REASONING", "")
	c.llm.TokenParam = s.str("FALAJ_TOKEN_PARAM", "")
	if c.llm.Timeout, err = s.duration("FALAJ_LLM_TIMEOUT", llm.DefaultTimeout); err != nil {
		return err
	}
	if c.llm.Deadline, err = s.duration("FALAJ_LLM_DEADLINE", llm.DefaultDeadline); err != nil {
		return err
	}
	return nil
}

// llmSettingsError turns an invalid LLM setting into a usage error that names the
// setting, where it was set and its allowed range.
func (c *common) llmSettingsError(err error) error {
	var ce *llm.ConfigError
	if errors.As(err, &ce) {
		msg := ce.Error()
		if _, ok := c.settings.lookup(ce.Setting); ok {
			msg = fmt.Sprintf("%s is not valid: give %s", source(nil, c.settings, "", ce.Setting, ce.Value), ce.Allowed)
		}
		return &usageError{msg: msg, help: "See docs/LLM.md for the LLM settings."}
	}
	return falaj.Userf(err, "The language model settings are not valid (%v); see docs/LLM.md.", err)
}

// checkLLM checks the LLM settings even when no LLM is configured (or --no-llm is
// given): a value the user wrote that is out of range is a mistake either way, and
// would surface only on the day a key is added.
func (c *common) checkLLM() error {
	lc := c.llm
	lc.ChatModel = c.model
	if _, err := llm.New(lc); err != nil { // checks the settings; no network
		return c.llmSettingsError(err)
	}
	return nil
}

// check reports settings outside their sensible range as a usage error.
func (c *common) check() error {
	switch {
	case c.k < 1 || c.k > 50:
		return &usageError{msg: fmt.Sprintf("%s: give a number of passages from 1 to 50", source(c.flags, c.settings, "k", "FALAJ_K", c.k))}
	case c.chunkSize != 0 && (c.chunkSize < 200 || c.chunkSize > 5000):
		return &usageError{msg: fmt.Sprintf("%s: give 200 to 5000 characters, or 0 for the default",
			source(c.flags, c.settings, "chunk-size", "FALAJ_CHUNK_SIZE", c.chunkSize))}
	case c.localDim != 0 && (c.localDim < 16 || c.localDim > 8192):
		return &usageError{msg: fmt.Sprintf("%s: give 16 to 8192 dimensions, or 0 for the default", source(nil, c.settings, "", "FALAJ_LOCAL_DIM", c.localDim))}
	case c.vectors != "" && c.vectors != retrieval.VectorsInt8 && c.vectors != retrieval.VectorsFloat32:
		return &usageError{msg: fmt.Sprintf("%s: want int8 or float32", source(nil, c.settings, "", "FALAJ_VECTORS", c.vectors))}
	case !knownEmbedder(c.embedder):
		return &usageError{msg: fmt.Sprintf("%s: want local, glove, hybrid or openai", source(c.flags, c.settings, "embedder", "FALAJ_EMBEDDER", c.embedder))}
	case c.probes < 0:
		return &usageError{msg: fmt.Sprintf("%s: give a number of partitions, or 0 for a sixth of them", source(nil, c.settings, "", "FALAJ_PROBES", c.probes))}
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.logLevel)); err != nil {
		return &usageError{msg: fmt.Sprintf("%s: want debug, info, warn or error", source(c.flags, c.settings, "log-level", "FALAJ_LOG_LEVEL", c.logLevel))}
	}
	if err := c.checkArabicDict(); err != nil {
		return err
	}
	return c.checkLLM()
}

// knownEmbedder reports whether name is an embedder app.embedder knows.
func knownEmbedder(name string) bool {
	switch name {
	case "", "local", "glove", "hybrid", "openai":
		return true
	}
	return false
}

// source names where a setting's value came from, for a message about it: "--k 0" when
// the flag was given, else "FALAJ_K=0 in the environment" or "FALAJ_K=0 in .env" (the
// settings file FALAJ_ENV_FILE names). fs may be nil when the value has no flag.
func source(fs *flag.FlagSet, s settings, flagName, envName string, value any) string {
	given := false
	if fs != nil {
		fs.Visit(func(f *flag.Flag) { given = given || f.Name == flagName })
	}
	if given {
		return fmt.Sprintf("--%s %v", flagName, value)
	}
	return fmt.Sprintf("%s=%v %s", envName, value, s.where(envName))
}

// snapshotDir resolves the index folder: "off" is memory only, "" the user cache dir.
// With no user cache dir (neither XDG_CACHE_HOME nor HOME set, as under some service
// managers) it is "" too, memory only, and noCache says why: a shared fallback such as
// /tmp/falaj would be a guessable path in a world-writable folder, where another user
// could plant the snapshot Falaj loads.
func (c *common) snapshotDir() (dir string, noCache error) {
	switch c.indexDir {
	case "off", "none", "memory":
		return "", nil
	case "":
		dir, err := userCacheDir(c.settings.env)
		if err != nil {
			return "", err
		}
		return filepath.Join(dir, "falaj"), nil
	}
	return c.indexDir, nil
}

// userCacheDir is os.UserCacheDir reading the environment through env. On Linux and the
// BSDs: $XDG_CACHE_HOME when absolute, else $HOME/.cache; elsewhere os.UserCacheDir.
func userCacheDir(env func(string) (string, bool)) (string, error) {
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "plan9", "js", "wasip1":
		return os.UserCacheDir()
	}
	if dir, _ := env("XDG_CACHE_HOME"); filepath.IsAbs(dir) {
		return dir, nil
	}
	if home, _ := env("HOME"); home != "" {
		return filepath.Join(home, ".cache"), nil
	}
	return "", errors.New("neither $XDG_CACHE_HOME nor $HOME is set")
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, &usageError{msg: fmt.Sprintf("log level %q: want debug, info, warn or error", level)}
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}
