package lexical

import (
	"strings"
	"unicode"
)

// Sentences splits s into sentences, trimmed, in order; the words are unchanged.
//
// Lines: a blank line ends a sentence; so does a line break, unless the next line
// starts with a lower-case letter or the line ends with a comma (a hard-wrapped
// sentence, whose lines are joined with one space) and neither line is column-aligned
// text (three spaces between words). So each row of a flattened table
// and each bullet line is its own sentence; the bullet marker ("•", "-", "*", "1.") is
// dropped.
//
// Within a line, a sentence ends at '.', '!', '?' or '…' (plus any closing quotes or
// brackets) followed by a space and then a capital letter, a digit or an opening
// quote. Not after a title ("Mr.", "Dr.", "Gen." …), an initial ("J. Smith") or a
// section number starting the line ("1.2. Who…"), and
// after other abbreviations ("U.S.", "e.g.", "etc.", "Jan.") only when the next word
// is a stop word ("…from the U.S. The talks…"). Decimals ("3.5") never split.
//
// Code: a block fenced by lines starting with ``` (or ~~~), fences included, is one
// sentence, verbatim: its lines keep their indentation and are never joined or split. An
// unclosed fence runs to the end of s.
func Sentences(s string) []string {
	var out []string
	for i, part := range splitFenced(s) {
		if i%2 == 1 {
			out = append(out, part)
			continue
		}
		for _, line := range logicalLines(part) {
			out = append(out, splitLine(line)...)
		}
	}
	return out
}

// splitFenced splits s into text and fenced code blocks, alternating, starting with text
// (which may be empty). A code block runs from its opening fence line to the closing
// line of the same fence, both included, lines without trailing white space.
func splitFenced(s string) []string {
	if !strings.Contains(s, "```") && !strings.Contains(s, "~~~") {
		return []string{s}
	}
	var out []string
	var text, code []string
	fence := ""
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if fence == "" {
			if f := fenceOf(t); f != "" {
				fence = f
				out = append(out, strings.Join(text, "\n"))
				text, code = nil, []string{strings.TrimRightFunc(line, unicode.IsSpace)}
				continue
			}
			text = append(text, line)
			continue
		}
		code = append(code, strings.TrimRightFunc(line, unicode.IsSpace))
		if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
			out = append(out, strings.Join(code, "\n"))
			fence, code = "", nil
		}
	}
	if fence != "" {
		out = append(out, strings.Join(code, "\n"))
	}
	return append(out, strings.Join(text, "\n"))
}

// fenceOf returns the fence a trimmed line opens ("```", "~~~~"), or "".
func fenceOf(t string) string {
	for _, c := range []string{"`", "~"} {
		n := len(t) - len(strings.TrimLeft(t, c))
		if n >= 3 && !(c == "`" && strings.Contains(t[n:], "`")) {
			return t[:n]
		}
	}
	return ""
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
			if !bullet && !isAligned(line) && !isAligned(prev) && (unicode.IsLower(first) || strings.HasSuffix(prev, ",")) {
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

// isAligned reports whether a line holds column-aligned text (three spaces or more
// between words): a row of a plain-text table, never a wrapped sentence.
func isAligned(line string) bool {
	return strings.Contains(strings.TrimSpace(line), "   ")
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
	if j == 0 && strings.Trim(prev, "0123456789.") == "" {
		return false // a section number: "1.2. Who decides…"
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
