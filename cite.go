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

// sourcesWord names what a model was given: "sources", "passages", "context", or
// documents and texts that are "provided", "given" or "above" (plain "documents" is too
// often a fact: "the documents did not include a timeline [2]").
const sourcesWord = `(?:sources|passages|context|(?:provided|given|above|these) (?:documents|texts|excerpts))`

// Refusal markers, besides the sentinel prompts.NotInSources. sourceRefusalRE matches a
// sentence that speaks about the sources ("The passages do not mention…", "I cannot
// find…", "not in the provided sources"): such a sentence is a refusal even when it carries
// a marker. vagueRE matches wording that is a refusal only in a sentence without a marker
// ("No information is given."), since a cited sentence may state a fact with the same
// words ("No details of the talks were disclosed [5]").
var (
	sourceRefusalRE = regexp.MustCompile(`(?i)` +
		`\bnot (?:covered |mentioned |found |addressed |stated |given )?in (?:the |my |these |any )?(?:provided |given |available )?` + sourcesWord + `\b` +
		`|\b` + sourcesWord + `(?: provided| given| above)? (?:do|does|did) not\b` +
		`|\b` + sourcesWord + `(?: provided| given| above)? (?:don't|doesn't|didn't|don’t|doesn’t|didn’t)\b` +
		`|\b(?:cannot|can't|can’t|could not|couldn't|couldn’t|am unable to|am not able to|'m unable to|’m unable to) (?:find|answer|determine|tell)\b`)
	vagueRE = regexp.MustCompile(`(?i)\bno (?:information|mention|details|data)\b|\bunknown\b|\bnot (?:known|disclosed|specified|stated|mentioned)\b`)
)

// courtesyRE matches a sentence that is only a courtesy before an answer.
var courtesyRE = regexp.MustCompile(`(?i)^(?:sure|certainly|of course|okay|ok|great question|good question|absolutely)[.!,]*$`)

// MaxReplyBytes caps the model reply the Engine reads: a reply is a few sentences, so
// anything longer is a model that rambles or a server that misbehaves. Text past the cap
// is not read; the answer keeps the complete sentences before it, with a note.
const MaxReplyBytes = 64 << 10

// ReplyOutcome says what a model's reply turned out to be, once checked.
type ReplyOutcome int

// The outcomes of CheckReply.
const (
	// ReplyCited: at least one sentence cites a passage and is not a refusal: an answer.
	ReplyCited ReplyOutcome = iota
	// ReplyRefused: no cited sentence, and a refusal marker: prompts.NotInSources, or a
	// sentence saying the sources do not cover the question.
	ReplyRefused
	// ReplyUncited: no cited sentence and no refusal: text with no source (a model that
	// forgot to cite, or one that obeyed an injected instruction).
	ReplyUncited
)

// CheckedReply is a model's reply after CheckReply or a CitationStream.
type CheckedReply struct {
	// Text is the reply with markers rewritten, refusal-sentinel sentences dropped and
	// the edges trimmed. For ReplyCited it is the answer; otherwise it is for logs.
	Text      string
	Citations []Citation   // the passages Text cites, in marker order; nil unless ReplyCited
	Outcome   ReplyOutcome // answer, refusal or uncited text
	Cut       bool         // the reply was longer than MaxReplyBytes; Text ends before the cut
	Dropped   int          // sentences of a cited reply dropped as no marker covers them
}

