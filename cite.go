package falaj

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/falaj-bot/falaj/prompts"
)

// Citation markers, as models write them. A marker is a bracket holding one or more
// passage numbers or ranges, separated by commas or semicolons, optionally labelled:
// [1], [1, 2], [1;3], [1-3], [1–3], [Passage 2], [source 1, 2]. Adjacent markers ([1][2])
// are separate markers. Anything else in brackets ([a], [1.5], [note]) is left alone.
var (
	markerRE = regexp.MustCompile(`(?i)\[\s*(?:(?:passages?|sources?)\s*)?\d+(?:\s*[-–]\s*\d+)?(?:\s*[,;]\s*(?:(?:passages?|sources?)\s*)?\d+(?:\s*[-–]\s*\d+)?)*\s*\]`)
	numRE    = regexp.MustCompile(`(\d+)(?:\s*[-–]\s*(\d+))?`)
	// markerTailRE matches the end of streamed text that may still become a marker.
	markerTailRE = regexp.MustCompile(`(?i)\[[\s\dpassageourc,;\-–]{0,40}$`)
)

// declineRE matches how models say that the sources do not answer, besides the sentinel
// prompts.NotInSources. It is applied to the first sentence only, so that an answer may
// end with a caveat ("The sources do not say when.") and still count.
var declineRE = regexp.MustCompile(`(?i)` +
	`\bnot (?:covered |mentioned |found |addressed )?in (?:the |my )?(?:provided |given )?(?:sources|passages|documents|context)\b` +
	`|\b(?:sources|passages|documents|context)(?: provided| given)? (?:do|does|did) not\b` +
	`|\b(?:sources|passages|documents|context)(?: provided| given)? (?:don't|doesn't|didn't|don’t|doesn’t|didn’t)\b` +
	`|\b(?:cannot|can't|can’t|could not|couldn't|couldn’t|am unable to|am not able to) (?:find|answer|determine|tell)\b` +
	`|\bno (?:information|mention|details)\b`)

// CheckCitations checks and rewrites the [n] markers of a model's reply, where n numbers
// passages from 1 in the order given, and says whether the reply answers the question.
//
// Markers (see markerRE) that point to no passage ("phantoms") are dropped with the
// spaces before them; the others are renumbered in order of first appearance and
// written one number per bracket: with 3 passages, "A [3]. B [7]. C [1-3]." becomes
// "A [1]. B. C [2][3][1]." and cited lists passages 3, 1, 2 as citations 1, 2, 3, so the
// sources list shows only what the text cites, in reading order. Quote is "".
//
// answered is false, and cited nil, when the reply contains prompts.NotInSources (the
// reply the system prompt asks for), has no valid marker at all (facts with no source),
// or says in its first sentence that the sources do not cover the question ("The
// passages do not mention…", "I cannot find…"). clean is then the text as far as it was
// rewritten, for logs; callers show their decline text instead.
func CheckCitations(text string, passages []Passage) (clean string, cited []Citation, answered bool) {
	if strings.Contains(text, prompts.NotInSources) {
		return "", nil, false
	}
	r := renumbering{n: len(passages)}
	clean = strings.TrimSpace(r.rewrite(text))
	if len(r.order) == 0 || declineRE.MatchString(firstSentence(clean)) {
		return clean, nil, false
	}
	cited = make([]Citation, len(r.order))
	for i, old := range r.order {
		cited[i] = Citation{N: i + 1, Passage: passages[old-1]}
	}
	return clean, cited, true
}

// renumbering maps the passage numbers a text cites to numbers in order of first
// appearance.
type renumbering struct {
	n     int   // passages available: valid numbers are 1..n
	order []int // order[i] is the passage number that becomes i+1
}

