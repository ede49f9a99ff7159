package lexical

import (
	"strings"
	"unicode"
)

// Sentences splits s into sentences, trimmed, in order; the words are unchanged.
//
// Lines: a blank line ends a sentence; so does a line break, unless the next line
// starts with a lower-case letter or the line ends with a comma (a hard-wrapped
// sentence, whose lines are joined with one space). So each row of a flattened table
// and each bullet line is its own sentence; the bullet marker ("•", "-", "*", "1.") is
// dropped.
//
// Within a line, a sentence ends at '.', '!', '?' or '…' (plus any closing quotes or
// brackets) followed by a space and then a capital letter, a digit or an opening
// quote. Not after a title ("Mr.", "Dr.", "Gen." …) or an initial ("J. Smith"), and
// after other abbreviations ("U.S.", "e.g.", "etc.", "Jan.") only when the next word
// is a stop word ("…from the U.S. The talks…"). Decimals ("3.5") never split.
func Sentences(s string) []string {
	var out []string
	for _, line := range logicalLines(s) {
		out = append(out, splitLine(line)...)
	}
	return out
}

// logicalLines joins hard-wrapped lines and drops blank ones and bullet markers.
func logicalLines(s string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if t := strings.TrimSpace(cur.String()); t != "" {
			out = append(out, t)
		}
		cur.Reset()
	}
	for _, raw := range strings.Split(s, "\n") {
		line := strings.TrimSpace(raw)
		if line == "" {
			flush()
			continue
		}
		line, bullet := trimBullet(line)
		if cur.Len() > 0 {
			prev := strings.TrimSpace(cur.String())
			first, _ := firstRune(line)
			if !bullet && (unicode.IsLower(first) || strings.HasSuffix(prev, ",")) {
				cur.WriteByte(' ')
				cur.WriteString(line)
				continue
			}
			flush()
		}
		cur.WriteString(line)
	}
	flush()
	return out
}

func firstRune(s string) (rune, bool) {
	for _, r := range s {
		return r, true
	}
	return 0, false
}

// trimBullet removes a leading list marker: "•", "▪", "·", "-", "–", "*", or "1." / "1)".
func trimBullet(line string) (string, bool) {
	for _, m := range []string{"•", "▪", "◦", "·", "- ", "– ", "— ", "* "} {
		if strings.HasPrefix(line, m) {
			return strings.TrimSpace(strings.TrimPrefix(line, m)), true
		}
	}
	i := 0
	for i < len(line) && i < 3 && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i > 0 && i+1 < len(line) && (line[i] == '.' || line[i] == ')') && line[i+1] == ' ' {
		return strings.TrimSpace(line[i+1:]), true
	}
	return line, false
}

// titles never end a sentence; abbrevs end one only before a stop word.
var (
	titles = map[string]bool{
		"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "gen": true, "col": true,
		"lt": true, "sgt": true, "capt": true, "sen": true, "rep": true, "gov": true, "pres": true,
		"st": true, "mt": true, "ft": true, "rev": true, "hon": true, "amb": true, "sr": true, "jr": true,
	}
	abbrevs = map[string]bool{
		"eg": true, "ie": true, "etc": true, "vs": true, "al": true, "no": true, "nos": true,
		"approx": true, "est": true, "fig": true, "inc": true, "ltd": true, "co": true, "corp": true,
		"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true,
		"sep": true, "sept": true, "oct": true, "nov": true, "dec": true, "cf": true, "ca": true,
	}
)

func isCloser(r rune) bool {
	return r == '"' || r == '\'' || r == '”' || r == '’' || r == ')' || r == ']' || r == '»'
}

func isOpener(r rune) bool {
	return r == '"' || r == '\'' || r == '“' || r == '‘' || r == '(' || r == '[' || r == '«'
}

// splitLine splits one logical line at sentence ends.
// maxQuoteRunes is the longest quotation kept in one sentence.
const maxQuoteRunes = 600

func splitLine(line string) []string {
	rs := []rune(line)
	var out []string
	start := 0
	quoteOpen := -1 // index of an open double quote, -1 when none
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '“', r == '"' && quoteOpen < 0:
			quoteOpen = i
		case r == '”', r == '"':
			quoteOpen = -1
		}
		if r != '.' && r != '!' && r != '?' && r != '…' {
			continue
		}
		end := i + 1
		for end < len(rs) && (isCloser(rs[end]) || rs[end] == '.' || rs[end] == '!' || rs[end] == '?') {
			if rs[end] == '”' || rs[end] == '"' {
				quoteOpen = -1 // the quotation closes with this sentence
			}
			end++
		}
		// A quotation is not split ("It is another peace talk. Nothing is guaranteed."),
		// unless it runs so long that its closing mark is probably missing.
		if quoteOpen >= 0 && i-quoteOpen < maxQuoteRunes {
			continue
		}
		if end >= len(rs) || !unicode.IsSpace(rs[end]) {
			continue
		}
		next := end
		for next < len(rs) && unicode.IsSpace(rs[next]) {
			next++
		}
		if next >= len(rs) {
			continue
		}
		nr := rs[next]
		if !unicode.IsUpper(nr) && !unicode.IsDigit(nr) && !isOpener(nr) {
			continue
		}
		if r == '.' && !periodEnds(rs, i, rs[next:]) {
			continue
		}
		if s := strings.TrimSpace(string(rs[start:end])); s != "" {
			out = append(out, s)
		}
		start = next
		i = next - 1
	}
	if s := strings.TrimSpace(string(rs[start:])); s != "" {
		out = append(out, s)
	}
	return out
}

// periodEnds decides whether the '.' at rs[i] ends a sentence, given the text after it.
func periodEnds(rs []rune, i int, after []rune) bool {
	// The word before the period, dots included ("U.S", "e.g", "Mr").
	j := i
	for j > 0 && (isWordRune(rs[j-1]) || rs[j-1] == '.') {
		j--
	}
	prev := string(rs[j:i])
	if prev == "" {
		return true
	}
	bare := strings.ToLower(strings.ReplaceAll(prev, ".", ""))
	if titles[bare] {
		return false
	}
	letters := []rune(prev)
	initial := len(letters) == 1 && unicode.IsUpper(letters[0])
	if initial || strings.Contains(prev, ".") || abbrevs[bare] {
		return nextIsStopword(after)
	}
	return true
}

func nextIsStopword(after []rune) bool {
	k := 0
	for k < len(after) && isOpener(after[k]) {
		k++
	}
	e := k
	for e < len(after) && unicode.IsLetter(after[e]) {
		e++
	}
	w := strings.ToLower(string(after[k:e]))
	return w != "" && stopwords[w]
}