// CheckReply checks and rewrites the [n] markers of a model's whole reply, where n numbers
// passages from 1 in the order given, and classifies it (see ReplyOutcome). It reads the
// reply sentence by sentence, as CitationStream does, and gives the same Text.
//
// Markers (see markerRE) that point to no passage ("phantoms") are dropped with the
// spaces before them; the others are renumbered in order of first appearance and
// written one number per bracket: with 3 passages, "A [3]. B [7]. C [1-3]." becomes
// "A [1]. B. C [2][3][1]." and the citations are passages 3, 1, 2 as 1, 2, 3, so the
// sources list shows only what the text cites, in reading order. Quote is "".
//
// Preambles before the first cited sentence (a sentence ending with a colon, "Sure!")
// are dropped. A sentence holding prompts.NotInSources is dropped: "Oman is trusted [2]. Its motives
// are NOT_IN_SOURCES." is the answer "Oman is trusted [1]." A refusal is recognised by
// the reply's structure, not its first words: no sentence cites a passage (other than a
// sentence about the sources themselves, "The passages do not mention X [1].") and one
// holds a refusal marker.
//
// Attribution: every sentence shown is covered by a marker. A sentence that cites a
// passage covers itself and the uncited sentences before it in its block, since models
// often cite once at the end of a run of sentences: "Oman is discreet. Both sides trust
// it [2]." is shown whole. A block is a paragraph (lines up to a blank line), a list item
// or a heading. Uncited sentences after the last cited one of their block, and blocks
// with no cited sentence, are dropped and counted in Dropped: "Oman is trusted [1] and
// neutral [7]. It also invented the internet." is the answer "Oman is trusted [1] and
// neutral."; a closing "I hope this helps." goes too, and so does a caveat after the
// last marker ("The sources do not say when."), which cannot be told from a claim
// ("…, but it was probably 2013."). Labels state nothing and are not dropped with the
// block they end: a heading ("## Mediation", a line in bold only; not a sentence
// in bold, "**Oman is neutral.**"), a line ending with a colon ("Its roles include:") or
// a list item's number is shown with the next cited sentence, and dropped when what
// follows it is. A sentence of markers only ("[2]" on a line of its own, "Sources: [1],
// [2]") covers the sentences before it in its block, but one that covers nothing, such
// as a list of sources in a paragraph of its own, is dropped and is not a citation: a
// reply that cites only so gives the extractive answer. If no sentence cites, nothing is
// shown (the outcome is not ReplyCited).
func CheckReply(text string, passages []Passage) CheckedReply {
	c := newReplyChecker(len(passages), nil)
	c.write(text)
	return c.finish(passages)
}

// CheckCitations is CheckReply reduced to its text, its citations and whether the reply
// answers (Outcome is ReplyCited).
func CheckCitations(text string, passages []Passage) (clean string, cited []Citation, answered bool) {
	r := CheckReply(text, passages)
	return r.Text, r.Citations, r.Outcome == ReplyCited
}

// renumbering maps the passage numbers a text cites to numbers in order of first
// appearance.
type renumbering struct {
	n     int   // passages available: valid numbers are 1..n
	order []int // order[i] is the passage number that becomes i+1
}

