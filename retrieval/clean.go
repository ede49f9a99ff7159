package retrieval

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Cleaning rules. A line is compared trimmed; the rules are deliberately few and
// general (see docs/RETRIEVAL.md):
//
//  1. Comment section: a line that is only a comment-section header ("One Comment",
//     "12 Comments", "Leave a comment", "Leave a Reply", "Comments are closed.",
//     "Responses") drops itself and everything after it.
//  2. Boilerplate lines (boilerplateLine): subscription and sharing calls, "author
//     avatar", "Official Partner", "Advertisement", photo and image credits
//     ("Photo: …"), "Related articles".
//  3. Byline lines: a line equal (ignoring case, punctuation and a leading "by" or
//     "Author:") to the title, the author or the outlet.
//  4. A lone all-capitals word of at most 8 letters ("VCG", "AFP", "REUTERS"): an image
//     credit.
//  5. Footnote markers and maintenance tags ("2011.[12]", "[citation needed]"):
//     neutraliseMarkers.
//
// Everything else is kept, including the author's bio paragraph. How lines become
// paragraphs, and Markdown text: cleanUnits.
var (
	commentHeader = regexp.MustCompile(`(?i)^(?:(?:no|one|two|three|four|five|\d+)\s+(?:comments?|responses?|replies|thoughts?)(?:\s+on\b.*)?|comments?|responses?|leave\s+a\s+(?:comment|reply|response)|comments\s+are\s+closed\.?|join\s+the\s+discussion)\s*:?$`)

	boilerplateLine = regexp.MustCompile(`(?i)^(?:subscribe\b.*|tailor\s+your\s+subscription\b.*|sign\s+up\s+(?:for|to)\b.*|share\s+(?:this|on)\b.*|share|follow\s+us\b.*|author\s+avatar|official\s+partner|advertisement|sponsored(?:\s+content)?|(?:photo|image|picture|illustration)(?:\s+credits?)?\s*:.*|(?:photo|image)\s+by\b.*|related(?:\s+(?:articles|posts|stories|reading))?\s*:?|read\s+more\s*:.*|click\s+here\b.*|print\s+this\s+(?:page|article))$`)

	bylinePrefix = regexp.MustCompile(`(?i)^(?:by|author|written\s+by|posted\s+by)\s*:?\s+`)
)

// unit is one citable paragraph (or table row, list item, heading, code block) of a
// document.
type unit struct {
	text    string
	block   int  // index of the block it came from: units of a block are joined by "\n", blocks by "\n\n"
	table   bool // a table row, cells separated by cellSeparator
	cont    bool // continues the previous unit's paragraph (a sentence piece): join with " "
	code    bool // a code block, fenced by ``` lines, indentation kept: never split into sentences
	heading bool // a Markdown heading, or a line underlined with === or ---
}

// lineKind is what a line of text is, for joining hard-wrapped lines.
type lineKind int

const (
	proseLine   lineKind = iota // part of a paragraph: joins the line before it
	headingLine                 // a heading: a unit and a block of its own
	listLine                    // starts a list item (or a numbered section): a new unit
	tableLine                   // a table row: a unit of its own
	preLine                     // kept as it is: a command prompt, column-aligned text
)

// textLine is one line of a block, cleaned.
type textLine struct {
	text      string
	kind      lineKind
	raw       string // trimmed, before Markdown was read (a table's header row)
	hardBreak bool   // Markdown: ends with two spaces or a backslash
	inline    bool   // Markdown whose inline marks are read after joining (mdInline)
}

// textBlock is a run of lines between blank lines, or one code block.
type textBlock struct {
	lines []textLine
	code  string // a code block, fenced; "" for text
}

// maxWrapWidth is the longest line (in runes) a hard-wrapped plain-text document has,
// bar a few: a .txt file whose lines are longer holds one paragraph per line.
const maxWrapWidth = 100

// cleaner reads one document's lines into blocks.
type cleaner struct {
	md      bool            // Markdown (.md): read headings, lists, tables, code, inline marks
	wrapped bool            // plain text that is hard-wrapped: a paragraph runs to a blank line
	width   int             // plain text: the longest line of at most maxWrapWidth runes
	byline  map[string]bool // lineKey of the title, author and outlet
	refs    map[string]bool // Markdown reference-link labels, lower-case
}

