package retrieval

import (
	"context"
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/falaj-bot/falaj/retrieval/wordvec"
)

// DefaultSIFA is the smoothing constant a of Glove's SIF weights a/(a+p(w)), the value
// Arora, Liang and Ma (2017) recommend for word frequencies of this kind.
const DefaultSIFA = 1e-3

// gloveVersion changes whenever Glove's tokens, weights or table change.
const gloveVersion = "glove-sif-v1"

// Glove embeds a text as the smooth-inverse-frequency (SIF) average of pre-trained
// GloVe word vectors (package wordvec: GloVe 6B, 100 dimensions, the 50 000 most
// frequent words), after Arora, Liang and Ma, "A simple but tough-to-beat baseline for
// sentence embeddings" (ICLR 2017):
//
//   - tokens as GloVe's corpus was tokenized: lower case, letters and digits with
//     inner hyphens and apostrophes; "oman's" → "oman", "don't" → "do", and a
//     hyphenated word the table lacks counts as its parts;
//   - each token's vector weighted a/(a+p(w)), p(w) the word's probability estimated
//     from its frequency rank r by Zipf's law, 1/(r·H) with H the harmonic number of
//     the vocabulary; "the" weighs 0.013, a word of rank 1000 about 0.93;
//   - the common component removed: the stored first principal component of the
//     seed articles' paragraphs (wordvec.Set.Common, computed once by scripts/glove),
//     so that queries and passages, of any corpus, always lose the same direction;
//   - the result L2-normalized.
//
// Words outside the table (names, rare words, non-English text) are skipped; a text
// with none of the table's words gets the zero vector, which the index skips. Hybrid
// adds the hash embedder for those.
//
// It knows that "truce" is near "ceasefire" and "Muscat" near "Oman"; it does not know
// word order or negation. The zero value uses the embedded table and is ready to use;
// Glove is safe for concurrent use.
type Glove struct {
	Words        *wordvec.Set // nil: wordvec.Default(), parsed on first use
	A            float64      // SIF smoothing; 0: DefaultSIFA
	FusionWeight float64      // the vector side's share when fused with BM25, in (0, 1); 0: DefaultGloveVectorWeight
}

// DefaultGloveVectorWeight is the vector side's share in the fusion with BM25 when the
// index embeds with Glove (Local's is 0.3), chosen on the tuning sets
// (docs/RETRIEVAL.md, "Word vectors").
const DefaultGloveVectorWeight = 0.5

// VectorWeight returns the vector side's share in the fusion with BM25.
func (g Glove) VectorWeight() float64 { return weightOr(g.FusionWeight, DefaultGloveVectorWeight) }

// weightOr returns w when it is in (0, 1), else def.
func weightOr(w, def float64) float64 {
	if w <= 0 || w >= 1 {
		return def
	}
	return w
}

func (g Glove) set() *wordvec.Set {
	if g.Words == nil {
		return wordvec.Default()
	}
	return g.Words
}

func (g Glove) a() float64 {
	if g.A <= 0 {
		return DefaultSIFA
	}
	return g.A
}

// Name returns e.g. "glove-sif-v1:glove50k-03ea5d0f:dim=100" (the table's name and
// checksum; with ":a=…" when A is set).
func (g Glove) Name() string {
	s := g.set()
	n := fmt.Sprintf("%s:%s:dim=%d", gloveVersion, s.Name(), s.Dim())
	if g.A > 0 && g.A != DefaultSIFA {
		n += fmt.Sprintf(":a=%g", g.A)
	}
	return n
}

// Embed returns the normalized SIF vector of each text, the common component removed.
func (g Glove) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	s := g.set()
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		v := g.sif(s, t)
		removeComponent(v, s.Common())
		normalizeInPlace(v)
		out[i] = v
	}
	return out, nil
}

// sif returns the SIF-weighted sum of text's word vectors, not normalized and with
// the common component still in.
func (g Glove) sif(s *wordvec.Set, text string) []float32 {
	v := make([]float32, s.Dim())
	a := g.a()
	h := math.Log(float64(s.Vocab())) + 0.5772156649 // harmonic number H_vocab
	gloveTokens(text, func(tok string) {
		r, ok := s.Lookup(tok)
		if !ok {
			return
		}
		p := 1 / (float64(r+1) * h)
		s.AddTo(v, r, float32(a/(a+p)))
	}, s.Lookup)
	return v
}

// gloveTokens calls emit for each token of text as GloVe's tokenizer would have seen
// it; known reports whether the table has a word (to decide how to split hyphenated
// words).
func gloveTokens(text string, emit func(string), known func(string) (int, bool)) {
	text = strings.Map(func(r rune) rune {
		switch r {
		case '’', '‘', 'ʼ':
			return '\''
		case '‐', '‑', '–':
			return '-'
		}
		return unicode.ToLower(r)
	}, text)
	word := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '-' }
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return !word(r) }) {
		f = strings.Trim(f, "'-")
		if f == "" {
			continue
		}
		if i := strings.IndexByte(f, '\''); i > 0 { // oman's → oman, don't → do, o'brien stays if known
			if _, ok := known(f); !ok {
				head := f[:i]
				if strings.HasSuffix(head, "n") && f[i:] == "'t" && len(head) > 1 {
					head = head[:len(head)-1] // don't → do (GloVe: "do" "n't")
				}
				f = head
			}
		}
		if strings.IndexByte(f, '-') > 0 {
			if _, ok := known(f); !ok {
				for p := range strings.SplitSeq(f, "-") {
					if p != "" {
						emit(p)
					}
				}
				continue
			}
		}
		emit(f)
	}
}