// rewrite renumbers every marker of text, dropping phantoms with the blanks before them.
// valid counts the markers that name a passage.
func (r *renumbering) rewrite(text string) (out string, valid int) {
	var b strings.Builder
	last := 0
	for _, m := range markerRE.FindAllStringIndex(text, -1) {
		seg := text[last:m[0]]
		nums := r.numbers(text[m[0]:m[1]])
		if len(nums) == 0 {
			seg = strings.TrimRight(seg, " \t")
		} else {
			valid++
		}
		b.WriteString(seg)
		for _, n := range nums {
			b.WriteString("[" + strconv.Itoa(n) + "]")
		}
		last = m[1]
	}
	b.WriteString(text[last:])
	return b.String(), valid
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

// replyChecker reads a reply sentence by sentence, in one pass: each piece of text is
// scanned once for sentence ends, and each sentence is rewritten and classified once,
// so checking a reply takes time linear in its length however it is split.
//
// A sentence ends at a line break, or at . ! ? (also 。 ？ ！ ؟) followed by closing
// quotes or brackets, blanks and something other than a citation marker: markers that
// follow the full stop ("… tolerance. [2]") belong to the sentence before.
//
// Attribution: a sentence that cites a passage is passed on (to emit and to the text)
// together with the uncited sentences held before it in its block (see CheckReply); the
// uncited sentences still held when their block ends, or the reply ends, are dropped.
// Each sentence is held, passed on or dropped once, so this stays linear too.
type replyChecker struct {
	r       renumbering  // the numbers of the text passed on
	scratch renumbering  // counts a sentence's valid markers
	logR    renumbering  // the numbers of held, while no sentence cites
	emit    func(string) // nil: collect only
	raw     []byte
	start   int  // start of the sentence being read
	scan    int  // where the search for its end resumes
	cut     bool // raw reached MaxReplyBytes; later writes are ignored
	out     strings.Builder
	held    []heldSentence // every sentence read before the first cited one: the Text when none cites
	pending []heldSentence // uncited sentences of the current block since its last cited one
	dropped int            // uncited sentences dropped
	cited   bool           // a sentence cites a passage
	refusal bool           // a sentence holds a refusal marker
	started bool           // a non-blank sentence has been read
	line    lineKind       // the kind of the line being read
	gap     int            // line breaks (up to 2) since the last sentence: the next one's separator
	limit   int
}

// heldSentence is a sentence not passed on yet (its markers not numbered, in pending),
// with the separator before it. A label
// (a heading, or a line ending with a colon) states nothing: it is not dropped with the
// block it ends, but shown with the next cited sentence, or dropped with what follows.
type heldSentence struct {
	sep, text string
	label     bool
}

// lineKind is what a line of a reply is, by its first characters.
type lineKind int

const (
	plainLine   lineKind = iota
	itemLine             // a list item: "- ", "* ", "• ", "1. ", "2) "
	headingLine          // "# Title", or a line in bold only: "**Mediation**"
)

// itemRE matches the start of a list item, itemNumberRE a list item's number read as a
// sentence of its own ("2." in "2. Oman hosted…"); Arabic-Indic digits number Arabic lists.
var (
	itemRE       = regexp.MustCompile(`^(?:[-*•+–]\s|[0-9٠-٩]{1,3}[.)](?:\s|$))`)
	itemNumberRE = regexp.MustCompile(`^[0-9٠-٩]{1,3}[.)]$`)
)

// kindOf returns the kind of a line that starts with text (a whole sentence).
func kindOf(text string) lineKind {
	switch {
	case strings.HasPrefix(text, "#"):
		return headingLine
	case itemRE.MatchString(text):
		return itemLine
	case len(text) > 4 && (strings.HasPrefix(text, "**") && strings.HasSuffix(strings.TrimSuffix(text, ":"), "**") ||
		strings.HasPrefix(text, "__") && strings.HasSuffix(strings.TrimSuffix(text, ":"), "__")):
		return headingLine
	}
	return plainLine
}

func newReplyChecker(passages int, emit func(string)) *replyChecker {
	return &replyChecker{r: renumbering{n: passages}, scratch: renumbering{n: passages}, logR: renumbering{n: passages},
		emit: emit, limit: MaxReplyBytes}
}

// write adds the next piece of the reply and handles the sentences it completes.
func (c *replyChecker) write(delta string) {
	if c.cut || delta == "" {
		return
	}
	if room := c.limit - len(c.raw); len(delta) > room {
		delta = delta[:room]
		for len(delta) > 0 && !utf8.ValidString(delta[max(0, len(delta)-utf8.UTFMax):]) {
			delta = delta[:len(delta)-1] // do not split a rune
		}
		c.cut = true
	}
	c.raw = append(c.raw, delta...)
	c.sentences(false)
}

// finish handles the rest of the reply and returns the result. A reply cut at the cap
// loses its last, unfinished sentence.
func (c *replyChecker) finish(passages []Passage) CheckedReply {
	if c.cut {
		c.sentences(false)
	} else {
		c.sentences(true)
		c.sentence(string(c.raw[c.start:]))
		c.start = len(c.raw)
	}
	c.drop(len(c.pending)) // after the last cited sentence: unattributed
	res := CheckedReply{Cut: c.cut}
	switch {
	case c.cited:
		res.Outcome = ReplyCited
		res.Text = c.out.String()
		res.Dropped = c.dropped
		res.Citations = make([]Citation, len(c.r.order))
		for i, old := range c.r.order {
			res.Citations[i] = Citation{N: i + 1, Passage: passages[old-1]}
		}
		return res
	case c.refusal:
		res.Outcome = ReplyRefused
	default:
		res.Outcome = ReplyUncited
	}
	var b strings.Builder
	for i, h := range c.held {
		if i > 0 {
			b.WriteString(h.sep)
		}
		b.WriteString(h.text)
	}
	res.Text = b.String()
	return res
}

// sentences handles every sentence of raw that is complete. final says no text follows.
func (c *replyChecker) sentences(final bool) {
	for i := c.scan; i < len(c.raw); {
		r, size := utf8.DecodeRune(c.raw[i:])
		if r == utf8.RuneError && size <= 1 && !final && !utf8.FullRune(c.raw[i:]) {
			c.scan = i // a rune still arriving
			return
		}
		var end int // the end of the sentence, 0: not at i
		switch r {
		case '\n':
			end = i + 1
		case '.', '!', '?', '。', '？', '！', '؟':
			var ok bool
			end, ok = c.sentenceEnd(i+size, final)
			if !ok {
				c.scan = i // wait for what follows
				return
			}
		}
		if end == 0 {
			i += size
			continue
		}
		c.sentence(string(c.raw[c.start:end]))
		c.start, i = end, end
	}
	c.scan = len(c.raw)
}

// sentenceEnd decides whether a terminator ending at j ends a sentence, and where: after
// closing quotes or brackets and any citation markers that follow. end 0 means it does
// not (a decimal point, "U.S.A"); ok false means that depends on text not yet written.
func (c *replyChecker) sentenceEnd(j int, final bool) (end int, ok bool) {
	raw := c.raw
	for j < len(raw) && strings.IndexByte(`"')]`, raw[j]) >= 0 {
		j++
	}
	for _, close := range []string{"”", "’", "»"} {
		if len(raw)-j >= len(close) && string(raw[j:j+len(close)]) == close {
			j += len(close)
		}
	}
	if j >= len(raw) {
		return len(raw), final
	}
	if raw[j] != ' ' && raw[j] != '\t' && raw[j] != '\n' && raw[j] != '\r' {
		return 0, true
	}
	end = j
	for {
		k := end
		for k < len(raw) && (raw[k] == ' ' || raw[k] == '\t') {
			k++
		}
		if k == len(raw) {
			return end, final
		}
		if raw[k] != '[' {
			return end, true
		}
		tail := raw[k:min(len(raw), k+64)]
		loc := markerRE.FindIndex(tail)
		switch {
		case loc != nil && loc[0] == 0:
			end = k + loc[1] // a marker after the full stop: part of this sentence
		case !final && len(tail) < 64 && isMarkerStart(tail):
			return 0, false // may still become a marker
		default:
			return end, true
		}
	}
}

// sentence classifies one sentence (with the blanks around it) and passes it on, holds it
// or drops it.
func (c *replyChecker) sentence(s string) {
	text := strings.TrimSpace(s)
	if text == "" {
		c.gap = min(2, c.gap+strings.Count(s, "\n"))
		return
	}
	c.gap = min(2, c.gap+strings.Count(s[:len(s)-len(strings.TrimLeftFunc(s, unicode.IsSpace))], "\n"))
	if !c.started || c.gap > 0 { // the sentence starts a line
		kind := kindOf(text)
		if c.gap > 1 || kind != plainLine || c.line != plainLine {
			c.endBlock() // a paragraph, list item or heading ends where another starts
		}
		c.line, c.started = kind, true
	}
	if strings.Contains(strings.ToUpper(text), prompts.NotInSources) { // also not_in_sources
		c.refusal = true
		return // dropped: never shown
	}
	if !c.cited && !markerRE.MatchString(text) && (strings.HasSuffix(text, ":") || courtesyRE.MatchString(text)) {
		return // a preamble before the answer: "Based on the passages:", "Sure!"
	}
	// Markers are numbered when their sentence is passed on, so that a dropped sentence
	// takes no number; here they are only counted.
	rewritten, valid := c.scratch.rewrite(text)
	c.scratch.order = c.scratch.order[:0]
	refusal := sourceRefusalRE.MatchString(text) || (valid == 0 && vagueRE.MatchString(text))
	if refusal {
		c.refusal = true
	}
	sep := " "
	switch c.gap {
	case 0:
	case 1:
		sep = "\n"
	default:
		sep = "\n\n"
	}
	c.gap = min(2, strings.Count(s[len(strings.TrimRightFunc(s, unicode.IsSpace)):], "\n"))
	if strings.TrimSpace(rewritten) == "" {
		return
	}
	if !c.cited {
		held, _ := c.logR.rewrite(text)
		c.held = append(c.held, heldSentence{sep: sep, text: strings.TrimSpace(held)})
	}
	// A refusal before anything is cited is held (and dropped unless a cited sentence
	// follows in its block); after a cited answer, a cited note on what the passages leave
	// out ("The passages do not say when [2].") is shown, as the system prompt asks.
	if valid == 0 || refusal && !c.cited {
		bare := strings.TrimRight(text, "*_ ")
		label := valid == 0 && (c.line == headingLine && !strings.ContainsAny(bare[max(0, len(bare)-3):], ".!?؟") ||
			strings.HasSuffix(bare, ":") || itemNumberRE.MatchString(strings.TrimLeft(text, "# ")))
		c.pending = append(c.pending, heldSentence{sep, text, label})
		return
	}
	if markersOnly(text) && !slices.ContainsFunc(c.pending, func(h heldSentence) bool { return !h.label }) {
		return // "Sources: [1], [2]" covering nothing: no answer in itself
	}
	c.cited = true
	for _, h := range c.pending {
		c.pass(h.sep, h.text)
	}
	c.pending = c.pending[:0]
	c.pass(sep, text)
}

// sourcesLabelRE matches a label before a list of markers: "Sources:", "References".
var sourcesLabelRE = regexp.MustCompile(`(?i)^\W*(?:sources?|references?|citations?|passages?)\W*$`)

// markersOnly reports whether a sentence is only citation markers, perhaps labelled.
func markersOnly(text string) bool {
	rest := markerRE.ReplaceAllString(text, "")
	return strings.TrimFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) == "" ||
		sourcesLabelRE.MatchString(rest)
}