var (
	fenceOpen   = regexp.MustCompile("^( *)(`{3,}|~{3,})\\s*([^`]*)$") // any indentation: a fence may sit in a list item
	atxHeading  = regexp.MustCompile(`^#{1,6}(?:\s+|$)`)
	atxClosing  = regexp.MustCompile(`\s+#+\s*$`)
	listMarker  = regexp.MustCompile(`^(?:[-*+•▪◦·–—]|\d{1,3}[.)])[\s\x{a0}]+`)
	sectionNum  = regexp.MustCompile(`^\d{1,3}(?:\.\d{1,3})+(?:\.[\s\x{a0}]+\S|[\s\x{a0}]+\P{Ll})`) // "1.2. Who…", "8.1.1. dpkg", "2.1 Setup", not "3.5 percent"
	numbered    = regexp.MustCompile(`^\d{1,3}[.)][\s\x{a0}]+\P{Ll}`)                               // plain text: "2. Getting…", not "12. it"
	mdBullet    = regexp.MustCompile(`^[-*+]\s+`)
	refDef      = regexp.MustCompile(`^ {0,3}\[([^\]^][^\]]*)\]:\s*\S`)
	footDef     = regexp.MustCompile(`^ {0,3}\[\^[^\]]+\]:\s*`)
	tableDelim  = regexp.MustCompile(`^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?$|^\|\s*:?-+:?\s*\|$`)
	quoteMarker = regexp.MustCompile(`^(?:>\s?)+`)
	promptLine  = regexp.MustCompile(`^[$%#] \S`)
)

// cleanUnits returns the document's citable units in order: boilerplate dropped (the
// rules above), hard-wrapped lines rejoined into paragraphs, Markdown read as text, code
// kept as blocks, footnote markers removed (neutraliseMarkers).
//
// A paragraph is its lines up to a blank line, joined by one space (or none inside a
// wrapped address or hyphenated word: joiner), except that a heading, a list item, a
// table row, a command prompt ("$ …") or column-aligned text starts a unit of its own.
// Plain text (.txt) is read that way when it is hard-wrapped (at most 1 line in 20
// longer than maxWrapWidth runes); otherwise each line is a paragraph, and a line
// continues the one before only when it starts with a lower-case letter or that line
// ends with a comma. In hard-wrapped text a short line that does not end with
// punctuation, followed by a capital, is a heading line, not part of the paragraph.
//
// Code: a fenced block (``` or ~~~, in either format) and, in Markdown, a block indented
// by four spaces after a blank line (outside a list) become one unit, fenced with ```
// lines, indentation kept.
func cleanUnits(d document) []unit {
	lines := strings.Split(d.Body, "\n")
	c := cleaner{md: d.Markdown, byline: map[string]bool{}, refs: map[string]bool{}}
	for _, s := range []string{d.Title, d.Author, d.Outlet} {
		if k := lineKey(s); k != "" {
			c.byline[k] = true
		}
	}
	if c.md {
		for _, l := range lines {
			if m := refDef.FindStringSubmatch(l); m != nil {
				c.refs[strings.ToLower(m[1])] = true
			}
		}
	} else {
		c.wrapped, c.width = hardWrapped(lines)
	}
	var units []unit
	for i, b := range c.blocks(lines) {
		units = append(units, c.units(b, i)...)
	}
	return units
}

// hardWrapped reports whether plain-text lines are hard-wrapped, and their width.
func hardWrapped(lines []string) (bool, int) {
	n, long, width := 0, 0, 0
	for _, l := range lines {
		l = strings.TrimRightFunc(l, unicode.IsSpace)
		if strings.TrimSpace(l) == "" {
			continue
		}
		n++
		if w := utf8.RuneCountInString(l); w > maxWrapWidth {
			long++
		} else {
			width = max(width, w)
		}
	}
	return n >= 2 && long*20 <= n, width
}