// removeComponent subtracts v's projection on the unit vector u (nothing when u is
// zero).
func removeComponent(v, u []float32) {
	var d float32
	for i, x := range u {
		d += x * v[i]
	}
	for i, x := range u {
		v[i] -= d * x
	}
}

// CommonComponent returns the first principal component (uncentred, as in Arora et
// al.) of the normalized SIF vectors of texts, with no component removed: the
// direction Glove removes. scripts/glove stores it in the table; it is deterministic
// (power iteration from a fixed start, sign fixed so the largest entry is positive).
// Texts without known words are ignored.
func CommonComponent(ctx context.Context, s *wordvec.Set, texts []string) ([]float32, error) {
	g := Glove{Words: s}
	dim := s.Dim()
	cov := make([]float64, dim*dim)
	n := 0
	for i, t := range texts {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		v := g.sif(s, t)
		normalizeInPlace(v)
		if isZero(v) {
			continue
		}
		n++
		for r := range dim {
			for c := range dim {
				cov[r*dim+c] += float64(v[r]) * float64(v[c])
			}
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("common component: none of %d texts has a known word", len(texts))
	}
	u := make([]float64, dim)
	for i := range u {
		u[i] = 1 / math.Sqrt(float64(dim))
	}
	next := make([]float64, dim)
	for range 500 {
		var norm float64
		for r := range dim {
			var x float64
			for c := range dim {
				x += cov[r*dim+c] * u[c]
			}
			next[r] = x
			norm += x * x
		}
		norm = math.Sqrt(norm)
		for i := range next {
			next[i] /= norm
		}
		u, next = next, u
	}
	big := 0
	for i := range u {
		if math.Abs(u[i]) > math.Abs(u[big]) {
			big = i
		}
	}
	out := make([]float32, dim)
	for i, x := range u {
		if u[big] < 0 {
			x = -x
		}
		out[i] = float32(x)
	}
	return out, nil
}

func isZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

// Hybrid's defaults, chosen on the tuning sets (docs/RETRIEVAL.md, "Word vectors"):
// GloVe's share of the cosine, and the vector side's share in the fusion with BM25.
const (
	DefaultHybridGloveWeight  = 0.95
	DefaultHybridVectorWeight = 0.5
)

// Hybrid concatenates Glove's and Local's normalized vectors scaled by √w and √(1−w),
// so that the cosine of two Hybrid vectors is w·cos_glove + (1−w)·cos_local (when
// both sides have words): word meaning and exact spelling in one chromem collection.
// With the default w = 0.95 GloVe decides among English texts, and the hash side
// takes over for a text GloVe has no words for (another language, only names): its
// vector is then the hash vector alone, and passages rank by their hash similarity.
// The zero value is ready to use and safe for concurrent use.
type Hybrid struct {
	Glove        Glove // its FusionWeight is not used
	Local        Local
	GloveWeight  float64 // w, in (0, 1); 0: DefaultHybridGloveWeight
	FusionWeight float64 // the vector side's share when fused with BM25, in (0, 1); 0: DefaultHybridVectorWeight
}

func (h Hybrid) w() float64 { return weightOr(h.GloveWeight, DefaultHybridGloveWeight) }

// VectorWeight returns the vector side's share in the fusion with BM25.
func (h Hybrid) VectorWeight() float64 {
	return weightOr(h.FusionWeight, DefaultHybridVectorWeight)
}

// Name returns e.g. "hybrid-v1:w=0.95+glove-sif-v1:glove50k-03ea5d0f:dim=100+local-hash-v2:dim=1024".
func (h Hybrid) Name() string {
	return fmt.Sprintf("hybrid-v1:w=%g+%s+%s", h.w(), h.Glove.Name(), h.Local.Name())
}

// Embed returns, per text, √w·glove ‖ √(1−w)·local.
func (h Hybrid) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	gs, err := h.Glove.Embed(ctx, texts)
	if err != nil {
		return nil, err
	}
	ls, err := h.Local.Embed(ctx, texts)
	if err != nil {
		return nil, err
	}
	wg, wl := float32(math.Sqrt(h.w())), float32(math.Sqrt(1-h.w()))
	out := make([][]float32, len(texts))
	for i := range texts {
		v := make([]float32, 0, len(gs[i])+len(ls[i]))
		for _, x := range gs[i] {
			v = append(v, wg*x)
		}
		for _, x := range ls[i] {
			v = append(v, wl*x)
		}
		out[i] = v
	}
	return out, nil
}
