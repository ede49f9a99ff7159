package retrieval

import (
	"html"
	"regexp"
	"strings"
	"unicode"
)

// Markdown is quoted as text: what a reader of the rendered page sees, without the
// marks that produce it. mdInline turns a paragraph (or line) of a .md document into
// text:
//
//   - images become their alt text ("![Oman map](map.png)" → "Oman map"); a line of
//     nothing but images (a row of badges) is dropped by the caller (imagesOnly);
//   - links become their text: inline "[text](url)", reference "[text][id]" and
//     shortcut "[id]" when id is defined in the document; autolinks "<https://…>" their
//     address;
//   - emphasis and strike-through marks go ("**", "__", "*", "_", "~~"), but not a "*"
//     or "_" inside a word ("snake_case", "2*3");
//   - code spans keep their text, verbatim, without the backticks;
//   - HTML tags go (an <img>'s alt text stays; <br>, <p>, <div>, <li> leave a space),
//     entities are decoded, backslash escapes lose the backslash; footnote references
//     "[^1]" and footnote markers (neutraliseMarkers) go.
//
// Block structure (headings, lists, tables, quotes, code blocks) is read by cleanUnits.
var (
	mdImage     = regexp.MustCompile(`!\[([^\]]*)\](?:\((?:[^()]|\([^()]*\))*\)|\[[^\]]*\])`)
	mdLink      = regexp.MustCompile(`\[([^\]]+)\]\((?:[^()]|\([^()]*\))*\)`)
	mdRefLink   = regexp.MustCompile(`\[([^\]]+)\]\[([^\]]*)\]`)
	mdShortcut  = regexp.MustCompile(`\[([^\]^][^\]]*)\]`)
	mdEmptyLink = regexp.MustCompile(`\[\s*\](?:\((?:[^()]|\([^()]*\))*\)|\[[^\]]*\])`)
	mdFootRef   = regexp.MustCompile(`\[\^[^\]\s]+\]`)
	mdAutolink  = regexp.MustCompile(`<((?:https?|ftp)://[^>\s]+|mailto:[^>\s]+|[^>\s@]+@[^>\s]+\.[^>\s]+)>`)
	mdImgTag    = regexp.MustCompile(`(?i)<img\b[^>]*?\balt\s*=\s*"([^"]*)"[^>]*>`)
	mdBreakTag  = regexp.MustCompile(`(?i)<(?:br|/?p|/?div|/?li|hr)\b[^<>]*>`)
	mdTag       = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>`)
	mdStrong    = regexp.MustCompile(`\*\*([^*\s](?:[^*]*[^*\s])?)\*\*`)
	mdStrongU   = regexp.MustCompile(`(^|[^\p{L}\p{N}_])__([^_\s](?:[^_]*[^_\s])?)__($|[^\p{L}\p{N}_])`)
	mdEmph      = regexp.MustCompile(`(^|[^\p{L}\p{N}*\\])\*([^*\s](?:[^*]*[^*\s])?)\*($|[^\p{L}\p{N}*])`)
	mdEmphU     = regexp.MustCompile(`(^|[^\p{L}\p{N}_])_([^_\s](?:[^_]*[^_\s])?)_($|[^\p{L}\p{N}_])`)
	mdStrike    = regexp.MustCompile(`~~([^~\s](?:[^~]*[^~\s])?)~~`)
	mdEscapable = "\\`*_{}[]()#+-.!|>~<"
)

// Private-use runes stand in for escaped characters and code spans while mdInline reads
// the marks of a line, so that no rule reads them as marks.
const (
	escapeBase = 0xE000 // + the escaped ASCII character
	spanBase   = 0xE100 // + the code span's index
	maxSpans   = 0x100
)

// mdInline returns line as text (see the rules above); refs holds the document's
// reference-link labels, lower-case.
func mdInline(line string, refs map[string]bool) string {
	parts := splitCodeSpans(line)
	if len(parts)/2 > maxSpans {
		parts = []string{line}
	}
	var b strings.Builder
	for i, seg := range parts {
		if i%2 == 1 {
			b.WriteRune(rune(spanBase + i/2))
			continue
		}
		for j := 0; j < len(seg); j++ { // park escaped characters
			if seg[j] == '\\' && j+1 < len(seg) && strings.IndexByte(mdEscapable, seg[j+1]) >= 0 {
				b.WriteRune(rune(escapeBase + int(seg[j+1])))
				j++
				continue
			}
			b.WriteByte(seg[j])
		}
	}
	s := mdInlineText(b.String(), refs)
	s = strings.Map(func(r rune) rune {
		if r >= escapeBase && r < escapeBase+128 {
			return r - escapeBase
		}
		return r
	}, s)
	if len(parts) > 1 {
		var out strings.Builder
		for _, r := range s {
			if r >= spanBase && r < spanBase+maxSpans {
				out.WriteString(parts[2*int(r-spanBase)+1])
				continue
			}
			out.WriteRune(r)
		}
		s = out.String()
	}
	return strings.TrimSpace(collapseSpaces(s))
}