// blocks splits lines into blocks of classified, cleaned lines and code blocks. It stops
// at a comment-section header.
func (c *cleaner) blocks(lines []string) []textBlock {
	var out []textBlock
	var cur []textLine
	flush := func() {
		if len(cur) > 0 {
			out = append(out, textBlock{lines: cur})
		}
		cur = nil
	}
	afterBlank, inList := true, false
	for i := 0; i < len(lines); i++ {
		raw := strings.TrimRightFunc(lines[i], unicode.IsSpace)
		t := strings.TrimSpace(raw)
		if m := fenceMatch(raw); m != nil && !(m[2][0] == '`' && strings.Contains(m[3], "`")) {
			flush()
			code, last := fencedCode(lines, i, len(m[1]), m[2], strings.TrimSpace(m[3]))
			if code != "" {
				out = append(out, textBlock{code: code})
			}
			i, afterBlank, inList = last, false, false
			continue
		}
		if t == "" {
			flush()
			afterBlank = true
			continue
		}
		wasBlank := afterBlank
		afterBlank = false
		if c.md && wasBlank && !inList && indentWidth(lines[i]) >= 4 {
			flush()
			code, last := indentedCode(lines, i)
			out = append(out, textBlock{code: code})
			i = last
			continue
		}
		if c.md && strings.HasPrefix(t, "<!--") {
			for i < len(lines) && !strings.Contains(lines[i], "-->") {
				i++
			}
			continue
		}
		if c.md && refDef.MatchString(raw) {
			continue
		}
		// A comment section's header is short ("12 Comments on <the title>"); the
		// expression on every long paragraph line was a tenth of indexing.
		const maxHeaderLen = 300
		if len(t) <= maxHeaderLen && commentHeader.MatchString(t) {
			break
		}
		if isRule(t) {
			// A line of "===" or "---" under a line of text makes that line a heading.
			if n := len(cur); n > 0 && cur[n-1].kind == proseLine && (strings.Trim(t, "=") == "" || strings.Trim(t, "-") == "") {
				cur[n-1].kind = headingLine
			}
			flush()
			continue
		}
		l := textLine{raw: t, kind: proseLine}
		if c.md {
			l.hardBreak = strings.HasSuffix(lines[i], "  ") || strings.HasSuffix(raw, "\\")
			t = strings.TrimSuffix(t, "\\")
			t = footDef.ReplaceAllString(t, "")
			if q := quoteMarker.FindString(t); q != "" {
				t = strings.TrimSpace(t[len(q):])
			}
			switch {
			case atxHeading.MatchString(t):
				l.kind = headingLine
				t = atxClosing.ReplaceAllString(strings.TrimLeft(t, "#"), "")
			case tableDelim.MatchString(t) && len(cur) > 0 && strings.Contains(cur[len(cur)-1].raw, "|"):
				h := &cur[len(cur)-1] // the header row
				h.kind, h.text, h.inline = tableLine, tableRow(h.raw, c.refs), false
				continue
			case strings.Contains(t, "|") && (strings.HasPrefix(t, "|") || len(cur) > 0 && cur[len(cur)-1].kind == tableLine ||
				i+1 < len(lines) && tableDelim.MatchString(strings.TrimSpace(lines[i+1]))):
				l.kind = tableLine
			case listMarker.MatchString(t) || sectionNum.MatchString(t):
				l.kind = listLine
				t = mdBullet.ReplaceAllString(t, "• ")
			}
			if imagesOnly(t) {
				continue
			}
			switch l.kind {
			case tableLine:
				t = tableRow(t, c.refs)
			case headingLine:
				t = mdInline(t, c.refs)
			default:
				// Read as text once the paragraph is joined (units): a link or code span
				// may run over a line break. The filters below read this line as text.
				l.inline = true
			}
			if l.kind == listLine {
				inList = true
			} else if wasBlank && indentWidth(lines[i]) == 0 {
				inList = false
			}
		} else {
			switch {
			case listMarker.MatchString(t) && (t[0] < '0' || t[0] > '9' || numbered.MatchString(t)) || sectionNum.MatchString(t):
				l.kind = listLine
			case promptLine.MatchString(t) || strings.Contains(t, "   "): // a prompt, or column-aligned text
				l.kind = preLine
			}
		}
		check := t
		if l.inline {
			check = mdInline(t, c.refs)
		} else {
			t = neutraliseMarkers(t)
		}
		check = neutraliseMarkers(check)
		if check == "" || boilerplateLine.MatchString(check) || c.byline[lineKey(bylinePrefix.ReplaceAllString(check, ""))] || isCreditWord(check) {
			continue
		}
		if l.kind == headingLine {
			flush()
			l.text = t
			out = append(out, textBlock{lines: []textLine{l}})
			continue
		}
		l.text = t
		cur = append(cur, l)
	}
	flush()
	return out
}

// fenceMatch is fenceOpen's submatches for line, or nil.
func fenceMatch(line string) []string {
	if !strings.Contains(line, "```") && !strings.Contains(line, "~~~") {
		return nil
	}
	return fenceOpen.FindStringSubmatch(line)
}

