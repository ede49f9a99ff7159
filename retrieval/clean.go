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
//
// Everything else is kept, including the author's bio paragraph.
var (
	commentHeader = regexp.MustCompile(`(?i)^(?:(?:no|one|two|three|four|five|\d+)\s+(?:comments?|responses?|replies|thoughts?)(?:\s+on\b.*)?|comments?|responses?|leave\s+a\s+(?:comment|reply|response)|comments\s+are\s+closed\.?|join\s+the\s+discussion)\s*:?$`)

	boilerplateLine = regexp.MustCompile(`(?i)^(?:subscribe\b.*|tailor\s+your\s+subscription\b.*|sign\s+up\s+(?:for|to)\b.*|share\s+(?:this|on)\b.*|share|follow\s+us\b.*|author\s+avatar|official\s+partner|advertisement|sponsored(?:\s+content)?|(?:photo|image|picture|illustration)(?:\s+credits?)?\s*:.*|(?:photo|image)\s+by\b.*|related(?:\s+(?:articles|posts|stories|reading))?\s*:?|read\s+more\s*:.*|click\s+here\b.*|print\s+this\s+(?:page|article))$`)

	bylinePrefix = regexp.MustCompile(`(?i)^(?:by|author|written\s+by|posted\s+by)\s*:?\s+`)
)

// unit is one citable paragraph (or table row, bullet, heading line) of a document.
type unit struct {
	text  string
	block int  // index of the blank-line-separated block it came from
	table bool // a flattened table row
	cont  bool // continues the previous unit's paragraph (a sentence piece): join with " "
}

// cleanUnits returns the document's citable units in order.
func cleanUnits(d document) []unit {
	lines := strings.Split(d.Body, "\n")
	byline := map[string]bool{}
	for _, s := range []string{d.Title, d.Author, d.Outlet} {
		if k := lineKey(s); k != "" {
			byline[k] = true
		}
	}
	var kept []string // "" marks a block break
	for _, raw := range lines {
		t := strings.TrimSpace(raw)
		if t == "" {
			kept = append(kept, "")
			continue
		}
		if commentHeader.MatchString(t) {
			break
		}
		if boilerplateLine.MatchString(t) || byline[lineKey(bylinePrefix.ReplaceAllString(t, ""))] || isCreditWord(t) {
			continue
		}
		kept = append(kept, t)
	}

	var units []unit
	block := 0
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			units = append(units, blockUnits(cur, block)...)
			block++
		}
		cur = nil
	}
	for _, t := range kept {
		if t == "" {
			flush()
			continue
		}
		cur = append(cur, t)
	}
	flush()
	return units
}

// blockUnits splits a block's lines into units: each line is one, except that a line
// starting with a lower-case letter (or following a line ending with a comma)
// continues the previous one (hard-wrapped text).
func blockUnits(lines []string, block int) []unit {
	table := isTable(lines)
	var out []unit
	for i, l := range lines {
		first, _ := utf8.DecodeRuneInString(l)
		if i > 0 && !table && (unicode.IsLower(first) || strings.HasSuffix(lines[i-1], ",")) {
			out[len(out)-1].text += "\n" + l
			continue
		}
		u := unit{text: l, block: block}
		if table && len(gluePoints(l)) >= 2 {
			u.text, u.table = separateCells(l), true
		}
		out = append(out, u)
	}
	return out
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
