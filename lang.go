package falaj

import (
	"strings"
	"unicode"
)

// Languages Falaj tells apart, as BCP 47 tags in Question.Lang and Answer.Lang.
const (
	LangEnglish = "en"
	LangArabic  = "ar"
)

// DetectLanguage returns LangArabic when text is mostly written in Arabic script and
// LangEnglish otherwise (including text with no letters). It counts letters only, so
// digits, punctuation and an English name or two in an Arabic question ("ما موقف
// Oman من اليمن؟") do not change the verdict: a question is Arabic when at least 40 %
// of its letters are Arabic, since Arabic words are short and a mixed question names
// its English terms inside Arabic syntax.
func DetectLanguage(text string) string {
	var arabic, other int
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r):
			arabic++
		case unicode.IsLetter(r):
			other++
		}
	}
	if arabic > 0 && arabic*5 >= (arabic+other)*2 {
		return LangArabic
	}
	return LangEnglish
}

// arabicDigits maps Arabic-Indic (٠–٩) and Eastern Arabic-Indic (۰–۹) digits to ASCII
// digits, and the Arabic comma, semicolon, question mark and decimal/thousands
// separators to their Latin counterparts.
var arabicDigits = func() *strings.Replacer {
	var pairs []string
	for i := range 10 {
		d := string(rune('0' + i))
		pairs = append(pairs, string(rune('٠'+i)), d, string(rune('۰'+i)), d)
	}
	pairs = append(pairs, "٫", ".", "٬", ",")
	return strings.NewReplacer(pairs...)
}()

// NormalizeDigits returns text with Arabic-Indic digits (٠–٩, ۰–۹) and the Arabic decimal
// and thousands separators replaced by ASCII ones, so "٢٠٢٣" is searched as "2023".
func NormalizeDigits(text string) string {
	return arabicDigits.Replace(text)
}
