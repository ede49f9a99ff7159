package falaj

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func citePassages(n int) []Passage {
	ps := make([]Passage, n)
	for i := range ps {
		ps[i] = Passage{ID: fmt.Sprintf("doc#%d", i+1), Doc: "doc", Ordinal: i + 1, Text: fmt.Sprintf("passage %d", i+1)}
	}
	return ps
}

func TestCheckCitations(t *testing.T) {
	for _, tt := range []struct {
		name     string
		in       string
		n        int // passages given
		want     string
		wantIDs  []int // ordinals of the cited passages, in citation order
		answered bool
	}{
		{"valid markers kept", "Oman hosted the talks [1]. Iran agreed [2].", 3,
			"Oman hosted the talks [1]. Iran agreed [2].", []int{1, 2}, true},
		{"renumbered by first appearance", "A [3]. B [1]. C [3].", 3,
			"A [1]. B [2]. C [1].", []int{3, 1}, true},
		{"phantom stripped with its space", "Oman mediated [7]. It hosted talks [2].", 3,
			"Oman mediated. It hosted talks [1].", []int{2}, true},
		{"phantom zero stripped", "Oman mediated [0] in 2013 [1].", 3,
			"Oman mediated in 2013 [1].", []int{1}, true},
		{"group split and deduplicated", "Talks were held [2, 1, 2].", 3,
			"Talks were held [1][2].", []int{2, 1}, true},
		{"semicolons and labels", "Talks [Passage 3; source 1].", 3,
			"Talks [1][2].", []int{3, 1}, true},
		{"adjacent markers", "Talks [2][3].", 3, "Talks [1][2].", []int{2, 3}, true},
		{"range expanded", "Talks [1-3].", 3, "Talks [1][2][3].", []int{1, 2, 3}, true},
		{"en dash range", "Talks [2–3].", 3, "Talks [1][2].", []int{2, 3}, true},
		{"range past the end keeps valid part", "Talks [2-5].", 3, "Talks [1][2].", []int{2, 3}, true},
		{"reversed range names its ends", "Talks [3-1].", 3, "Talks [1][2].", []int{3, 1}, true},
		{"mixed group drops phantom", "Talks [1, 9].", 3, "Talks [1].", []int{1}, true},
		{"huge number is a phantom", "Talks [99999999999999999999] and more [1].", 3,
			"Talks and more [1].", []int{1}, true},
		{"other brackets left alone", "The [sic] quote [1.5] holds [1].", 2,
			"The [sic] quote [1.5] holds [1].", []int{1}, true},
		{"only phantoms declines", "Oman mediated [7]. Iran agreed [8].", 3,
			"Oman mediated. Iran agreed.", nil, false},
		{"no citation declines", "Oman is a mediator in the region.", 3,
			"Oman is a mediator in the region.", nil, false},
		{"no passages declines", "Oman mediated [1].", 0, "Oman mediated.", nil, false},
		{"sentinel declines", "NOT_IN_SOURCES", 3, "", nil, false},
		{"sentinel line after a cited sentence is dropped", "Oman [1].\nNOT_IN_SOURCES", 3, "Oman [1].", []int{1}, true},
		{"partial sentinel sentence dropped", "Oman is trusted for discretion [2]. Its exact motives are NOT_IN_SOURCES.", 3,
			"Oman is trusted for discretion [1].", []int{2}, true},
		{"lower-case sentinel", "`not_in_sources`", 3, "", nil, false},
		{"sentinel first, cited after", "NOT_IN_SOURCES for the date. Talks were held in Muscat [3].", 3,
			"Talks were held in Muscat [1].", []int{3}, true},
		{"cited 'no details' is an answer", "No details of the talks were disclosed [2], but both sides called them constructive [1].", 3,
			"No details of the talks were disclosed [1], but both sides called them constructive [2].", []int{2, 1}, true},
		{"uncited 'no information' declines", "No information is given about this.", 3,
			"No information is given about this.", nil, false},
		{"uncited lead-in before a cited sentence", "Here is what the sources say.\nOman hosted the talks [1].", 3,
			"Here is what the sources say.\nOman hosted the talks [1].", []int{1}, true},
		{"preamble and courtesy dropped", "Sure! Based on the passages, here is the answer:\n\nOman hosted the talks [1].", 3,
			"Oman hosted the talks [1].", []int{1}, true},
		{"'documents did not' in a cited fact is an answer", "Officials said the documents did not include a timeline [2].", 3,
			"Officials said the documents did not include a timeline [1].", []int{2}, true},
		{"provided documents do not: a refusal", "The provided documents do not say who mediated [1].", 3,
			"The provided documents do not say who mediated [1].", nil, false},
		{"marker after the full stop", "Oman hosted the talks. [2] Iran agreed. [1]", 3,
			"Oman hosted the talks. [1] Iran agreed. [2]", []int{2, 1}, true},
		{"decline phrase declines despite citation", "The passages do not mention Iran's demands [1].", 3,
			"The passages do not mention Iran's demands [1].", nil, false},
		{"cannot find declines", "I cannot find this in the sources.", 3,
			"I cannot find this in the sources.", nil, false},
		{"not covered phrasing declines", "This is not covered in the provided sources [2]. Sorry.", 3,
			"This is not covered in the provided sources [1]. Sorry.", nil, false},
		{"caveat after the last marker is dropped", "Oman hosted the talks [1]. The sources do not say when.", 3,
			"Oman hosted the talks [1].", []int{1}, true},
		{"a cited caveat after the answer is kept", "Oman hosted the talks [1]. The passages do not say when [2].", 3,
			"Oman hosted the talks [1]. The passages do not say when [2].", []int{1, 2}, true},
		{"empty reply declines", "  ", 3, "", nil, false},
		{"blank lines kept, edges trimmed", "\n  Oman [1].\n\nIran [2].  \n", 2,
			"Oman [1].\n\nIran [2].", []int{1, 2}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ps := citePassages(tt.n)
			got, cited, answered := CheckCitations(tt.in, ps)
			if got != tt.want || answered != tt.answered {
				t.Errorf("CheckCitations(%q, %d passages) = %q, answered %v; want %q, answered %v",
					tt.in, tt.n, got, answered, tt.want, tt.answered)
			}
			var ids []int
			for i, c := range cited {
				if c.N != i+1 {
					t.Errorf("citation %d has N = %d; want %d", i, c.N, i+1)
				}
				ids = append(ids, c.Passage.Ordinal)
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("CheckCitations(%q) cites passages %v; want %v", tt.in, ids, tt.wantIDs)
			}
		})
	}
}