// units turns block number bi into units.
func (c *cleaner) units(b textBlock, bi int) []unit {
	if b.code != "" {
		return []unit{{text: b.code, block: bi, code: true}}
	}
	if !c.md {
		raws := make([]string, len(b.lines))
		for i, l := range b.lines {
			raws[i] = l.text
		}
		if isTable(raws) {
			out := make([]unit, len(raws))
			for i, r := range raws {
				out[i] = unit{text: r, block: bi}
				if len(gluePoints(r)) >= 2 {
					out[i].text, out[i].table = separateCells(r), true
				}
			}
			return out
		}
	}
	var out []unit
	var texts []*strings.Builder // the text of out[i], built line by line
	var inline []bool
	var prev textLine
	for i, l := range b.lines {
		if i > 0 && l.kind == proseLine && c.joins(prev, l) {
			tb := texts[len(texts)-1]
			tb.WriteString(joiner(prev.text, l.text))
			tb.WriteString(l.text)
			prev = textLine{text: l.text, kind: prev.kind, hardBreak: l.hardBreak, inline: prev.inline} // the paragraph goes on
			continue
		}
		out = append(out, unit{block: bi, table: l.kind == tableLine, heading: l.kind == headingLine})
		texts = append(texts, &strings.Builder{})
		texts[len(texts)-1].WriteString(l.text)
		inline = append(inline, l.inline)
		prev = l
	}
	kept := out[:0]
	for i, u := range out {
		u.text = texts[i].String()
		if inline[i] {
			if u.text = neutraliseMarkers(mdInline(u.text, c.refs)); u.text == "" {
				continue
			}
		}
		kept = append(kept, u)
	}
	return kept
}

// joins reports whether prose line l continues the paragraph (or list item) of prev.
func (c *cleaner) joins(prev, l textLine) bool {
	if prev.kind != proseLine && prev.kind != listLine || prev.hardBreak {
		return false
	}
	first, _ := utf8.DecodeRuneInString(l.text)
	if unicode.IsLower(first) || strings.HasSuffix(prev.text, ",") {
		return true
	}
	switch {
	case c.md:
		return true
	case !c.wrapped:
		return false
	}
	// Hard-wrapped text: a short line without closing punctuation before a capital is a
	// heading or a line of an address, not a wrapped line.
	last, _ := utf8.DecodeLastRuneInString(prev.text)
	short := utf8.RuneCountInString(prev.text)*2 < c.width
	return !short || unicode.IsPunct(last) && last != ')'
}

// joiner is what goes between a wrapped line and the next: nothing inside an address
// or a name wrapped at a slash (after "/", or before "/" when the word before has a "/"
// or "." or a capital follows: "https://www.gnu.org" "/software", "GNU" "/Hurd") or after
// a word ending in "-" ("bug-" "fixes"); else a space ("set in" "/etc/fstab").
func joiner(prev, next string) string {
	if strings.HasSuffix(prev, "/") {
		return ""
	}
	if rest, ok := strings.CutPrefix(next, "/"); ok {
		last := prev[strings.LastIndexAny(prev, " \t")+1:]
		first, _ := utf8.DecodeRuneInString(rest)
		if strings.ContainsAny(last, "/.") && !strings.HasSuffix(last, ".") || unicode.IsUpper(first) ||
			strings.HasSuffix(last, ":") && strings.HasPrefix(rest, "/") { // "https:" "//www…"
			return ""
		}
	}
	if r, n := utf8.DecodeLastRuneInString(prev); r == '-' {
		before, _ := utf8.DecodeLastRuneInString(prev[:len(prev)-n])
		first, _ := utf8.DecodeRuneInString(next)
		if unicode.IsLetter(before) && unicode.IsLetter(first) {
			return ""
		}
	}
	return " "
}

// tableRow turns a Markdown table row into its cells' text separated by cellSeparator.
func tableRow(row string, refs map[string]bool) string {
	row = strings.TrimSpace(row)
	row = strings.TrimPrefix(row, "|")
	if strings.HasSuffix(row, "|") && !strings.HasSuffix(row, "\\|") {
		row = row[:len(row)-1]
	}
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row) && row[i+1] == '|':
			cur.WriteByte('|')
			i++
		case row[i] == '|':
			cells = append(cells, mdInline(cur.String(), refs))
			cur.Reset()
		default:
			cur.WriteByte(row[i])
		}
	}
	cells = append(cells, mdInline(cur.String(), refs))
	return strings.Join(cells, cellSeparator)
}

