package arabic

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func testTranslator(t *testing.T, known func(string) bool) *Translator {
	t.Helper()
	d, err := OpenDict(writeDict(t, true))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTranslator(Config{Dict: d, Known: known})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestTranslate(t *testing.T) {
	corpus := map[string]bool{"talks": true, "war": true, "sanction": true, "withdrew": true, "irrigation": true, "system": true, "development": true}
	tr := testTranslator(t, func(w string) bool { return corpus[w] })
	for _, tt := range []struct {
		name, in, want string
	}{
		{"glossary names, multi-word first", "ما موقف الولايات المتحدة من إيران؟", "what position United States Iran"},
		{"known sense picked", "المحادثات في مسقط", "talks Muscat"},
		{"prefixes stripped", "والحرب في اليمن", "war Yemen"},
		{"verb form", "متى انسحبت الولايات المتحدة؟", "when withdrew United States"},
		{"glossary before dictionary", "العقوبات على إيران", "sanctions Iran"},
		{"ta marbuta and a known sense", "عقوبة", "sanction"},
		{"unknown sense kept, so confidence drops", "ما هي عاصمة فرنسا؟", "what capital france"},
		{"numbers and latin words kept", "ماذا حدث للاتفاق JCPOA عام ٢٠١٨؟", "what JCPOA year 2018"},
		{"who at the start", "من فاز بالحرب؟", "who war"},
		{"lam-lam and stem", "متى تم تطوير نظام الأفلاج للري؟", "when system aflaj irrigation"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tr.Translate(context.Background(), tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Translate(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTranslateWithoutKnown(t *testing.T) {
	tr := testTranslator(t, nil)
	got, err := tr.Translate(context.Background(), "عقوبة")
	if err != nil || got != "penalty sanction" {
		t.Errorf("Translate = %q, %v; want the first two senses", got, err)
	}
}

func TestTranslateNoDictionary(t *testing.T) {
	tr, err := NewTranslator(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Translate(context.Background(), "عمان"); !errors.Is(err, ErrNoDictionary) {
		t.Errorf("Translate without a dictionary = %v; want ErrNoDictionary", err)
	}
}

func TestGlossary(t *testing.T) {
	g, err := parseGlossary(glossaryTSV)
	if err != nil {
		t.Fatal(err)
	}
	for ar, want := range map[string]string{"عمان": "Oman", "مسقط": "Muscat", "طالبان": "Taliban", "الولايات المتحده": "United States", "ايران": "Iran", "قطر": "Qatar", "افغانستان": "Afghanistan", "السعوديه": "Saudi Arabia", "اليمن": "Yemen", "الافلاج": "aflaj"} {
		if got := g[ar]; got != want {
			t.Errorf("glossary[%q] = %q; want %q", ar, got, want)
		}
	}
	for ar := range g {
		if ar != Normalize(ar) || strings.Contains(ar, "  ") {
			t.Errorf("glossary key %q is not normalised", ar)
		}
	}
	if _, err := parseGlossary("عمان Oman\n"); err == nil {
		t.Error("parseGlossary(line without a tab) = nil error; want one")
	}
}
