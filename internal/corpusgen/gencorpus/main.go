// Command gencorpus writes a synthetic corpus for scale benchmarks:
//
//	go run ./internal/corpusgen/gencorpus -n 2000 -o /tmp/corpus2k
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/falaj-bot/falaj/internal/corpusgen"
)

func main() {
	n := flag.Int("n", 2000, "number of articles")
	out := flag.String("o", "", "output folder (required)")
	seed := flag.Uint64("seed", 42, "random seed")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gencorpus: -o DIR is required")
		os.Exit(2)
	}
	size, err := corpusgen.Write(*out, *n, *seed)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
	fmt.Printf("%d articles, %.1f MB in %s\n", *n, float64(size)/1e6, *out)
}
