package llm

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/falaj-bot/falaj"
)

// embedRequest is the body of a /v1/embeddings request.
type embedRequest struct {
	Input []string `json:"input"`
	Model string   `json:"model"`
}

// writeEmbeddings answers with vector [len(text), i, 1, 0…] of dims dimensions for each
// input, listed in reverse order (the index field says which is which).
func writeEmbeddings(w http.ResponseWriter, inputs []string, dims int) {
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	var data []item
	for i := len(inputs) - 1; i >= 0; i-- {
		v := make([]float32, dims)
		v[0], v[1], v[2] = float32(len(inputs[i])), float32(i), 1
		data = append(data, item{"embedding", i, v})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": "text-embedding-3-small",
		"usage": map[string]int{"prompt_tokens": 8, "total_tokens": 8}})
}

func TestEmbedBatches(t *testing.T) {
	var (
		mu     sync.Mutex
		sizes  []int
		firsts []string
	)
	_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/embeddings" {
			t.Errorf("path %s; want /v1/embeddings", r.URL.Path)
		}
		var req embedRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("decode request: %v", err)
		}
		if req.Model != DefaultEmbedModel {
			t.Errorf("model %q; want %q", req.Model, DefaultEmbedModel)
		}
		mu.Lock()
		sizes = append(sizes, len(req.Input))
		firsts = append(firsts, req.Input[0])
		mu.Unlock()
		writeEmbeddings(w, req.Input, 8)
	})
	texts := make([]string, 130)
	for i := range texts {
		texts[i] = fmt.Sprintf("text %d%s", i, strings.Repeat("x", i%7))
	}
	e, err := NewEmbedder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if e.Name() != "openai:text-embedding-3-small" {
		t.Errorf("Name() = %q", e.Name())
	}
	vecs, err := e.Embed(t.Context(), texts)
	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	if fmt.Sprint(sizes) != "[64 64 2]" || fmt.Sprint(firsts) != "[text 0 text 64x text 128xx]" {
		t.Errorf("requests had %v inputs starting %q; want [64 64 2] in order", sizes, firsts)
	}
	if len(vecs) != len(texts) {
		t.Fatalf("got %d vectors for %d texts", len(vecs), len(texts))
	}
	for i, v := range vecs {
		var norm float64
		for _, x := range v {
			norm += float64(x) * float64(x)
		}
		// v is [len, index in batch, 1, 0…] scaled: its first two parts say which text it is.
		if len(v) != 8 || math.Abs(norm-1) > 1e-5 || math.Abs(float64(v[0]/v[2])-float64(len(texts[i]))) > 1e-3 ||
			math.Abs(float64(v[1]/v[2])-float64(i%64)) > 1e-3 {
			t.Errorf("vector %d = %v (norm² %v); want unit length, for text %d", i, v, norm, i)
		}
	}
}

func TestEmbedRetriesAndChecks(t *testing.T) {
	for _, tt := range []struct {
		name     string
		handler  func(n int, w http.ResponseWriter, in []string)
		want     string // UserMessage; "" for success
		requests int
	}{
		{"503 retried", func(n int, w http.ResponseWriter, in []string) {
			if n == 1 {
				writeError(w, 503, "overloaded", "server_error")
				return
			}
			writeEmbeddings(w, in, 4)
		}, "", 3},
		{"401", func(n int, w http.ResponseWriter, in []string) {
			writeError(w, 401, "bad key", "invalid_request_error")
		}, "Embedding with openai:text-embedding-3-small failed: the API key was rejected (401).", 1},
		{"dimension changes between batches", func(n int, w http.ResponseWriter, in []string) {
			writeEmbeddings(w, in, 3+n)
		}, "Embedding with openai:text-embedding-3-small failed: the vectors changed size from 4 to 5.", 2},
		{"missing vector", func(n int, w http.ResponseWriter, in []string) {
			writeEmbeddings(w, in[1:], 4)
		}, "Embedding with openai:text-embedding-3-small failed: the reply was malformed.", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var requests atomic.Int32
			_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				var req embedRequest
				json.NewDecoder(r.Body).Decode(&req)
				tt.handler(int(requests.Add(1)), w, req.Input)
			})
			cfg.EmbedBatch = 2
			synctest.Test(t, func(t *testing.T) {
				cfg.HTTPClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
				e, err := NewEmbedder(cfg)
				if err != nil {
					t.Fatal(err)
				}
				vecs, err := e.Embed(t.Context(), []string{"a", "bb", "ccc"})
				if tt.want == "" {
					if err != nil || len(vecs) != 3 {
						t.Errorf("Embed = %d vectors, %v; want 3", len(vecs), err)
					}
					return
				}
				if got := falaj.UserMessage(err); got != tt.want {
					t.Errorf("Embed error %v; want message %q", err, tt.want)
				}
			})
			if got := int(requests.Load()); got != tt.requests {
				t.Errorf("server got %d requests; want %d", got, tt.requests)
			}
		})
	}
}
