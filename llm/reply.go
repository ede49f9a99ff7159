package llm

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Reply normalizes a model's reply between the model and citation checking
// (falaj.CheckReply), as it streams:
//
//   - reasoning blocks (<think>…</think>, <thinking>…</thinking>, <reasoning>…</reasoning>),
//     which DeepSeek-R1, Qwen3 and many Ollama models write into the content, are
//     removed and never passed on; an unclosed block at the end is removed to the end,
//     and a stray closing tag removes what came before it (a chat template that opened
//     the block in the prompt) from Text — what was already passed on stays passed on;
//   - citation styles real models use become the [n] markers the check reads:
//     【1】 and 【1†source】, (Passage 2), (Sources 1 and 3), [n=3], [#3], [P3], [Source 2],
//     [Passage #2], [^1], ^1, [[1]] and lists in them ("1, 2", "1 and 2", "1-3").
//
// Write passes on normalized text as soon as it is settled: a possible marker or tag
// that has not closed yet is held back (at most holdBytes). Text returns the whole
// normalized reply; the deltas passed on add up to it, except after a stray closing tag.
// The zero value is not usable; use newReply. A Reply is not safe for concurrent use.
type Reply struct {
	onText  func(string) // nil: collect only
	holdAll bool         // a think-aloud model: pass nothing on until its reasoning has ended
	pend    string       // received, not yet settled
	inThink string       // the closing tag awaited, "" outside a reasoning block
	out     strings.Builder
	raw     int // bytes received
	think   int // bytes of reasoning removed
	seen    int // bytes of pend already searched for tags (while holding everything)
}

// holdBytes bounds what Reply holds back waiting for a marker or tag to close: past it,
// the text is passed on as it is.
const holdBytes = 48

// reasoningTags are the opening tags of reasoning blocks and their closing tags.
var reasoningTags = [][2]string{
	{"<think>", "</think>"},
	{"<thinking>", "</thinking>"},
	{"<reasoning>", "</reasoning>"},
}

// citeStyleRE matches the citation styles Reply rewrites as [n]; the numbers are in the
// first non-empty group.
var (
	citeNums    = `(\d{1,4}(?:\s*(?:,|;|&|and|-|–)\s*\d{1,4})*)`
	citeStyleRE = regexp.MustCompile(`(?i)` +
		`【\s*` + citeNums + `(?:\s*†[^】]{0,40})?\s*】` +
		`|\(\s*(?:see\s+)?(?:passages?|sources?)\s*#?\s*` + citeNums + `\s*\)` +
		`|\[\s*(?:n\s*=\s*|#\s*|p\s*|passages?\s*#?\s*|sources?\s*#?\s*|ref\.?\s*)` + citeNums + `\s*\]` +
		`|\[\^\s*` + citeNums + `\s*\]` +
		`|\[\[\s*` + citeNums + `\s*\]\]` +
		`|\[\s*(\d{1,4}(?:\s*,\s*\d{1,4})*\s*,?\s*(?:and|&)\s*\d{1,4})\s*\]` +
		`|\^\[?(\d{1,3})\]?`)
	andRE = regexp.MustCompile(`(?i)\s*(?:&|\band\b)\s*`)
)

// newReply returns a Reply passing normalized text to onText (nil: none).
func newReply(onText func(string)) *Reply { return &Reply{onText: onText} }

// newModelReply returns a Reply for a reply of the configured model. For a model that
// thinks aloud (Config.Reasoning), nothing is passed on until its reasoning block has
// closed, or, when the reply does not open with one (the chat template opened it in the
// prompt), until a closing tag or the end of the reply.
func (c Config) newModelReply(onText func(string)) *Reply {
	return &Reply{onText: onText, holdAll: c.reasoning() == "content"}
}

// NormalizeReply returns the normalized form of a whole reply (see Reply).
func NormalizeReply(text string) string {
	r := newReply(nil)
	r.Write(text)
	r.Close()
	return r.Text()
}

// Write adds delta, the next piece of the reply, and passes on what is settled.
func (r *Reply) Write(delta string) {
	r.raw += len(delta)
	r.pend += delta
	r.process(false)
}

// Close passes on what Write held back, when the reply is complete.
func (r *Reply) Close() { r.process(true) }

// Text returns the normalized reply so far, its edges trimmed.
func (r *Reply) Text() string { return strings.TrimSpace(r.out.String()) }

