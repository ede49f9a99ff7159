// Package corpusgen writes synthetic corpora for scale tests and benchmarks: the seed
// articles' sentences shuffled into n articles with front matter, from a fixed seed, so
// a run at 2 000 or 20 000 articles always indexes the same text.
package corpusgen

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/falaj-bot/falaj/lexical"
	"github.com/falaj-bot/falaj/seeds"
)

// Sentences returns the sentences of the seed articles' bodies (front matter dropped),
// in file order.
func Sentences() ([]string, error) {
	names, err := fs.Glob(seeds.FS, "*.txt")
	if err != nil {
		return nil, fmt.Errorf("list seeds: %w", err)
	}
	slices.Sort(names)
	var out []string
	for _, n := range names {
		b, err := fs.ReadFile(seeds.FS, n)
		if err != nil {
			return nil, fmt.Errorf("read seed %s: %w", n, err)
		}
		body := string(b)
		if strings.HasPrefix(body, "---\n") {
			if _, after, ok := strings.Cut(body[4:], "\n---\n"); ok {
				body = after
			}
		}
		for _, s := range lexical.Sentences(body) {
			if len(lexical.Words(s)) >= 4 {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// Article returns the text of synthetic article i (0-based) for the given seed: front
// matter (title, author, outlet, date), then 7 to 11 paragraphs of 3 to 6 sentences
// drawn from sents. About 5.5 KB; the same i and seed always give the same text.
func Article(sents []string, seed uint64, i int) []byte {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	var b bytes.Buffer
	first := sents[r.IntN(len(sents))]
	title := strings.Join(firstWords(first, 8), " ")
	fmt.Fprintf(&b, "---\ntitle: %q\nauthor: Writer %d\noutlet: Archive %d\ndate: %d-%02d-%02d\n---\n",
		fmt.Sprintf("%s (%d)", title, i), r.IntN(300), r.IntN(40), 1990+r.IntN(36), 1+r.IntN(12), 1+r.IntN(28))
	paras := 7 + r.IntN(5)
	for p := range paras {
		if p > 0 {
			b.WriteString("\n\n")
		}
		n := 3 + r.IntN(4)
		for s := range n {
			if s > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(sents[r.IntN(len(sents))])
		}
	}
	b.WriteByte('\n')
	return b.Bytes()
}

func firstWords(s string, n int) []string {
	ws := strings.Fields(s)
	return ws[:min(n, len(ws))]
}

// Write writes n articles to dir as dir/a<bucket>/article-<i>.md, 500 to a folder, and
// returns the bytes written. dir is created when missing; existing files are
// overwritten.
func Write(dir string, n int, seed uint64) (int64, error) {
	sents, err := Sentences()
	if err != nil {
		return 0, err
	}
	var total int64
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("a%03d", i/500))
		if i%500 == 0 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				return total, fmt.Errorf("create %s: %w", sub, err)
			}
		}
		b := Article(sents, seed, i)
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("article-%05d.md", i)), b, 0o644); err != nil {
			return total, fmt.Errorf("write article %d: %w", i, err)
		}
		total += int64(len(b))
	}
	return total, nil
}
