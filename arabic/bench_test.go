package arabic

import "testing"

// BenchmarkOpenDict loads the installed FreeDict dictionary (53 000 headwords), as the
// first Arabic question of a process does.
func BenchmarkOpenDict(b *testing.B) {
	if _, err := OpenDict(""); err != nil {
		b.Skipf("%v (apt-get install dict-freedict-ara-eng)", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := OpenDict(""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTranslate translates one question with the installed dictionary.
func BenchmarkTranslate(b *testing.B) {
	d, err := OpenDict("")
	if err != nil {
		b.Skipf("%v (apt-get install dict-freedict-ara-eng)", err)
	}
	tr, err := NewTranslator(Config{Dict: d, Known: func(w string) bool { return len(w) > 4 }})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tr.Translate(b.Context(), "ما حجم صفقة تبادل السجناء بين الولايات المتحدة وإيران في عام ٢٠٢٣؟"); err != nil {
			b.Fatal(err)
		}
	}
}
