package retrieval

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/lexical"
)

// DefaultChunkSize is the target passage length in characters (runes), chosen by
// measuring hit@1, hit@3 and MRR on testdata/questions.jsonl for several sizes (the
// table is in docs/RETRIEVAL.md).
const DefaultChunkSize = 700

// chunkerVersion names the cleaning and chunking rules; change it whenever they change
// so that saved snapshots are rebuilt.
const chunkerVersion = "chunk-v2"

// chunk is a passage before embedding.
type chunk struct {
	passage falaj.Passage
	embed   string // what is embedded: title, byline, text and acronyms' long forms (embedText)
}

// chunkDocument splits a document into passages of at most size runes (plus a heading
// line when one introduces a piece of that size): paragraphs
// (units) are kept whole and merged with their neighbours while the total stays within
// size; a unit longer than size is split at sentence ends into pieces of at most size,
// and a sentence longer than size at spaces (a word longer than size, at size runes);
// a heading line is never the last line of a
// passage, so it travels with the paragraph it introduces; a code block longer than size
// is cut between lines into fenced pieces (splitCode), never into sentences. Units of
// one block are joined by "\n", blocks by "\n\n". Passages without any search term (lexical.Terms)
// are dropped before they are numbered.
func chunkDocument(d document, size int) []chunk {
	units := cleanUnits(d)
	var pieces []unit
	for _, u := range units {
		if utf8.RuneCountInString(u.text) <= size {
			pieces = append(pieces, u)
			continue
		}
		if u.code {
			for _, s := range splitCode(u.text, size) {
				pieces = append(pieces, unit{text: s, block: u.block, code: true})
			}
			continue
		}
		for j, s := range packSentences(lexical.Sentences(u.text), size) {
			pieces = append(pieces, unit{text: s, block: u.block, cont: j > 0})
		}
	}

	var texts []string
	var cur strings.Builder
	curLen, curBlock := 0, -1
	pendingHeading := false
	for i, u := range pieces {
		n := utf8.RuneCountInString(u.text)
		sep := "\n\n"
		switch {
		case u.cont:
			sep = " "
		case u.block == curBlock:
			sep = "\n"
		}
		need := n
		if isHeading(u, pieces, i) { // a heading must fit with the start of what it introduces
			need += 2 + utf8.RuneCountInString(pieces[i+1].text)
		}
		if cur.Len() > 0 && curLen+len(sep)+need > size && !pendingHeading {
			texts = append(texts, cur.String())
			cur.Reset()
			curLen = 0
		}
		if cur.Len() > 0 {
			cur.WriteString(sep)
			curLen += len(sep)
		}
		cur.WriteString(u.text)
		curLen += n
		curBlock = u.block
		pendingHeading = isHeading(u, pieces, i)
	}
	if cur.Len() > 0 {
		texts = append(texts, cur.String())
	}
	// A passage without a single search term ("It is what it is.", a row of dashes)
	// can neither be found nor embedded (the offline embedder gives it no direction).
	texts = slices.DeleteFunc(texts, func(t string) bool { return !lexical.HasTerms(t) })

	acr := lexical.Acronyms(d.Body)
	out := make([]chunk, len(texts))
	for i, t := range texts {
		p := falaj.Passage{
			ID:      fmt.Sprintf("%s#%d", d.ID, i+1),
			Doc:     d.ID,
			Title:   d.Title,
			Author:  d.Author,
			Outlet:  d.Outlet,
			Date:    d.Date,
			Ordinal: i + 1,
			Text:    t,
		}
		out[i] = chunk{passage: p, embed: embedText(d, t, acr)}
	}
	return out
}

