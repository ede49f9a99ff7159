package retrieval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/falaj-bot/falaj/lexical"
)

// Embedder turns texts into vectors; the index calls it in batches. *Local is the
// offline one; the llm package supplies an OpenAI-compatible one with the same method
// set (it does not import retrieval). Vectors need not be normalized: the index
// normalizes them and rejects empty, non-finite or wrongly sized ones.
type Embedder interface {
	// Name identifies the model and its settings, e.g. "local-hash-v2:dim=512"; a
	// snapshot made with another name is rebuilt.
	Name() string
	// Embed returns one vector per text, in order, all of the same length.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// DefaultLocalDim is the dimension of Local's vectors when Dim is 0, chosen by
// measurement (docs/RETRIEVAL.md).
const DefaultLocalDim = 512

// Local is the default embedder: pure Go, offline and deterministic. It is a
// feature-hashing bag of words, not a language model:
//
//   - features: each search term (lexical.Terms: stop words dropped, Porter stems) with
//     weight 1, each pair of consecutive terms with weight 0.5, and the character
//     trigrams of each term's word ("<oma", "oma", "man", "an>") sharing a weight of
//     0.5 per word, so "mediator" and "mediators" or "digital" and "digitalisation" still
//     overlap;
//   - weights are sublinear in the count (1 + ln n) and use no corpus statistics, so a
//     vector depends only on its own text and never goes stale;
//   - each feature is hashed (FNV-1a, 64 bit) to one of Dim slots with a sign taken from
//     the hash (the signed hashing trick), then the vector is L2-normalized.
//
// What it cannot do: it knows no synonyms or meaning ("ceasefire" and "truce" share
// nothing, nor do "US" and "United States"), no word order beyond adjacent pairs, and
// no language other than by shared spelling. Hash collisions add a little noise that
// shrinks as Dim grows. The keyword (BM25) side of the hybrid search covers the same
// ground with corpus statistics; the two together are what Falaj can do offline. For
// meaning, use an OpenAI-compatible embedder.
//
// The zero value is ready to use. Local is safe for concurrent use.
type Local struct {
	Dim int // vector length; 0: DefaultLocalDim
}

// localVersion changes whenever Local's features or weights change.
const localVersion = "local-hash-v2"

func (l Local) dim() int {
	if l.Dim <= 0 {
		return DefaultLocalDim
	}
	return l.Dim
}

// Name returns "local-hash-v2:dim=N".
func (l Local) Name() string { return fmt.Sprintf("%s:dim=%d", localVersion, l.dim()) }

// Embed returns the normalized feature vector of each text. A text without any word
// gets the zero vector.
func (l Local) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		out[i] = l.vector(t)
	}
	return out, nil
}

func (l Local) vector(text string) []float32 {
	dim := l.dim()
	// Features are keyed by the FNV-1a hash of their name ("w:term", "b:prev term",
	// "c:tri"), computed without building the name.
	feats := map[uint64]float64{}
	terms := lexical.Terms(text)
	for i, t := range terms {
		feats[fnvString(fnvString(fnvOffset, "w:"), t)]++
		if i > 0 {
			feats[fnvString(fnvString(fnvString(fnvString(fnvOffset, "b:"), terms[i-1]), " "), t)] += 0.5
		}
	}
	var rs []rune
	for _, w := range lexical.Words(text) {
		if lexical.IsStopword(w) || len(w) < 3 {
			continue
		}
		rs = append(rs[:0], '<')
		rs = append(rs, []rune(w)...)
		rs = append(rs, '>')
		n := len(rs) - 2
		for j := 0; j+3 <= len(rs); j++ {
			h := fnvString(fnvOffset, "c:")
			for _, r := range rs[j : j+3] {
				h = fnvRune(h, r)
			}
			feats[h] += 0.5 / float64(n)
		}
	}
	v := make([]float32, dim)
	for x, c := range feats {
		w := c
		if c >= 1 {
			w = 1 + math.Log(c)
		}
		if x>>63 == 1 {
			w = -w
		}
		v[x%uint64(dim)] += float32(w)
	}
	normalizeInPlace(v)
	return v
}