// fencedCode returns the code block that opens at lines[start] (indented by indent
// spaces, fence the run of backticks or tildes, info the language), fenced with ```, and
// the index of its closing line (the last line when it never closes). Each line loses at
// most indent leading spaces. A block of only blank lines is "".
func fencedCode(lines []string, start, indent int, fence, info string) (string, int) {
	var body []string
	last := len(lines) - 1
	for j := start + 1; j < len(lines); j++ {
		t := strings.TrimSpace(lines[j])
		if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
			last = j
			break
		}
		l := lines[j]
		for k := 0; k < indent && strings.HasPrefix(l, " "); k++ {
			l = l[1:]
		}
		body = append(body, strings.TrimRightFunc(l, unicode.IsSpace))
	}
	return fenceCode(body, info), last
}

// indentedCode returns the Markdown code block indented by four spaces that starts at
// lines[start], fenced with ```, and the index of its last line.
func indentedCode(lines []string, start int) (string, int) {
	var body []string
	last := start
	for j := start; j < len(lines); j++ {
		if strings.TrimSpace(lines[j]) == "" {
			body = append(body, "")
			continue
		}
		if indentWidth(lines[j]) < 4 {
			break
		}
		body = append(body, strings.TrimRightFunc(dedent(lines[j], 4), unicode.IsSpace))
		last = j
	}
	return fenceCode(body[:last-start+1], ""), last
}

// fenceCode wraps code lines in ``` fences, blank lines at either end dropped.
func fenceCode(body []string, info string) string {
	for len(body) > 0 && strings.TrimSpace(body[0]) == "" {
		body = body[1:]
	}
	for len(body) > 0 && strings.TrimSpace(body[len(body)-1]) == "" {
		body = body[:len(body)-1]
	}
	if len(body) == 0 {
		return ""
	}
	return "```" + info + "\n" + strings.Join(body, "\n") + "\n```"
}

// indentWidth is the width of l's leading white space, a tab counting to the next
// multiple of four.
func indentWidth(l string) int {
	w := 0
	for _, r := range l {
		switch r {
		case ' ':
			w++
		case '\t':
			w += 4 - w%4
		default:
			return w
		}
	}
	return w
}

// dedent removes n columns of leading white space from l (a tab counting to the next
// multiple of four; a tab that reaches past n leaves spaces for the rest).
func dedent(l string, n int) string {
	w := 0
	for i, r := range l {
		if w >= n || (r != ' ' && r != '\t') {
			return strings.Repeat(" ", w-n) + l[i:]
		}
		if r == ' ' {
			w++
		} else {
			w += 4 - w%4
		}
	}
	return ""
}

// isRule reports whether t is a horizontal rule or underline: at least three of one of
// "-", "=", "*", "_", "~", "#" or "+" and nothing else but spaces.
func isRule(t string) bool {
	s := strings.ReplaceAll(t, " ", "")
	if len(s) < 3 || !strings.ContainsRune("-=*_~#+", rune(s[0])) {
		return false
	}
	return strings.Trim(s, s[:1]) == ""
}

// Footnote and citation markers in documents ("…in 2011.[12]", "[13][14]", "[3–5]",
// "^[4]", "[citation needed]") are removed at ingest, because an answer quoting the
// sentence would otherwise carry them, and answerers and renderers read "[n]" as a
// citation of passage n. The numbers point to the source's own notes, which are not
// indexed (or not with that number), so nothing a reader could follow is lost. Removed:
// a bracket holding only numbers (with ranges, commas or semicolons), each optionally
// labelled (note, ref, fn, source, passage), or preceded by "^" — every bracket that
// falaj.CheckCitations reads as a citation marker is one — and Wikipedia's maintenance
// tags. Other
// brackets ("[sic]", "[the talks]", "[a]") stay. Code blocks are not touched.
var (
	footnoteMarker = regexp.MustCompile(`(?i)^\[\s*(?:(?:notes?|refs?|fn|nb|sources?|passages?|citations?)\s*)?\d+(?:\s*[-–]\s*\d+)?(?:\s*[,;]\s*(?:(?:notes?|refs?|fn|nb|sources?|passages?|citations?)\s*)?\d+(?:\s*[-–]\s*\d+)?)*\s*\]$`)
	maintenanceTag = regexp.MustCompile(`(?i)^\[(?:(?:citation|clarification|verification|source|better source|page|year|date|quotation|attribution|examples?|full citation|reference)s?\s+needed|who|when|where|which|why|by whom|according to whom|dubious|disputed|unreliable source\??|failed verification|dead link|not in citation given|original research\??|vague|specify|clarify|sic\?)\??(?:\s*[–-][^\]]{0,40})?\]$`)
)