// endBlock drops the uncited sentences held when a block ends, and the labels before
// them; labels after the last of them wait for what the next block shows.
func (c *replyChecker) endBlock() {
	last := -1
	for i, h := range c.pending {
		if !h.label {
			last = i
		}
	}
	if last < 0 {
		return
	}
	c.drop(last + 1)
}

// drop drops the first n pending sentences, counting those that are not labels.
func (c *replyChecker) drop(n int) {
	for _, h := range c.pending[:n] {
		if !h.label {
			c.dropped++
		}
	}
	c.pending = slices.Delete(c.pending, 0, n)
}

// pass numbers the markers of a sentence and adds it to the text and to emit.
func (c *replyChecker) pass(sep, text string) {
	text, _ = c.r.rewrite(text)
	text = strings.TrimSpace(text)
	if c.out.Len() > 0 {
		text = sep + text
	}
	c.out.WriteString(text)
	if c.emit != nil {
		c.emit(text)
	}
}

// isMarkerStart reports whether b, which starts with "[", may still become a marker.
func isMarkerStart(b []byte) bool {
	loc := markerTailRE.FindIndex(b)
	return loc != nil && loc[0] == 0
}

// CitationStream checks a reply as it streams, sentence by sentence, as CheckReply checks
// the whole, so that a person only ever sees text that passed the check: markers
// renumbered as the final sources list, refusal sentinels dropped, and nothing at all
// until a sentence cites a passage (a reply that never cites shows nothing). Write takes
// each new piece of the model's text (a delta); a complete sentence is passed on to
// onText when it ends if it cites a passage, or else held until a later sentence of its
// block cites one (then both are passed on) and dropped, never passed on, when its
// block or the reply ends first (see CheckReply); Flush, after the last Write, handles
// the last sentence. When the
// outcome is ReplyCited, the deltas passed on add up to the result's Text exactly.
// Processing is linear in the reply's length, and at most MaxReplyBytes are read.
// A CitationStream is not safe for concurrent use.
type CitationStream struct {
	c        *replyChecker
	passages []Passage
}

// NewCitationStream returns a CitationStream for a reply citing passages, writing to
// onText. A nil onText passes nothing on; the result is still computed.
func NewCitationStream(passages []Passage, onText func(string)) *CitationStream {
	return &CitationStream{c: newReplyChecker(len(passages), onText), passages: passages}
}

// Write adds delta, the next piece of the reply, and passes on the sentences it completes.
func (s *CitationStream) Write(delta string) { s.c.write(delta) }

// Flush handles the rest of the reply, when it is complete, and returns the checked
// reply. Call it once.
func (s *CitationStream) Flush() CheckedReply { return s.c.finish(s.passages) }