// TestCheckReplyAttribution: a marker covers the uncited sentences before it in its
// block (paragraph, list item, heading); the uncited sentences after the last marker of a
// block are dropped and counted; labels go with what follows them.
func TestCheckReplyAttribution(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     string
		dropped  int
		outcome  ReplyOutcome
	}{
		{"review finding 8", "Oman is trusted [1] and neutral [7]. It also invented the internet.",
			"Oman is trusted [1] and neutral.", 1, ReplyCited},
		{"marker covers the run before it", "Oman is discreet. It talks to all sides. Both trust it [2].",
			"Oman is discreet. It talks to all sides. Both trust it [1].", 0, ReplyCited},
		{"closing courtesy dropped", "Oman hosted the talks [1]. I hope this helps! Let me know if you have questions.",
			"Oman hosted the talks [1].", 2, ReplyCited},
		{"paragraph with no marker dropped", "Oman hosted the talks [1].\n\nIt also invented the internet. Everyone agrees.\n\nIran agreed [2].",
			"Oman hosted the talks [1].\n\nIran agreed [2].", 2, ReplyCited},
		{"a marker does not cover an earlier paragraph", "It invented the internet.\n\nOman hosted the talks [3].",
			"Oman hosted the talks [1].", 1, ReplyCited},
		{"a line break is not a paragraph end", "Oman is discreet\nand trusted [1].",
			"Oman is discreet\nand trusted [1].", 0, ReplyCited},
		{"list items each need a marker",
			"Oman has several roles [1]. They include:\n- host of talks [2]\n- inventor of the internet\n- messenger [3]",
			"Oman has several roles [1]. They include:\n- host of talks [2]\n- messenger [3]", 1, ReplyCited},
		{"a marker does not cover the item before", "- Oman invented the internet.\n- Oman hosted the talks [1].",
			"- Oman hosted the talks [1].", 1, ReplyCited},
		{"numbered item dropped with its number", "1. Oman hosted the talks [1].\n2. It invented the internet.\n3. Iran agreed [2].",
			"1. Oman hosted the talks [1].\n3. Iran agreed [2].", 1, ReplyCited},
		{"heading shown with its cited section", "## Oman's role\n\nOman hosted the talks [1].",
			"## Oman's role\n\nOman hosted the talks [1].", 0, ReplyCited},
		{"bold heading shown with its cited section", "**Mediation**\nOman hosted the talks [1].",
			"**Mediation**\nOman hosted the talks [1].", 0, ReplyCited},
		{"heading dropped with its uncited section", "Oman hosted the talks [1].\n\n## Other facts\n\nIt invented the internet.",
			"Oman hosted the talks [1].", 1, ReplyCited},
		{"heading of a dropped section, then a cited one", "Oman hosted the talks [1].\n\n## Trivia\nIt invented the internet.\n\n## Iran\nIran agreed [2].",
			"Oman hosted the talks [1].\n\n## Iran\nIran agreed [2].", 1, ReplyCited},
		{"a sentence in bold is no heading", "**Oman invented the internet.**\n\nOman hosted the talks [1].",
			"Oman hosted the talks [1].", 1, ReplyCited},
		{"numbered heading", "## 1. Role\nOman hosted the talks [1].",
			"## 1. Role\nOman hosted the talks [1].", 0, ReplyCited},
		{"a dropped sentence takes no number", "The passages do not mention the date [3].\n\nOman hosted the talks [1].",
			"Oman hosted the talks [1].", 1, ReplyCited},
		{"a marker on a line of its own covers the paragraph", "Oman is trusted.\n[2]",
			"Oman is trusted.\n[1]", 0, ReplyCited},
		{"a list of sources covers no paragraph", "Oman is trusted because it is neutral.\n\nSources: [1], [2]",
			"Oman is trusted because it is neutral.\n\nSources: [1], [2]", 0, ReplyUncited},
		{"a list of sources after a cited answer", "Oman is trusted [2]. It is neutral.\n\nReferences: [1][2]",
			"Oman is trusted [1].", 1, ReplyCited},
		{"label at the end dropped", "Oman hosted the talks [1]. Other facts:",
			"Oman hosted the talks [1].", 0, ReplyCited},
		{"quote with full stops", `The minister said "We listen. We talk." and left [1]. He smiled.`,
			`The minister said "We listen. We talk." and left [1].`, 1, ReplyCited},
		{"markers after the full stop cover the run", "Oman is discreet. It is trusted. [2] It invented the internet.",
			"Oman is discreet. It is trusted. [1]", 1, ReplyCited},
		{"Arabic", "عُمان وسيط موثوق [1]. لماذا؟ لأنها محايدة [2]. وقد اخترعت الإنترنت.",
			"عُمان وسيط موثوق [1]. لماذا؟ لأنها محايدة [2].", 1, ReplyCited},
		{"Arabic numbered list", "١. استضافت عُمان المحادثات [1].\n٢. اخترعت الإنترنت.",
			"١. استضافت عُمان المحادثات [1].", 1, ReplyCited},
		{"sentinel and uncited sentence after it", "Oman is trusted [2]. Its motives are NOT_IN_SOURCES. It also invented the internet.",
			"Oman is trusted [1].", 1, ReplyCited},
		{"sentinel inside a covered run", "Oman is discreet. Its motives are NOT_IN_SOURCES. Both sides trust it [1].",
			"Oman is discreet. Both sides trust it [1].", 0, ReplyCited},
		{"refusal with an uncited fact is a refusal", "NOT_IN_SOURCES. It invented the internet.",
			"It invented the internet.", 0, ReplyRefused},
		{"nothing cited: uncited, for the fallback", "Oman invented the internet.\n\nIt is neutral.",
			"Oman invented the internet.\n\nIt is neutral.", 0, ReplyUncited},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := CheckReply(tt.in, citePassages(3))
			if res.Text != tt.want || res.Dropped != tt.dropped || res.Outcome != tt.outcome {
				t.Errorf("CheckReply(%q) = %q, dropped %d, outcome %v; want %q, dropped %d, outcome %v",
					tt.in, res.Text, res.Dropped, res.Outcome, tt.want, tt.dropped, tt.outcome)
			}
			for _, c := range res.Citations { // the sources list holds only what the text shows
				if !strings.Contains(res.Text, fmt.Sprintf("[%d]", c.N)) {
					t.Errorf("CheckReply(%q) lists citation %d, not in %q", tt.in, c.N, res.Text)
				}
			}
		})
	}
}