// maxMarkerBytes bounds the bracket neutraliseMarkers reads as a marker.
const maxMarkerBytes = 80

// neutraliseMarkers removes footnote markers and maintenance tags from a line of text.
// Each "[" is checked on its own, with its bracket (at most maxMarkerBytes long), so a
// hostile line of a million brackets costs linear time.
func neutraliseMarkers(s string) string {
	if !strings.Contains(s, "[") {
		return s
	}
	var b strings.Builder
	last, changed := 0, false
	for i := 0; i < len(s); i++ {
		if s[i] != '[' {
			continue
		}
		end := strings.IndexByte(s[i:min(len(s), i+maxMarkerBytes)], ']')
		if end < 0 {
			continue
		}
		end += i + 1
		if !footnoteMarker.MatchString(s[i:end]) && !maintenanceTag.MatchString(s[i:end]) {
			continue
		}
		start := i // the marker goes with a "^" before it and the blanks before that
		if start > last && s[start-1] == '^' {
			start--
		}
		for start > last && (s[start-1] == ' ' || s[start-1] == '\t') {
			start--
		}
		b.WriteString(s[last:start])
		last, changed = end, true
		i = end - 1
	}
	if !changed {
		return s
	}
	b.WriteString(s[last:])
	return strings.TrimSpace(b.String())
}

// isTable reports whether a block looks like a flattened table: at least two lines,
// each with at least two glue points (see gluePoints).
func isTable(lines []string) bool {
	n := 0
	for _, l := range lines {
		if len(gluePoints(l)) >= 2 {
			n++
		}
	}
	return n >= 2
}

// cellSeparator is inserted at the glue points of flattened table rows, so that
// "USA and IranPrisoner exchange2023Brokered…" reads "USA and Iran | Prisoner exchange
// | 2023 | Brokered…". Only the separator is inserted; no word changes.
const cellSeparator = " | "

// gluePoints returns the byte offsets in l where a table cell was glued to the previous
// one: "IranPrisoner" or "1980sPractised" (a lower-case letter after a lower-case letter
// or digit, then a capital and a lower-case letter),
// "Qatar2017" (lower-case letters, then digits), "2017Remained" (two digits, then a
// capitalised word), "(1980s)1980s" (a closing bracket, then a letter or digit), and
// "USAPrisoner" (capitals, then a capitalised word).
func gluePoints(l string) []int {
	rs := []rune(l)
	var pts []int
	off := 0
	offs := make([]int, len(rs)+1)
	for i, r := range rs {
		offs[i] = off
		off += utf8.RuneLen(r)
	}
	offs[len(rs)] = off
	lower := unicode.IsLower
	upper := unicode.IsUpper
	digit := unicode.IsDigit
	at := func(i int) rune {
		if i < 0 || i >= len(rs) {
			return 0
		}
		return rs[i]
	}
	for i := 2; i < len(rs); i++ {
		p2, p1, c, n1 := at(i-2), at(i-1), at(i), at(i+1)
		glued := false
		switch {
		case (lower(p2) || digit(p2)) && lower(p1) && upper(c) && lower(n1):
			glued = true // "IranPrisoner", "1980sPractised"
		case lower(p2) && lower(p1) && digit(c):
			glued = true
		case digit(p2) && digit(p1) && upper(c) && lower(n1):
			glued = true
		case (p1 == ')' || p1 == ']') && (digit(c) || unicode.IsLetter(c)):
			glued = true
		case upper(p2) && upper(p1) && upper(c) && lower(n1) && lower(at(i+2)):
			glued = true
		}
		if glued {
			pts = append(pts, offs[i])
		}
	}
	return pts
}

// separateCells inserts cellSeparator at every glue point of l.
func separateCells(l string) string {
	var b strings.Builder
	last := 0
	for _, p := range gluePoints(l) {
		b.WriteString(l[last:p])
		b.WriteString(cellSeparator)
		last = p
	}
	b.WriteString(l[last:])
	return b.String()
}

// lineKey normalises a line for byline comparison: lower-case letters and digits only.
func lineKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// isCreditWord reports whether t is a lone all-capitals word of 2–8 letters.
func isCreditWord(t string) bool {
	n := 0
	for _, r := range t {
		if !unicode.IsUpper(r) {
			return false
		}
		n++
	}
	return n >= 2 && n <= 8
}
