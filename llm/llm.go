// Package llm talks to an OpenAI-compatible API (OpenAI, Ollama, llama.cpp server, vLLM,
// LocalAI) through github.com/sashabaranov/go-openai, the only package of Falaj that
// imports it. It supplies three things to the rest of Falaj:
//
//   - Client.Generate (falaj.Generator): a streamed chat completion that answers a
//     question from numbered passages, with the prompts of package prompts;
//   - Client.Rewrite (falaj.Rewriter): turns a follow-up and its history into a
//     standalone question for retrieval;
//   - Embedder: /v1/embeddings for the retrieval index, batched.
//
// # Failures
//
// go-openai neither retries nor sets a timeout, so this package does both, below
// go-openai, in the HTTP client it is given (see transport.go):
//
//   - every HTTP attempt has its own timer (Config.Timeout, default 30s) that runs until
//     the response headers arrive and is restarted by every read of the body, so a stream
//     that keeps flowing is never cut, and one that stalls for Timeout is;
//   - 429, 5xx, connection errors and attempt timeouts are retried (Config.Retries, default
//     3 retries, so 4 tries) with exponential backoff and jitter (0.5s, 1s, 2s… up to 8s),
//     or after exactly the server's Retry-After (seconds or HTTP date; retry-after-ms too),
//     capped at 30s. When the wait would outlast the context's deadline, it gives up at once.
//     400, 401, 403, 404 and other 4xx are not retried;
//   - a stream is retried only before its first byte: once a 200 response has been handed
//     to go-openai nothing is retried, so no text is ever streamed twice;
//   - Generate and Rewrite run under a total deadline per question (Config.Deadline,
//     default 60s), which also ends every backoff wait.
//
// Every error that means "no usable reply" is a *falaj.UserError whose Msg is a short
// phrase ("the API key was rejected (401)", "rate limited (429) after 4 tries", "the
// reply was cut at the token limit") meant to follow "LLM unavailable: ", wrapping the
// cause for the log. Such failures are logged at Warn with the status and attempt count;
// prompts are logged at Debug. The API key is never logged.
package llm

import (
	"cmp"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/prompts"
	openai "github.com/sashabaranov/go-openai"
)

// Defaults used for zero Config fields.
const (
	DefaultChatModel   = "gpt-4o-mini"
	DefaultEmbedModel  = "text-embedding-3-small"
	DefaultTemperature = 0.2
	DefaultMaxTokens   = 500
	// DefaultReasoningMaxTokens is the answer budget for reasoning models (see
	// Reasoning), whose reasoning counts against it: 500 tokens cut every answer.
	DefaultReasoningMaxTokens = 4000
	DefaultTimeout            = 30 * time.Second
	DefaultRetries            = 3
	DefaultDeadline           = 60 * time.Second
	DefaultEmbedBatch         = 64
)

// placeholderKey is sent as the bearer token when BaseURL is set and APIKey is empty:
// local servers (Ollama, llama.cpp, vLLM, LocalAI) ignore it, and some clients and
// proxies reject a request without any Authorization header.
const placeholderKey = "falaj-no-key"

