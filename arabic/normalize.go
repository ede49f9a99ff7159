// Package arabic turns an Arabic question into an English search query without a
// language model: it normalises Arabic spelling, strips common prefixes and suffixes
// (light stemming), and looks words up in a small embedded glossary of this corpus's
// names and in FreeDict's Arabic–English dictionary (dictd format), which is read at run
// time from where Debian's dict-freedict-ara-eng installs it and never embedded (it is
// GPL data). It imports only the standard library.
package arabic

import (
	"strings"
	"unicode"
)

// Normalize folds the spelling variants Arabic text is written with, so that a word
// matches however it was typed: diacritics (harakat, shadda, sukun, dagger alef) and
// tatweel are removed; أ إ آ ٱ become ا; ى becomes ي; ة becomes ه; ؤ becomes و and ئ
// becomes ي; Arabic-Indic digits become ASCII digits. Other text is unchanged.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0x064B && r <= 0x065F, r == 0x0670, r == 0x0640: // diacritics, dagger alef, tatweel
			continue
		case r == 'أ', r == 'إ', r == 'آ', r == 'ٱ':
			r = 'ا'
		case r == 'ى':
			r = 'ي'
		case r == 'ة':
			r = 'ه'
		case r == 'ؤ':
			r = 'و'
		case r == 'ئ':
			r = 'ي'
		case r >= '٠' && r <= '٩':
			r = '0' + (r - '٠')
		case r >= '۰' && r <= '۹':
			r = '0' + (r - '۰')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Tokens splits s into normalised words: runs of letters and digits. Punctuation,
// Arabic or Latin (؟ ، ؛ ? , .), separates words; a decimal point or percent sign
// inside a number is kept ("6.5", "10%").
func Tokens(s string) []string {
	s = Normalize(s)
	var out []string
	start := -1
	rs := []rune(s)
	for i, r := range rs {
		inNumber := (r == '.' || r == '٫' || r == '%' || r == '٪') && i > 0 && unicode.IsDigit(rs[i-1])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || inNumber {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, cleanToken(string(rs[start:i])))
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, cleanToken(string(rs[start:])))
	}
	return out
}

// cleanToken drops a trailing "." of a number token and writes ٪ as %.
func cleanToken(t string) string {
	t = strings.ReplaceAll(t, "٪", "%")
	t = strings.ReplaceAll(t, "٫", ".")
	return strings.TrimRight(t, ".")
}

// isArabic reports whether w contains an Arabic letter.
func isArabic(w string) bool {
	for _, r := range w {
		if unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r) {
			return true
		}
	}
	return false
}