// rewrite renumbers every marker of text, dropping phantoms with the blanks before them.
func (r *renumbering) rewrite(text string) string {
	var b strings.Builder
	last := 0
	for _, m := range markerRE.FindAllStringIndex(text, -1) {
		seg := text[last:m[0]]
		nums := r.numbers(text[m[0]:m[1]])
		if len(nums) == 0 {
			seg = strings.TrimRight(seg, " \t")
		}
		b.WriteString(seg)
		for _, n := range nums {
			b.WriteString("[" + strconv.Itoa(n) + "]")
		}
		last = m[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// numbers returns the new numbers of the valid passages a marker names, without
// repeats, in the order named. A range a-b with a ≤ b names a..b; b < a names a and b.
func (r *renumbering) numbers(marker string) []int {
	var out []int
	add := func(old int) {
		if old < 1 || old > r.n {
			return
		}
		i := slices.Index(r.order, old)
		if i < 0 {
			r.order = append(r.order, old)
			i = len(r.order) - 1
		}
		if !slices.Contains(out, i+1) {
			out = append(out, i+1)
		}
	}
	for _, m := range numRE.FindAllStringSubmatch(marker, -1) {
		a, err := strconv.Atoi(m[1])
		if err != nil {
			continue // too many digits: no such passage
		}
		b, err := strconv.Atoi(m[2])
		switch {
		case m[2] == "" || err != nil:
			add(a)
		case a <= b && b-a <= r.n:
			for k := a; k <= b; k++ {
				add(k)
			}
		default:
			add(a)
			add(b)
		}
	}
	return out
}

// firstSentence returns s up to the end of its first sentence or line.
func firstSentence(s string) string {
	for i, c := range s {
		switch c {
		case '\n':
			return s[:i]
		case '.', '!', '?':
			if rest := s[i+1:]; rest == "" || unicode.IsSpace(rune(rest[0])) {
				return s[:i+1]
			}
		}
	}
	return s
}

// CitationStream renumbers the markers of streamed text as CheckCitations will renumber
// the whole, so that what a person sees while the answer streams matches its sources
// list. Write takes each new piece of the model's text (a delta); the stream passes on
// deltas of the rewritten text to onText, holding back what may still change: an
// unfinished marker, the blanks before it, trailing blanks, and a beginning that may
// still become prompts.NotInSources (which is never passed on). Flush, after the last
// Write, passes on the rest. When CheckCitations then answers true, the deltas passed on
// add up to its clean text exactly. When it answers
// false the streamed text was not an answer and the front end should replace it with the
// decline. A CitationStream is not safe for concurrent use.
type CitationStream struct {
	n      int
	onText func(string)
	raw    strings.Builder
	sent   int // bytes of the rewritten text passed on
}

// NewCitationStream returns a CitationStream for a reply citing passages, writing to
// onText. A nil onText makes Write and Flush do nothing.
func NewCitationStream(passages []Passage, onText func(string)) *CitationStream {
	return &CitationStream{n: len(passages), onText: onText}
}

// Write adds delta, the next piece of the reply, and passes on what is settled.
func (s *CitationStream) Write(delta string) {
	s.raw.WriteString(delta)
	s.pass(false)
}

// Flush passes on what Write held back, when the reply is complete.
func (s *CitationStream) Flush() { s.pass(true) }

func (s *CitationStream) pass(final bool) {
	if s.onText == nil {
		return
	}
	raw := s.raw.String()
	if strings.HasPrefix(prompts.NotInSources, strings.TrimSpace(raw)) ||
		strings.Contains(raw, prompts.NotInSources) {
		return // may be, or is, the sentinel: never shown
	}
	settled := raw
	if !final {
		settled = strings.TrimSuffix(settled, partialRune(settled))
		if loc := markerTailRE.FindStringIndex(settled); loc != nil {
			settled = settled[:loc[0]]
		}
	}
	settled = strings.TrimRightFunc(settled, unicode.IsSpace)
	r := renumbering{n: s.n}
	out := strings.TrimLeftFunc(r.rewrite(settled), unicode.IsSpace)
	if len(out) > s.sent {
		s.onText(out[s.sent:])
		s.sent = len(out)
	}
}

// partialRune returns the bytes at the end of s that begin a rune not yet complete.
func partialRune(s string) string {
	for i := len(s) - 1; i >= 0 && i >= len(s)-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			if !utf8.FullRuneInString(s[i:]) {
				return s[i:]
			}
			break
		}
	}
	return ""
}
