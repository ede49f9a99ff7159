// Package retrieval turns a folder of articles into passages Falaj can search and cite.
//
// Open runs the pipeline: load *.txt and *.md files with optional front matter
// (corpus.go), drop boilerplate and comment sections (clean.go), split into passages of
// about DefaultChunkSize runes (chunk.go), embed them in batches with an Embedder (the
// offline Local by default, embed.go), keep the vectors in an in-memory chromem-go
// collection, and build a BM25 keyword index (keyword.go); passages, vectors and
// postings are saved as one snapshot file (store.go) that a later Open maps without
// reading the corpus when no file's size or mtime moved (refresh.go). Search fuses the vector and keyword results and says how well the best
// passages cover the question (search.go, fusion.go), so the Engine can decline.
//
// The measurements behind every default are in docs/RETRIEVAL.md and
// docs/BENCHMARKS.md.
package retrieval
