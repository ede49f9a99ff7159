package bot

import (
	"strings"
	"unicode"
)

// maxMessageRunes is Discord's limit on a message's content, in characters.
const maxMessageRunes = 2000

// maxFenceLine is the longest opening fence line ("```language") carried over when a
// code block is cut; a longer one is reopened as a plain "```".
const maxFenceLine = 20

// splitMessage cuts text into parts of at most max runes each, at the latest paragraph
// break, else line break, else sentence end, else space that fits, and never inside a
// ``` code block: a cut that would land inside one moves before the block. Only a code
// block longer than a whole message is cut inside, at a line break, closing the fence
// at the end of the part and reopening it (with its language) at the start of the next.
// Whitespace around cuts is dropped; an empty text gives no parts.
func splitMessage(text string, max int) []string {
	var parts []string
	rest := []rune(strings.TrimSpace(text))
	reopen := "" // fence line to put in front of the next part, when a block was cut
	for len(rest) > 0 {
		if reopen != "" {
			rest = append([]rune(reopen+"\n"), rest...)
			reopen = ""
		}
		if len(rest) <= max {
			parts = append(parts, string(rest))
			break
		}
		cut, fence := cutPoint(rest, max)
		part := strings.TrimRightFunc(string(rest[:cut]), unicode.IsSpace)
		if fence != "" {
			part += "\n```"
			reopen = fence
		}
		parts = append(parts, part)
		rest = []rune(strings.TrimLeftFunc(string(rest[cut:]), unicode.IsSpace))
	}
	return parts
}

// cutPoint returns where to cut r (len(r) > max) so that the part before it has at most
// max runes. fence is non-empty when the cut falls inside a code block that cannot be
// avoided: it is that block's opening line, and the caller must close and reopen it;
// the returned cut then leaves room for the closing "\n```".
func cutPoint(r []rune, max int) (cut int, fence string) {
	open := fenceStarts(r, max+1) // state of fences in the window
	window := max
	inside := func(i int) (bool, int) { // is position i inside a fence, and where did it open
		start := -1
		for _, f := range open {
			if f > i {
				break
			}
			if start < 0 {
				start = f
			} else {
				start = -1
			}
		}
		return start >= 0, start
	}
	for _, sep := range []func(i int) bool{
		func(i int) bool { return r[i] == '\n' && i > 0 && r[i-1] == '\n' }, // paragraph
		func(i int) bool { return r[i] == '\n' },                            // line
		func(i int) bool { // sentence: end mark followed by a space
			return unicode.IsSpace(r[i]) && i > 0 && strings.ContainsRune(".!?…", r[i-1])
		},
		func(i int) bool { return unicode.IsSpace(r[i]) }, // word
	} {
		for i := window; i > 0; i-- {
			if i >= len(r) || !sep(i) {
				continue
			}
			if in, _ := inside(i); !in {
				return i, ""
			}
		}
	}
	in, start := inside(window)
	if !in {
		return window, "" // one long word: cut it
	}
	// Every boundary is inside a code block. If the block opened after the start, cut
	// just before it so the whole block moves to the next part.
	if start > 0 {
		return start, ""
	}
	// The part starts inside a block longer than a message: cut inside it, at a line
	// break, else a space, else anywhere.
	fenceLine := "```"
	if line, _, ok := strings.Cut(string(r[start:min(len(r), start+maxFenceLine+1)]), "\n"); ok && !strings.Contains(line[3:], "`") {
		fenceLine = line // "```go": keep the language when the block is cut
	}
	room := max - len("\n```")
	for _, sep := range []rune{'\n', ' '} {
		for i := room; i > start+len([]rune(fenceLine)); i-- {
			if r[i] == sep {
				return i, fenceLine
			}
		}
	}
	return room, fenceLine
}

// fenceStarts returns the positions of the ``` fence markers in r[:n], in order: odd
// entries open a block, even ones close it.
func fenceStarts(r []rune, n int) []int {
	if n > len(r) {
		n = len(r)
	}
	var at []int
	for i := 0; i+2 < n; i++ {
		if r[i] == '`' && r[i+1] == '`' && r[i+2] == '`' {
			at = append(at, i)
			i += 2
		}
	}
	return at
}