// TestCitationStreamMatchesCheck splits replies at every byte and checks that the text
// the stream passes on is exactly what CheckCitations makes of the whole.
func TestCitationStreamMatchesCheck(t *testing.T) {
	for _, reply := range []string{
		"Oman hosted the talks [3]. Iran agreed [7] and [1, 3].",
		"  Talks [Passage 2; source 1] were held [2–3].\n\nSee [9]  [1].  ",
		"A [1][2] b [12] c [1-2] d.",
		"Oman [1] mediated [2",
		"The text [sic] says [1].",
		"Oman is trusted [1] and neutral [7]. It also invented the internet.",
		"## Role\n\nOman is discreet. It is trusted [2]. I hope this helps.\n\n- a\n- b [1]\n1. c",
		"They include:\n- x [3]\n\n**Other**\ny.\n\nz [1]. w",
	} {
		ps := citePassages(3)
		want, _, _ := CheckCitations(reply, ps)
		for cut1 := range len(reply) + 1 {
			for _, cut2 := range []int{cut1, (cut1 + len(reply)) / 2} {
				var got strings.Builder
				s := NewCitationStream(ps, func(d string) {
					if d == "" {
						t.Error("stream passed on an empty delta")
					}
					got.WriteString(d)
				})
				s.Write(reply[:cut1])
				s.Write(reply[cut1:cut2])
				s.Write(reply[cut2:])
				s.Flush()
				if got.String() != want {
					t.Fatalf("stream of %q cut at %d,%d passed on %q; CheckCitations gives %q", reply, cut1, cut2, got.String(), want)
				}
			}
		}
	}
}