// Config configures a Client and an Embedder. Its zero value, with an APIKey, talks to
// OpenAI with the defaults above. It is read by cmd/falaj from the environment variables
// named on each field.
type Config struct {
	// APIKey is the bearer token (OPENAI_API_KEY). "": none; with a BaseURL a placeholder
	// is sent, as local servers need no key.
	APIKey string
	// BaseURL is the API root including /v1 (OPENAI_BASE_URL), e.g.
	// "http://localhost:11434/v1" for Ollama. "": https://api.openai.com/v1.
	BaseURL string
	// ChatModel is the chat model (FALAJ_CHAT_MODEL). "": DefaultChatModel.
	ChatModel string
	// EmbedModel is the embedding model (FALAJ_EMBED_MODEL). "": DefaultEmbedModel.
	EmbedModel string
	// Temperature is the sampling temperature for answers, 0 to 2 (FALAJ_TEMPERATURE).
	// nil: DefaultTemperature. 0 is sent as 0 (greedy). Not sent to API reasoning models,
	// which accept only their own.
	Temperature *float64
	// MaxTokens caps the answer length in tokens (FALAJ_MAX_TOKENS), sent as max_tokens or
	// max_completion_tokens (see TokenParam). 0: DefaultMaxTokens, or
	// DefaultReasoningMaxTokens for a reasoning model. A reply cut at this limit is an
	// error, not an answer.
	MaxTokens int
	// Reasoning says whether ChatModel is a reasoning model (FALAJ_REASONING): "on",
	// "off", or "" / "auto" to tell by the name: OpenAI's o1, o3, o4 and gpt-5 families
	// (sent max_completion_tokens, no temperature) and models that think aloud in
	// <think> blocks: deepseek-r1, qwq, qwen3, magistral, phi4-reasoning, names with
	// "think" or "reason" (sent max_tokens). Both get DefaultReasoningMaxTokens.
	Reasoning string
	// TokenParam is the request field of MaxTokens (FALAJ_TOKEN_PARAM): "max_tokens" or
	// "max_completion_tokens". "": max_completion_tokens for OpenAI's reasoning families,
	// max_tokens otherwise (what Ollama, llama.cpp and older vLLM read).
	TokenParam string
	// ContextTokens is the model's context window in tokens (FALAJ_CONTEXT_TOKENS): the
	// prompt is fitted into it with room for MaxTokens, dropping the last passages when
	// they do not fit (logged at Warn). 0: 128000 for api.openai.com, 4096 for any other
	// server (Ollama's default; cmd/falaj uses OLLAMA_CONTEXT_LENGTH when set).
	ContextTokens int
	// Timeout bounds each HTTP attempt while the server is silent: until the response
	// headers, then between reads of the body (FALAJ_LLM_TIMEOUT). 0: DefaultTimeout.
	Timeout time.Duration
	// Retries is how many times a request is retried after its first try on 429, 5xx,
	// connection errors and timeouts. 0: DefaultRetries; negative: never retry.
	Retries int
	// Deadline bounds one Generate or Rewrite call, retries and waits included.
	// 0: DefaultDeadline. The caller's context may end it sooner.
	Deadline time.Duration
	// EmbedBatch is the most texts sent in one /v1/embeddings request. 0: DefaultEmbedBatch.
	EmbedBatch int
	// Prompts holds the templates system.tmpl, answer.tmpl and rewrite.tmpl.
	// nil: prompts.Default(), the embedded ones.
	Prompts *prompts.Set
	// Logger receives Warn on failures and Debug with prompts. nil: discard.
	Logger *slog.Logger
	// HTTPClient sends the requests. nil: a client with no overall timeout (Timeout is
	// enforced per attempt, as above; an http.Client.Timeout would cut long streams).
	HTTPClient *http.Client
}

// Enabled reports whether an LLM is configured: an API key or a base URL. With neither,
// Falaj answers extractively, silently and by design; cmd/falaj decides this.
func (c Config) Enabled() bool {
	return c.APIKey != "" || c.BaseURL != ""
}

// Ranges of the settings, as checked by withDefaults.
const (
	MaxTemperature   = 2
	MinContextTokens = 1024
)

// ConfigError is a Config field outside its allowed range. Its message names the setting
// (by its environment variable) and the range, for people.
type ConfigError struct {
	Setting string // the environment variable, e.g. "FALAJ_TEMPERATURE"
	Value   string // the value given
	Allowed string // e.g. "a number from 0 to 2"
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s=%s is not valid: give %s", e.Setting, e.Value, e.Allowed)
}

