package arabic

import (
	"slices"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"hamza on alef", "أفغانستان", "افغانستان"},
		{"hamza under alef", "إيران", "ايران"},
		{"madda", "آسيا", "اسيا"},
		{"alef wasla", "ٱلسلام", "السلام"},
		{"ta marbuta", "الدبلوماسية", "الدبلوماسيه"},
		{"alef maqsura", "على", "علي"},
		{"hamza on waw and ya", "مؤشر مسائل", "موشر مسايل"},
		{"diacritics and shadda", "مُحَادَثَاتٌ الصّورة", "محادثات الصوره"},
		{"tatweel", "عمـــان", "عمان"},
		{"arabic-indic digits", "٢٠٢٣", "2023"},
		{"latin unchanged", "JCPOA 2015", "JCPOA 2015"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []string
	}{
		{"arabic punctuation", "ما موقف عمان، وإيران؟", []string{"ما", "موقف", "عمان", "وايران"}},
		{"numbers and percent", "نسبة ١٠٪ في 2040.", []string{"نسبه", "10%", "في", "2040"}},
		{"decimal", "6.5 مليار", []string{"6.5", "مليار"}},
		{"mixed script", "ما هي JCPOA؟", []string{"ما", "هي", "JCPOA"}},
		{"empty", "؟!", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Tokens(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Tokens(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStems(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []string // each must be among the stems
		not      []string // none may be
	}{
		{"article", "الحرب", []string{"الحرب", "حرب"}, nil},
		{"conjunction and article", "والمحادثات", []string{"محادثات", "محادثه"}, nil},
		{"preposition and article", "بالعقوبات", []string{"عقوبات", "عقوبه"}, nil},
		{"lam-lam is lam and the article", "للري", []string{"الري"}, nil},
		{"possessive suffix", "موقفها", []string{"موقف"}, nil},
		{"imperfect verb", "يتركز", []string{"ركز"}, nil},
		{"past feminine", "انسحبت", []string{"انسحب"}, nil},
		{"short word keeps its letters", "عام", []string{"عام"}, []string{"ام", "عا"}},
		{"first form is the word", "أفغانستان", []string{"افغانستان"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Stems(tt.in)
			if got[0] != Normalize(tt.in) {
				t.Errorf("Stems(%q)[0] = %q; want the normalised word", tt.in, got[0])
			}
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("Stems(%q) = %q; want it to contain %q", tt.in, got, w)
				}
			}
			for _, w := range tt.not {
				if slices.Contains(got, w) {
					t.Errorf("Stems(%q) = %q; want no %q", tt.in, got, w)
				}
			}
		})
	}
}