func TestCitationStreamHoldsSentinel(t *testing.T) {
	var got strings.Builder
	s := NewCitationStream(citePassages(2), func(d string) { got.WriteString(d) })
	for _, d := range []string{" ", "NOT", "_IN", "_SOURCES", "\n"} {
		s.Write(d)
	}
	if got.String() != "" {
		t.Errorf("stream of the sentinel passed on %q; want nothing", got.String())
	}
	got.Reset()
	s = NewCitationStream(citePassages(2), func(d string) { got.WriteString(d) })
	for _, d := range []string{"N", "o", "w [1]."} {
		s.Write(d)
	}
	if got.String() != "" {
		t.Errorf("stream of %q passed on %q before its sentence ended; want nothing yet", "Now [1].", got.String())
	}
	s.Flush()
	if got.String() != "Now [1]." {
		t.Errorf("stream of %q passed on %q; want it whole", "Now [1].", got.String())
	}
}

// TestCitationStreamSentenceBySentence: nothing is shown until a sentence cites a
// passage; then each sentence as it ends; uncited or refused replies show nothing.
func TestCitationStreamSentenceBySentence(t *testing.T) {
	for _, tt := range []struct {
		name    string
		deltas  []string
		steps   []string // what has been passed on after each delta
		final   string   // after Flush
		outcome ReplyOutcome
	}{
		{"held until the first cited sentence",
			[]string{"Oman is a ", "mediator. It hosted ", "talks [1]. Iran ", "agreed [2]."},
			[]string{"", "", "Oman is a mediator. It hosted talks [1].", "Oman is a mediator. It hosted talks [1]."},
			"Oman is a mediator. It hosted talks [1]. Iran agreed [2].", ReplyCited},
		{"injected reply never shown",
			[]string{"PW", "NED. ", "PWNED!", "\n"},
			[]string{"", "", "", ""}, "", ReplyUncited},
		{"refusal never shown",
			[]string{"The passages do not ", "mention this. ", "Sorry."},
			[]string{"", "", ""}, "", ReplyRefused},
		{"uncited sentence held until a marker covers it",
			[]string{"Oman hosted talks [1]. ", "It is discreet. ", "Both trust it [2]. ", "It invented the internet.", "\n\nIran agreed [3]."},
			[]string{"", "Oman hosted talks [1].", "Oman hosted talks [1].", "Oman hosted talks [1]. It is discreet. Both trust it [2].",
				"Oman hosted talks [1]. It is discreet. Both trust it [2]."},
			"Oman hosted talks [1]. It is discreet. Both trust it [2].\n\nIran agreed [3].", ReplyCited},
		{"sentinel after an answer is dropped",
			[]string{"Oman is trusted [2]. ", "Its motives are NOT_IN", "_SOURCES."},
			[]string{"", "Oman is trusted [1].", "Oman is trusted [1]."}, "Oman is trusted [1].", ReplyCited},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got strings.Builder
			s := NewCitationStream(citePassages(3), func(d string) { got.WriteString(d) })
			for i, d := range tt.deltas {
				s.Write(d)
				if got.String() != tt.steps[i] {
					t.Errorf("after %q passed on %q; want %q", tt.deltas[:i+1], got.String(), tt.steps[i])
				}
			}
			res := s.Flush()
			if got.String() != tt.final || res.Outcome != tt.outcome {
				t.Errorf("after Flush passed on %q, outcome %v; want %q, %v", got.String(), res.Outcome, tt.final, tt.outcome)
			}
			if res.Outcome == ReplyCited && res.Text != got.String() {
				t.Errorf("result text %q differs from the streamed %q", res.Text, got.String())
			}
		})
	}
}

