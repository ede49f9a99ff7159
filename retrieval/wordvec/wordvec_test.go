package wordvec

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// file builds a table in Parse's format.
func file(words []string, dim, vocab int, scale float32, vals []int8) []byte {
	le := binary.LittleEndian
	block := strings.Join(words, "\n") + "\n"
	b := []byte(Magic)
	for _, x := range []int{len(words), dim, vocab, len(block)} {
		b = le.AppendUint32(b, uint32(x))
	}
	for range dim {
		b = le.AppendUint32(b, 0)
	}
	b = append(b, block...)
	for range words {
		b = le.AppendUint32(b, math.Float32bits(scale))
	}
	for _, v := range vals {
		b = append(b, byte(v))
	}
	return b
}

func TestParse(t *testing.T) {
	good := file([]string{"the", "oman"}, 2, 10, 0.5, []int8{1, -2, 127, -128})
	s, err := Parse("tiny", good)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 2 || s.Dim() != 2 || s.Vocab() != 10 || s.Word(1) != "oman" || !strings.HasPrefix(s.Name(), "tiny-") {
		t.Errorf("Parse = %d words, dim %d, vocabulary %d, word 1 %q, name %q", s.Len(), s.Dim(), s.Vocab(), s.Word(1), s.Name())
	}
	other, err := Parse("tiny", file([]string{"the", "oman"}, 2, 10, 0.5, []int8{1, -2, 127, -127}))
	if err != nil {
		t.Fatal(err)
	}
	if other.Name() == s.Name() {
		t.Errorf("tables with different values share the name %q", s.Name())
	}
	if i, ok := s.Lookup("oman"); !ok || i != 1 {
		t.Errorf(`Lookup("oman") = %d, %v; want 1, true`, i, ok)
	}
	if _, ok := s.Lookup("iran"); ok {
		t.Error(`Lookup("iran") found a word the table lacks`)
	}
	if got := s.Vector(1); got[0] != 63.5 || got[1] != -64 {
		t.Errorf("Vector(1) = %v; want [63.5 -64] (scale 0.5)", got)
	}
	for _, tt := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"bad magic", append([]byte("FALAJWV0"), good[8:]...)},
		{"truncated", good[:len(good)-1]},
		{"trailing bytes", append(append([]byte{}, good...), 0)},
		{"missing word", file([]string{"the"}, 2, 10, 1, []int8{1, 2, 3, 4})},
		{"vocabulary smaller than the table", file([]string{"the", "oman"}, 2, 1, 1, []int8{1, 2, 3, 4})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse("bad", tt.b); err == nil {
				t.Errorf("Parse(%s) = nil error", tt.name)
			}
		})
	}
}

func TestDefault(t *testing.T) {
	s := Default()
	if s != Default() {
		t.Error("Default returns a new table each call")
	}
	if s.Len() != 50000 || s.Dim() != 100 || s.Vocab() != 341479 || s.Word(0) != "the" {
		t.Errorf("Default = %d words, dim %d, vocabulary %d, first %q; want 50000, 100, 341479, the", s.Len(), s.Dim(), s.Vocab(), s.Word(0))
	}
	for _, w := range []string{"oman", "muscat", "ceasefire", "truce", "mediator"} {
		if _, ok := s.Lookup(w); !ok {
			t.Errorf("Lookup(%q): missing", w)
		}
	}
	// GloVe 6B 100d's "the" starts -0.038194, -0.24487; int8 keeps it within half a step.
	v := s.Vector(0)
	step := float64(s.scales[0]) / 2
	for i, want := range []float64{-0.038194, -0.24487, 0.72812} {
		if d := math.Abs(float64(v[i]) - want); d > step+1e-6 {
			t.Errorf(`"the"[%d] = %f; want %f ± %f`, i, v[i], want, step)
		}
	}
	var n float64
	for _, x := range s.Common() {
		n += float64(x) * float64(x)
	}
	if math.Abs(n-1) > 1e-5 {
		t.Errorf("common component has squared norm %f; want 1", n)
	}
}

// BenchmarkLoad parses the embedded table and builds the word index: what the first
// question pays once per process.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		s, err := Parse("glove50k", glove50k)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := s.Lookup("oman"); !ok {
			b.Fatal("oman missing")
		}
	}
}