// mdInlineText applies the rules to a line whose code spans and escaped characters are
// parked.
func mdInlineText(s string, refs map[string]bool) string {
	// Each rule runs only when its mark is there: most lines of prose have none.
	has := func(mark string) bool { return strings.Contains(s, mark) }
	replace := func(mark string, re *regexp.Regexp, repl string) {
		if has(mark) {
			s = re.ReplaceAllString(s, repl)
		}
	}
	replace("<", mdImgTag, " $1 ")
	replace("![", mdImage, "$1")
	if has("[") {
		s = mdFootRef.ReplaceAllString(s, "")
		// Reference links to defined labels first, then footnote markers, so that
		// "2013.[13][14]" loses its markers rather than becoming a link "13".
		s = mdRefLink.ReplaceAllStringFunc(s, func(m string) string {
			sub := mdRefLink.FindStringSubmatch(m)
			if label := sub[2]; refs[strings.ToLower(label)] || label == "" && refs[strings.ToLower(sub[1])] {
				return sub[1]
			}
			return m
		})
		s = neutraliseMarkers(s)
		s = mdLink.ReplaceAllString(s, "$1")
		s = mdRefLink.ReplaceAllString(s, "$1")
		s = mdShortcut.ReplaceAllStringFunc(s, func(m string) string {
			label := m[1 : len(m)-1]
			switch {
			case !refs[strings.ToLower(label)]:
				return m
			case strings.Trim(label, "0123456789") == "":
				return "" // a numbered reference is a footnote marker, not words
			}
			return label
		})
	}
	// Every tag rule needs a "<": looking again after each is the same as once before.
	replace("<", mdAutolink, "$1")
	replace("<", mdBreakTag, " ")
	replace("<", mdTag, "")
	for range 2 { // twice: neighbouring spans share the character between them
		before := s
		replace("**", mdStrong, "$1")
		replace("__", mdStrongU, "$1$2$3")
		replace("*", mdEmph, "$1$2$3")
		replace("_", mdEmphU, "$1$2$3")
		replace("~~", mdStrike, "$1")
		if s == before {
			break
		}
	}
	if has("&") {
		s = html.UnescapeString(s)
	}
	return s
}

// splitCodeSpans splits s into text and code spans, alternating, starting with text:
// "a `b` c" → "a ", "b", " c". A code span opens with a run of backticks and closes
// with the next run of the same length; one space padding each side goes. A run without
// a closing run is text. Linear in len(s): each run's closing run is found beforehand.
func splitCodeSpans(s string) []string {
	type run struct{ at, n int }
	var runs []run
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		n := 0
		for i+n < len(s) && s[i+n] == '`' {
			n++
		}
		runs = append(runs, run{i, n})
		i += n
	}
	if len(runs) < 2 {
		return []string{s}
	}
	next := make([]int, len(runs)) // index of the next run of the same length, or -1
	seen := map[int]int{}
	for k := len(runs) - 1; k >= 0; k-- {
		next[k] = -1
		if j, ok := seen[runs[k].n]; ok {
			next[k] = j
		}
		seen[runs[k].n] = k
	}
	var out []string
	last := 0
	for k := 0; k < len(runs); k++ {
		j := next[k]
		if j < 0 {
			continue
		}
		open, closing := runs[k], runs[j]
		code := s[open.at+open.n : closing.at]
		if len(code) >= 2 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.TrimSpace(code) != "" {
			code = code[1 : len(code)-1]
		}
		out = append(out, s[last:open.at], code)
		last = closing.at + closing.n
		k = j
	}
	return append(out, s[last:])
}

// imagesOnly reports whether a Markdown line holds nothing but images, links around
// images and white space: a row of badges, dropped rather than quoted as alt texts.
func imagesOnly(line string) bool {
	if !strings.Contains(line, "![") && !mdImgTag.MatchString(line) {
		return false
	}
	s := mdImgTag.ReplaceAllString(line, "")
	s = mdImage.ReplaceAllString(s, "")
	s = mdEmptyLink.ReplaceAllString(s, "")
	s = mdTag.ReplaceAllString(s, "")
	return !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}

// collapseSpaces folds runs of spaces and tabs into one space.
func collapseSpaces(s string) string {
	if !strings.Contains(s, "  ") && !strings.Contains(s, "\t") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