// Len returns the bytes of normalized text so far.
func (r *Reply) Len() int { return r.out.Len() }

func (r *Reply) process(final bool) {
	for {
		if r.inThink != "" {
			i := indexFold(r.pend, r.inThink, 0)
			if i < 0 {
				if final {
					r.think += len(r.pend)
					r.pend = "" // an unclosed block: reasoning to the end
					return
				}
				keep := min(len(r.pend), len(r.inThink)-1) // may be the start of the closing tag
				r.think += len(r.pend) - keep
				r.pend = r.pend[len(r.pend)-keep:]
				return
			}
			r.think += i + len(r.inThink)
			r.pend = r.pend[i+len(r.inThink):]
			r.inThink = ""
			continue
		}
		from := max(0, r.seen-len("</reasoning>")) // a tag may straddle what was searched
		open, tag, close := -1, "", ""
		for _, t := range reasoningTags {
			if i := indexFold(r.pend, t[0], from); i >= 0 && (open < 0 || i < open) {
				open, tag, close = i, t[0], t[1]
			}
		}
		stray := -1
		for _, t := range reasoningTags {
			if i := indexFold(r.pend, t[1], from); i >= 0 && (open < 0 || i < open) {
				stray, close = i, t[1]
				break
			}
		}
		r.seen = 0
		switch {
		case stray >= 0: // reasoning opened by the chat template: drop what came before
			r.think += r.out.Len() + stray + len(close)
			r.out.Reset()
			r.pend = r.pend[stray+len(close):]
			r.holdAll = false
			continue
		case open >= 0:
			r.settle(r.pend[:open])
			r.pend = r.pend[open+len(tag):]
			r.inThink = close
			r.holdAll = false
			continue
		case r.holdAll && !final:
			r.seen = len(r.pend)
			return // the reasoning may still be under way
		}
		cut := len(r.pend)
		if !final {
			cut = holdFrom(r.pend)
		}
		r.settle(r.pend[:cut])
		r.pend = r.pend[cut:]
		return
	}
}

// settle normalizes s, which holds no unfinished marker, and passes it on.
func (r *Reply) settle(s string) {
	if s == "" {
		return
	}
	s = citeStyleRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := citeStyleRE.FindStringSubmatch(m)
		for _, g := range sub[1:] {
			if g != "" {
				return "[" + andRE.ReplaceAllString(g, ", ") + "]"
			}
		}
		return m
	})
	if r.out.Len() == 0 {
		s = strings.TrimLeft(s, " \t\r\n")
		if s == "" {
			return
		}
	}
	r.out.WriteString(s)
	if r.onText != nil {
		r.onText(s)
	}
}

// holdFrom returns where the settled part of s ends: before an opening bracket, tag or
// caret near the end that has not closed yet, or before an incomplete rune.
func holdFrom(s string) int {
	from := max(0, len(s)-holdBytes)
	if i := strings.LastIndex(s, "[["); i >= from && strings.LastIndex(s, "]]") < i {
		return min(i, partialRuneStart(s)) // [[2] may become [[2]]
	}
	cut := len(s)
	for i := len(s) - 1; i >= from; i-- {
		switch s[i] {
		case ']', ')', '>':
			return min(cut, partialRuneStart(s))
		case '[', '(', '<':
			cut = i
		case '^':
			if strings.Trim(s[i+1:], "[0123456789") == "" {
				cut = i // ^1 may still grow: ^12
			}
		case 0xe3: // first byte of 【 (U+3010) and 】 (U+3011)
			if strings.HasPrefix(s[i:], "】") {
				return min(cut, partialRuneStart(s))
			}
			if strings.HasPrefix(s[i:], "【") || len(s)-i < 3 {
				cut = i
			}
		}
	}
	return min(cut, partialRuneStart(s))
}

// partialRuneStart returns where an incomplete rune at the end of s starts, or len(s).
func partialRuneStart(s string) int {
	for i := len(s) - 1; i >= 0 && i >= len(s)-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			if !utf8.FullRuneInString(s[i:]) {
				return i
			}
			break
		}
	}
	return len(s)
}

// indexFold is strings.Index for an ASCII needle starting with "<", ignoring case, from
// byte from on.
func indexFold(s, needle string, from int) int {
	n := len(needle)
	for i := from; i+n <= len(s); i++ {
		if s[i] == '<' && strings.EqualFold(s[i:i+n], needle) {
			return i
		}
	}
	return -1
}
