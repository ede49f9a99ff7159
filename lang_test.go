package falaj

import "testing"

func TestDetectLanguage(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"english", "Why is Oman trusted as a mediator?", LangEnglish},
		{"arabic", "لماذا تعتبر عمان وسيطا موثوقا؟", LangArabic},
		{"arabic with diacritics", "مَتَى تَمَّ تَطْوِيرُ الأَفْلاجِ؟", LangArabic},
		{"arabic with an english name", "ما موقف Oman من الحرب في اليمن؟", LangArabic},
		{"arabic with an english acronym", "ما هي خطة JCPOA؟", LangArabic},
		{"english with an arabic word", "What does the word مسقط mean for the talks in Muscat?", LangEnglish},
		{"arabic-indic digits only", "٢٠٢٣", LangEnglish},
		{"arabic with arabic-indic digits", "ما حجم صفقة ٢٠٢٣؟", LangArabic},
		{"empty", "", LangEnglish},
		{"digits and punctuation", "2023?!", LangEnglish},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectLanguage(tt.in); got != tt.want {
				t.Errorf("DetectLanguage(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeDigits(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"arabic-indic", "في عام ٢٠٢٣", "في عام 2023"},
		{"eastern arabic-indic", "۱۹۷۰", "1970"},
		{"decimal separator", "٦٫٥", "6.5"},
		{"ascii unchanged", "in 2023, 6.5", "in 2023, 6.5"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeDigits(tt.in); got != tt.want {
				t.Errorf("NormalizeDigits(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFixedText(t *testing.T) {
	for _, tt := range []struct {
		name, lang, want string
	}{
		{"sources", LangEnglish, "Sources"},
		{"sources", LangArabic, "المصادر"},
		{"sources", "", "Sources"},
		{"cited", LangEnglish, "Cited passages"},
		{"cited", LangArabic, "المقاطع المستشهد بها"},
		{"badge", LangArabic, "ليس في المصادر"},
		{"extracted", LangEnglish, "Sentences taken from the sources"},
		{"no-such-text", LangArabic, ""},
	} {
		if got := FixedText(tt.name, tt.lang); got != tt.want {
			t.Errorf("FixedText(%q, %q) = %q; want %q", tt.name, tt.lang, got, tt.want)
		}
	}
}