// embedText is what the embedder sees for a passage: the document's title and byline
// (docByline), the text, and the long form of each acronym the text uses ("QCG" →
// "Quadrilateral Coordination Group"), so both spellings find it.
func embedText(d document, text string, acr map[string]string) string {
	var b strings.Builder
	b.WriteString(d.Title)
	if by := docByline(d); by != "" {
		b.WriteString("\n")
		b.WriteString(by)
	}
	b.WriteString("\n\n")
	b.WriteString(text)
	used := lexical.UsedAcronyms(text, acr)
	keys := make([]string, 0, len(used))
	for a := range used {
		keys = append(keys, a)
	}
	slices.Sort(keys)
	for _, a := range keys {
		b.WriteString("\n")
		b.WriteString(acr[a])
	}
	return b.String()
}

// docByline is a document's author, outlet and date as one line ("Jane Doe · Gulf
// Daily · 2024-01-02"), each left out when empty or the same as the one before (Author
// falls back to Outlet); "" when it has none.
func docByline(d document) string {
	var parts []string
	for _, s := range []string{d.Author, d.Outlet, d.Date} {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " · ")
}

// splitCode cuts a fenced code block longer than size into fenced blocks of whole lines,
// each at most size runes when its lines allow (a longer line is a block of its own).
func splitCode(code string, size int) []string {
	lines := strings.Split(code, "\n")
	open, body := lines[0], lines[1:len(lines)-1]
	overhead := utf8.RuneCountInString(open) + len("\n\n```")
	var out []string
	var cur []string
	n := overhead
	for _, l := range body {
		ln := utf8.RuneCountInString(l) + 1
		if len(cur) > 0 && n+ln > size {
			out = append(out, open+"\n"+strings.Join(cur, "\n")+"\n```")
			cur, n = nil, overhead
		}
		cur = append(cur, l)
		n += ln
	}
	if len(cur) > 0 {
		out = append(out, open+"\n"+strings.Join(cur, "\n")+"\n```")
	}
	return out
}

// isHeading reports whether pieces[i] introduces what follows: a Markdown heading, or a
// short line of its own block (at most 12 words and 100 characters) that does not end
// like a sentence, followed by another block.
func isHeading(u unit, pieces []unit, i int) bool {
	if i+1 >= len(pieces) || pieces[i+1].block == u.block || u.table || u.code {
		return false
	}
	if u.heading {
		return true
	}
	if i > 0 && pieces[i-1].block == u.block {
		return false
	}
	t := strings.TrimSpace(u.text)
	if utf8.RuneCountInString(t) > 100 || len(strings.Fields(t)) > 12 {
		return false
	}
	return !strings.HasSuffix(t, ".") && !strings.HasSuffix(t, "!")
}

// packSentences groups consecutive sentences into pieces of at most size runes,
// joined by one space. A sentence longer than size is first cut at word boundaries
// (splitWords).
func packSentences(sents []string, size int) []string {
	var out []string
	var cur strings.Builder
	curLen := 0
	var parts []string
	for _, s := range sents {
		if utf8.RuneCountInString(s) > size {
			parts = append(parts, splitWords(s, size)...)
		} else {
			parts = append(parts, s)
		}
	}
	for _, s := range parts {
		n := utf8.RuneCountInString(s)
		if cur.Len() > 0 && curLen+1+n > size {
			out = append(out, cur.String())
			cur.Reset()
			curLen = 0
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
			curLen++
		}
		cur.WriteString(s)
		curLen += n
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// splitWords cuts s into pieces of at most size runes at spaces, the words of a piece
// joined by one space; a word longer than size is cut every size runes.
func splitWords(s string, size int) []string {
	var out []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
			curLen = 0
		}
	}
	for _, w := range strings.Fields(s) {
		n := utf8.RuneCountInString(w)
		for n > size {
			flush()
			rs := []rune(w)
			out = append(out, string(rs[:size]))
			w = string(rs[size:])
			n -= size
		}
		if curLen > 0 && curLen+1+n > size {
			flush()
		}
		if curLen > 0 {
			cur.WriteByte(' ')
			curLen++
		}
		cur.WriteString(w)
		curLen += n
	}
	flush()
	return out
}