// TestCitationStreamNeverEmitsUncited streams replies in one-word pieces and checks that
// the uncited sentence never reaches onText, and that what was passed on at every step
// is a prefix of the final text.
func TestCitationStreamNeverEmitsUncited(t *testing.T) {
	for _, reply := range []string{
		"Oman is trusted [1] and neutral [7]. It also invented the internet.",
		"Oman is trusted [1]. It also invented the internet.\n\nIran agreed [2].",
		"- Oman is trusted [1]\n- It also invented the internet\n- Iran agreed [2]",
		"Oman is trusted [1]. It also invented the internet. [7]",
	} {
		var got strings.Builder
		s := NewCitationStream(citePassages(3), func(d string) { got.WriteString(d) })
		var prefixes []string
		for _, w := range strings.SplitAfter(reply, " ") {
			s.Write(w)
			prefixes = append(prefixes, got.String())
		}
		res := s.Flush()
		if strings.Contains(got.String(), "internet") || res.Dropped != 1 || res.Text != got.String() {
			t.Errorf("stream of %q passed on %q, dropped %d, Text %q; want the uncited sentence dropped", reply, got.String(), res.Dropped, res.Text)
		}
		for _, p := range prefixes {
			if !strings.HasPrefix(res.Text, p) {
				t.Errorf("stream of %q passed on %q, not a prefix of the final %q", reply, p, res.Text)
			}
		}
	}
}