// withDefaults returns c with zero fields filled and checks the rest. An invalid field is
// a *ConfigError.
func (c Config) withDefaults() (Config, error) {
	c.ChatModel = cmp.Or(c.ChatModel, DefaultChatModel)
	c.EmbedModel = cmp.Or(c.EmbedModel, DefaultEmbedModel)
	if c.Temperature == nil {
		c.Temperature = new(float64(DefaultTemperature))
	}
	switch strings.ToLower(c.Reasoning) {
	case "", "auto":
		c.Reasoning = "auto"
	case "on", "true", "yes", "1":
		c.Reasoning = "on"
	case "off", "false", "no", "0":
		c.Reasoning = "off"
	default:
		return c, &ConfigError{"FALAJ_REASONING", c.Reasoning, "auto, on or off"}
	}
	switch c.TokenParam {
	case "", "max_tokens", "max_completion_tokens":
	default:
		return c, &ConfigError{"FALAJ_TOKEN_PARAM", c.TokenParam, "max_tokens or max_completion_tokens"}
	}
	if c.ContextTokens == 0 {
		c.ContextTokens = 4096
		if c.BaseURL == "" || strings.Contains(c.BaseURL, "api.openai.com") {
			c.ContextTokens = 128000
		}
	}
	if c.MaxTokens == 0 {
		c.MaxTokens = DefaultMaxTokens
		if c.reasoning() != "" {
			c.MaxTokens = min(DefaultReasoningMaxTokens, c.ContextTokens/2-1)
		}
	}
	c.Timeout = cmp.Or(c.Timeout, DefaultTimeout)
	c.Retries = cmp.Or(c.Retries, DefaultRetries)
	c.Retries = max(c.Retries, 0)
	c.Deadline = cmp.Or(c.Deadline, DefaultDeadline)
	c.EmbedBatch = cmp.Or(c.EmbedBatch, DefaultEmbedBatch)
	switch t := *c.Temperature; {
	case t < 0 || t > MaxTemperature || t != t:
		return c, &ConfigError{"FALAJ_TEMPERATURE", fmt.Sprint(t), "a number from 0 to 2"}
	case c.MaxTokens < 0:
		return c, &ConfigError{"FALAJ_MAX_TOKENS", fmt.Sprint(c.MaxTokens), "a positive number of tokens, or 0 for the default (500; 4000 for reasoning models)"}
	case c.ContextTokens < MinContextTokens:
		return c, &ConfigError{"FALAJ_CONTEXT_TOKENS", fmt.Sprint(c.ContextTokens), fmt.Sprintf("the model's context window in tokens, at least %d (Ollama's default is 4096)", MinContextTokens)}
	case c.MaxTokens >= c.ContextTokens/2:
		return c, &ConfigError{"FALAJ_MAX_TOKENS", fmt.Sprint(c.MaxTokens), fmt.Sprintf("less than half of the context window (FALAJ_CONTEXT_TOKENS=%d), so the passages fit", c.ContextTokens)}
	case c.Timeout < 0:
		return c, &ConfigError{"FALAJ_LLM_TIMEOUT", c.Timeout.String(), "a positive duration such as 30s, or 0 for the default (30s)"}
	case c.Deadline < 0:
		return c, &ConfigError{"FALAJ_LLM_DEADLINE", c.Deadline.String(), "a positive duration such as 60s, or 0 for the default (60s)"}
	case c.EmbedBatch < 0:
		return c, &ConfigError{"FALAJ_EMBED_BATCH", fmt.Sprint(c.EmbedBatch), "a positive number of texts, or 0 for the default (64)"}
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, &ConfigError{"OPENAI_BASE_URL", c.BaseURL, "an http(s) URL including /v1, such as http://localhost:11434/v1"}
		}
	}
	if c.Prompts == nil {
		c.Prompts = prompts.Default()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	return c, nil
}

// reasoning returns the kind of reasoning model ChatModel is: "api" for OpenAI's
// families, whose reasoning is hidden and which take max_completion_tokens and no
// temperature; "content" for models that think aloud in <think> blocks; "" for others.
func (c Config) reasoning() string {
	name := strings.ToLower(c.ChatModel)
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:] // "openai/o3-mini", "deepseek-ai/DeepSeek-R1"
	}
	api := false
	for _, p := range []string{"o1", "o3", "o4", "gpt-5"} {
		if strings.HasPrefix(name, p) {
			api = true
		}
	}
	switch {
	case c.Reasoning == "off":
		return ""
	case api:
		return "api"
	case c.Reasoning == "on":
		return "content"
	}
	for _, p := range []string{"deepseek-r1", "qwq", "qwen3", "magistral", "phi4-reasoning", "think", "reason", "-r1"} {
		if strings.Contains(name, p) {
			return "content"
		}
	}
	return ""
}

// tokenParam returns the request field for MaxTokens.
func (c Config) tokenParam() string {
	switch {
	case c.TokenParam != "":
		return c.TokenParam
	case c.reasoning() == "api":
		return "max_completion_tokens"
	}
	return "max_tokens"
}

// openAI builds the go-openai client over the retrying transport.
func (c Config) openAI() *openai.Client {
	key := c.APIKey
	if key == "" && c.BaseURL != "" {
		key = placeholderKey
	}
	oc := openai.DefaultConfig(key)
	if c.BaseURL != "" {
		oc.BaseURL = c.BaseURL
	}
	oc.HTTPClient = &transport{
		client:  c.HTTPClient,
		timeout: c.Timeout,
		retries: c.Retries,
		log:     c.Logger,
		// go-openai omits a zero temperature (omitempty), leaving the server's default.
		zeroTemperature: *c.Temperature == 0 && c.reasoning() != "api",
	}
	return openai.NewClientWithConfig(oc)
}

// endpoint names the server for messages: the base URL's host, or "api.openai.com".
func (c Config) endpoint() string {
	if c.BaseURL == "" {
		return "api.openai.com"
	}
	if u, err := url.Parse(c.BaseURL); err == nil && u.Host != "" {
		return u.Host
	}
	return c.BaseURL
}

// Client answers and rewrites questions with a chat model. It is safe for concurrent use.
type Client struct {
	cfg Config
	oa  *openai.Client
}

var (
	_ falaj.Generator = (*Client)(nil)
	_ falaj.Rewriter  = (*Client)(nil)
)

// New returns a Client for cfg. It does not contact the server. It fails only on a
// malformed Config (temperature out of range, a base URL that is not http(s)).
func New(cfg Config) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, oa: cfg.openAI()}, nil
}

// Model returns the chat model name, for Answer.Model.
func (c *Client) Model() string { return c.cfg.ChatModel }
