package llm

import (
	"strings"
	"testing"

	"github.com/falaj-bot/falaj"
)

func TestNormalizeReply(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"plain markers unchanged", "Oman hosted the talks [1]. Iran agreed [1, 2].", "Oman hosted the talks [1]. Iran agreed [1, 2]."},
		{"think block removed", "<think>The passages do not say much. Passage 1 says…</think>\n\nOman hosted the talks [1].", "Oman hosted the talks [1]."},
		{"thinking block, any case", "<Thinking>hmm [3]</Thinking>Oman mediated [2].", "Oman mediated [2]."},
		{"unclosed think at the end", "Oman mediated [2]. <think>more thoughts", "Oman mediated [2]."},
		{"stray closing tag: template opened it", "Let me look at passage 3.\n</think>\nOman mediated [2].", "Oman mediated [2]."},
		{"lenticular brackets", "Oman hosted the talks【1】 and carried messages【2†source】.", "Oman hosted the talks[1] and carried messages[2]."},
		{"parenthesised passage", "Oman hosted the talks (Passage 2).", "Oman hosted the talks [2]."},
		{"parenthesised sources with and", "Oman mediated (Sources 1 and 3).", "Oman mediated [1, 3]."},
		{"n equals", "Oman mediated [n=3].", "Oman mediated [3]."},
		{"hash and P", "Oman mediated [#3] and hosted [P1].", "Oman mediated [3] and hosted [1]."},
		{"source label", "Oman mediated [Source 2].", "Oman mediated [2]."},
		{"footnote", "Oman mediated.[^1]", "Oman mediated.[1]"},
		{"caret", "Oman mediated^1 and hosted^2.", "Oman mediated[1] and hosted[2]."},
		{"double brackets", "Oman mediated [[2]].", "Oman mediated [2]."},
		{"bare list with and", "Oman mediated [1 and 2].", "Oman mediated [1, 2]."},
		{"other brackets left alone", "The [sic] text (in 2013) and [note] stay.", "The [sic] text (in 2013) and [note] stay."},
		{"only reasoning", "<think>I am not sure.</think>", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeReply(tt.in); got != tt.want {
				t.Errorf("NormalizeReply(%q) = %q; want %q", tt.in, got, tt.want)
			}
			// Streamed in any two pieces, the deltas add up to the same text (a stray
			// closing tag aside: what came before it may have been passed on).
			if strings.Contains(tt.in, "\n</think>") {
				return
			}
			for cut := range len(tt.in) + 1 {
				var got strings.Builder
				r := newReply(func(d string) { got.WriteString(d) })
				r.Write(tt.in[:cut])
				r.Write(tt.in[cut:])
				r.Close()
				if s := strings.TrimSpace(got.String()); s != tt.want || r.Text() != tt.want {
					t.Fatalf("split at %d: passed on %q, Text %q; want %q", cut, s, r.Text(), tt.want)
				}
				if strings.Contains(got.String(), "<think") || strings.Contains(strings.ToLower(got.String()), "thinking>") {
					t.Fatalf("split at %d: reasoning passed on: %q", cut, got.String())
				}
			}
		})
	}
}

// BenchmarkReply normalizes a 64 KB reply in one-word pieces, as a stream delivers it,
// with a reasoning block first and a citation style to map in every sentence.
func BenchmarkReply(b *testing.B) {
	words := strings.Fields("Oman hosted indirect talks between Iran and the United States in Muscat (Passage 1), and its diplomats carried messages【2】. Analysts call this quiet diplomacy [1][3].")
	pieces := []string{"<think>", "Some ", "reasoning ", "first.", "</think>\n"}
	n := 0
	for i := 0; n < falaj.MaxReplyBytes; i++ {
		w := words[i%len(words)] + " "
		pieces = append(pieces, w)
		n += len(w)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		r := newReply(func(string) {})
		for _, p := range pieces {
			r.Write(p)
		}
		r.Close()
		if r.Len() == 0 {
			b.Fatal("nothing passed on")
		}
	}
}

// TestReplyHoldAllLinear: a think-aloud model's reply is held whole until its reasoning
// ends; holding must not rescan what was held (64 KB in one-word pieces stays fast), and
// the text after a late closing tag is all that remains.
func TestReplyHoldAllLinear(t *testing.T) {
	var passed strings.Builder
	r := Config{ChatModel: "qwen3:8b"}.newModelReply(func(d string) { passed.WriteString(d) })
	n := 0
	for n < falaj.MaxReplyBytes {
		r.Write("thinking ")
		n += len("thinking ")
	}
	if passed.Len() != 0 {
		t.Fatalf("passed on %d bytes before the reasoning ended", passed.Len())
	}
	r.Write("done.</think>\nOman mediated [1].")
	r.Close()
	if got := r.Text(); got != "Oman mediated [1]." || strings.TrimSpace(passed.String()) != got {
		t.Errorf("Text %q, passed on %q; want only the answer", got, passed.String())
	}
}