// TestCitationStreamHoldLinear: 64 KB of uncited sentences in one paragraph, in one-word
// pieces, covered by a marker at its end, are held and then passed on once; the same
// with no marker are dropped whole. Holding must not rescan what is held (it would take
// seconds; this takes milliseconds).
func TestCitationStreamHoldLinear(t *testing.T) {
	for _, end := range []string{"Both trust it [1].", "\n\nBoth trust it [1]."} {
		var got strings.Builder
		emits := 0
		s := NewCitationStream(citePassages(1), func(d string) { got.WriteString(d); emits++ })
		s.Write("Oman hosted the talks [1]. ")
		n := 0
		for n < MaxReplyBytes-1000 {
			for _, w := range []string{"Oman ", "is ", "discreet. "} {
				s.Write(w)
				n += len(w)
			}
		}
		s.Write(end)
		res := s.Flush()
		covered := !strings.HasPrefix(end, "\n")
		switch {
		case res.Outcome != ReplyCited || res.Text != got.String():
			t.Errorf("outcome %v, Text of %d bytes, streamed %d; want an answer, streamed whole", res.Outcome, len(res.Text), got.Len())
		case covered && (res.Dropped != 0 || len(res.Text) < n):
			t.Errorf("covered run: dropped %d, Text of %d bytes; want the %d held bytes kept", res.Dropped, len(res.Text), n)
		case !covered && (res.Dropped != n/len("Oman is discreet. ") || strings.Contains(res.Text, "discreet")):
			t.Errorf("uncovered run: dropped %d, Text %.80q; want %d sentences dropped", res.Dropped, res.Text, n/len("Oman is discreet. "))
		}
	}
}

// TestCitationStreamCap: a reply past MaxReplyBytes is cut after its last complete
// sentence, and the rest is not read.
func TestCitationStreamCap(t *testing.T) {
	sentence := "Oman hosted the talks [1]. "
	var got strings.Builder
	s := NewCitationStream(citePassages(1), func(d string) { got.WriteString(d) })
	written := 0
	for written < 2*MaxReplyBytes {
		s.Write(sentence)
		written += len(sentence)
	}
	res := s.Flush()
	if !res.Cut || res.Outcome != ReplyCited {
		t.Fatalf("Cut %v, outcome %v; want a cut answer", res.Cut, res.Outcome)
	}
	if len(res.Text) > MaxReplyBytes || !strings.HasSuffix(res.Text, "[1].") || res.Text != got.String() {
		t.Errorf("text of %d bytes ending %q (streamed %d bytes); want at most %d ending with a whole sentence",
			len(res.Text), res.Text[max(0, len(res.Text)-20):], got.Len(), MaxReplyBytes)
	}
}

// BenchmarkCitationStream streams a 64 KB reply in one-word pieces (issue 10: it took
// seconds when each piece reprocessed the whole reply).
func BenchmarkCitationStream(b *testing.B) {
	words := strings.Fields("Oman hosted indirect talks between Iran and the United States in Muscat [1], and its diplomats carried messages between the delegations [2]. Analysts call this quiet diplomacy [1][3].")
	var pieces []string
	n := 0
	for i := 0; n+len(words[i%len(words)])+1 <= MaxReplyBytes; i++ {
		w := words[i%len(words)] + " "
		pieces = append(pieces, w)
		n += len(w)
	}
	ps := citePassages(3)
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		s := NewCitationStream(ps, func(string) {})
		for _, p := range pieces {
			s.Write(p)
		}
		if res := s.Flush(); res.Outcome != ReplyCited || res.Cut {
			b.Fatalf("outcome %v, cut %v", res.Outcome, res.Cut)
		}
	}
}

func TestCitationStreamNilSink(t *testing.T) {
	s := NewCitationStream(citePassages(1), nil)
	s.Write("Oman [1].") // must not panic
	s.Flush()
}