// FNV-1a, 64 bit (hash/fnv's New64a), one string or rune at a time.
const (
	fnvOffset uint64 = 14695981039346656037
	fnvPrime  uint64 = 1099511628211
)

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func fnvRune(h uint64, r rune) uint64 {
	var b [utf8.UTFMax]byte
	for _, c := range b[:utf8.EncodeRune(b[:], r)] {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

// normalizeInPlace scales v to length 1; the zero vector stays zero, and false says so.
func normalizeInPlace(v []float32) bool {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return false
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= inv
	}
	return true
}

// errZeroVector marks a vector without direction (a text without words).
var errZeroVector = errors.New("zero vector")

// checkVector validates one vector from an embedder and returns it normalized (a
// copy). dim 0 accepts any length.
func checkVector(v []float32, dim int) ([]float32, error) {
	if len(v) == 0 {
		return nil, errors.New("empty vector")
	}
	if dim > 0 && len(v) != dim {
		return nil, fmt.Errorf("vector has %d dimensions, want %d", len(v), dim)
	}
	var s float64
	for _, x := range v {
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, errors.New("vector has NaN or infinite values")
		}
		s += f * f
	}
	if s == 0 {
		return nil, errZeroVector
	}
	out := make([]float32, len(v))
	inv := 1 / math.Sqrt(s)
	for i, x := range v {
		out[i] = float32(float64(x) * inv)
	}
	return out, nil
}

// maxEmbedWorkers bounds embedAll's concurrent batches (the local embedder is
// CPU-bound; a remote one should not be flooded).
const maxEmbedWorkers = 4

// embedAll embeds texts in batches of 64, up to min(GOMAXPROCS, maxEmbedWorkers)
// batches at a time, validating and normalizing each vector and reporting progress
// (from the calling goroutine) as batches finish. A zero vector (the embedder found
// nothing to place) comes back as nil for the caller to skip; any other bad vector is
// an error, since it means the embedder is broken, and the first error cancels the
// batches still running.
func embedAll(ctx context.Context, e Embedder, texts []string, dim int, progress func(done, total int)) ([][]float32, error) {
	const batchSize = 64
	batches := (len(texts) + batchSize - 1) / batchSize
	workers := min(runtime.GOMAXPROCS(0), maxEmbedWorkers, batches)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	type result struct {
		start, end int
		vs         [][]float32
		err        error
	}
	jobs := make(chan int)
	results := make(chan result)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for start := range jobs {
				end := min(start+batchSize, len(texts))
				vs, err := e.Embed(ctx, texts[start:end])
				results <- result{start, end, vs, err}
			}
		})
	}
	go func() {
		defer close(jobs)
		for start := 0; start < len(texts); start += batchSize {
			select {
			case jobs <- start:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	out := make([][]float32, len(texts))
	done := 0
	var first error
	fail := func(err error) {
		if first == nil {
			first = err
			cancel(err)
		}
	}
	for r := range results {
		if first != nil {
			continue // drain: the workers finish their batch and stop
		}
		if r.err != nil {
			fail(fmt.Errorf("embed passages %d-%d with %s: %w", r.start+1, r.end, e.Name(), r.err))
			continue
		}
		if len(r.vs) != r.end-r.start {
			fail(fmt.Errorf("embed passages %d-%d with %s: got %d vectors for %d texts", r.start+1, r.end, e.Name(), len(r.vs), r.end-r.start))
			continue
		}
		for i, v := range r.vs {
			nv, err := checkVector(v, dim)
			if errors.Is(err, errZeroVector) {
				if dim == 0 {
					dim = len(v)
				}
				continue // out[i] stays nil
			}
			if err != nil {
				fail(fmt.Errorf("embed passage %d with %s: %w", r.start+i+1, e.Name(), err))
				break
			}
			if dim == 0 {
				dim = len(nv)
			}
			out[r.start+i] = nv
		}
		if first != nil {
			continue
		}
		done += r.end - r.start
		if progress != nil {
			progress(done, len(texts))
		}
	}
	if first != nil {
		return nil, first
	}
	return out, nil
}

// sanitizeName keeps an embedder name usable inside a file name.
func sanitizeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, s)
}
