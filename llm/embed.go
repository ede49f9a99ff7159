package llm

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/falaj-bot/falaj"
	openai "github.com/sashabaranov/go-openai"
)

// Embedder embeds texts with an OpenAI-compatible /v1/embeddings endpoint. It has the
// method set the retrieval package asks of an embedder. It is safe for concurrent use.
type Embedder struct {
	cfg Config
	oa  *openai.Client
}

// NewEmbedder returns an Embedder for cfg.EmbedModel. It does not contact the server.
// It uses cfg's key, base URL, Timeout, Retries, EmbedBatch, Logger and HTTPClient;
// Deadline does not apply (an index build may take longer than a question).
func NewEmbedder(cfg Config) (*Embedder, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Embedder{cfg: cfg, oa: cfg.openAI()}, nil
}

// Name identifies the embedder and model, e.g. "openai:text-embedding-3-small". An index
// built with one name is not searched with another.
func (e *Embedder) Name() string { return "openai:" + e.cfg.EmbedModel }

// Embed returns one unit-length vector per text, in order. Texts are sent in batches of
// at most Config.EmbedBatch, one request after the other; each request is retried as the
// package doc describes. All vectors have the same dimension, or it is an error. Errors
// are *falaj.UserError with a sentence naming the model.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	start := time.Now()
	out := make([][]float32, 0, len(texts))
	for batch := range slices.Chunk(texts, e.cfg.EmbedBatch) {
		vecs, err := e.embedBatch(ctx, batch)
		if err != nil {
			c := e.cfg
			c.ChatModel = c.EmbedModel // statusReason names the model on 404
			err = &falaj.UserError{
				Msg: fmt.Sprintf("Embedding with %s failed: %s.", e.Name(), falaj.UserMessage(c.failure(ctx, err))),
				Err: fmt.Errorf("embed texts %d-%d of %d: %w", len(out), len(out)+len(batch)-1, len(texts), err),
			}
			e.cfg.Logger.WarnContext(ctx, "llm embed failed", "model", e.cfg.EmbedModel,
				"endpoint", e.cfg.endpoint(), "done", len(out), "texts", len(texts), "err", err)
			return nil, err
		}
		if len(out) > 0 && len(vecs[0]) != len(out[0]) {
			return nil, &falaj.UserError{
				Msg: fmt.Sprintf("Embedding with %s failed: the vectors changed size from %d to %d.", e.Name(), len(out[0]), len(vecs[0])),
				Err: fmt.Errorf("embed texts from %d: %w", len(out), ErrMalformedBody),
			}
		}
		out = append(out, vecs...)
	}
	e.cfg.Logger.DebugContext(ctx, "llm embedded", "model", e.cfg.EmbedModel, "texts", len(texts),
		"took_ms", time.Since(start).Milliseconds())
	return out, nil
}

// embedBatch embeds one batch and checks the reply: one vector per input, indexes in
// range and distinct, one non-zero dimension.
func (e *Embedder) embedBatch(ctx context.Context, batch []string) ([][]float32, error) {
	resp, err := e.oa.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{
		Input: batch,
		Model: openai.EmbeddingModel(e.cfg.EmbedModel),
	})
	if err != nil {
		return nil, err
	}
	if len(resp.Data) != len(batch) {
		return nil, fmt.Errorf("%w: %d vectors for %d texts", ErrMalformedBody, len(resp.Data), len(batch))
	}
	vecs := make([][]float32, len(batch))
	for _, d := range resp.Data {
		switch {
		case d.Index < 0 || d.Index >= len(batch) || vecs[d.Index] != nil:
			return nil, fmt.Errorf("%w: vector index %d", ErrMalformedBody, d.Index)
		case len(d.Embedding) == 0 || len(d.Embedding) != len(resp.Data[0].Embedding):
			return nil, fmt.Errorf("%w: vector %d has %d dimensions, vector 0 has %d",
				ErrMalformedBody, d.Index, len(d.Embedding), len(resp.Data[0].Embedding))
		}
		vecs[d.Index] = normalize(d.Embedding)
	}
	return vecs, nil
}

// normalize scales v to unit length in place; a zero vector stays zero.
func normalize(v []float32) []float32 {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 {
		return v
	}
	inv := float32(1 / math.Sqrt(sum))
	for i := range v {
		v[i] *= inv
	}
	return v
}
