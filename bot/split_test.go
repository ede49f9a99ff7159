package bot

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitMessage(t *testing.T) {
	t.Parallel()
	para := strings.Repeat("word ", 9) + "end." // 49 characters
	code := "```go\n" + strings.Repeat("x := 1\n", 10) + "```"
	for _, tt := range []struct {
		name string
		in   string
		max  int
		want []string
	}{
		{"short stays whole", "hello", 2000, []string{"hello"}},
		{"empty gives nothing", "  \n ", 2000, nil},
		{"2001 runes make two messages", strings.Repeat("é", 2001), 2000, []string{strings.Repeat("é", 2000), "é"}},
		{"paragraph boundary first", para + "\n\n" + para + "\n\n" + para, 110, []string{para + "\n\n" + para, para}},
		{"line boundary next", para + "\n" + para + "\n" + para, 110, []string{para + "\n" + para, para}},
		{"sentence boundary", "One two three. Four five six. Seven eight.", 32, []string{"One two three. Four five six.", "Seven eight."}},
		{"word boundary", "aaaa bbbb cccc dddd", 12, []string{"aaaa bbbb", "cccc dddd"}},
		{"code block moves whole", para + "\n\n" + code, 100, []string{para, code}},
		{"no cut inside code even at a line", "intro line\n" + code + "\nafter", 85, []string{"intro line", code + "\nafter"}},
		{
			"code longer than a message is closed and reopened",
			"```go\n" + strings.Repeat("x := 1\n", 8) + "```", 40,
			[]string{"```go\nx := 1\nx := 1\nx := 1\nx := 1\n```", "```go\nx := 1\nx := 1\nx := 1\nx := 1\n```"},
		},
		{
			"code without line breaks is cut at a space",
			"```abcdefghij abcdefghij abcdefghij abcdefghij", 30,
			[]string{"```abcdefghij abcdefghij\n```", "```\nabcdefghij abcdefghij"},
		},
		{
			"fences without line breaks (found by fuzzing)",
			"```0000```0000```000000000000`0`0``00``000000", 30,
			[]string{"```0000```0000", "```000000000000`0`0``00``0\n```", "```\n00000"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := splitMessage(tt.in, tt.max)
			if !slices.Equal(got, tt.want) {
				t.Errorf("splitMessage(%q, %d) =\n%q\nwant\n%q", tt.in, tt.max, got, tt.want)
			}
			for _, p := range got {
				if n := utf8.RuneCountInString(p); n > tt.max {
					t.Errorf("part of %d runes > %d: %q", n, tt.max, p)
				}
				if strings.Count(tt.in, "```")%2 == 0 && strings.Count(p, "```")%2 != 0 {
					t.Errorf("part leaves a code block open: %q", p)
				}
			}
		})
	}
}

func FuzzSplitMessage(f *testing.F) {
	f.Add("a. b\n\nc ```x\ny``` z", 10)
	f.Add(strings.Repeat("```\nab\n", 9), 12)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 40 || max > 300 || !utf8.ValidString(s) {
			t.Skip()
		}
		for _, p := range splitMessage(s, max) {
			if n := utf8.RuneCountInString(p); n > max {
				t.Fatalf("part of %d runes > %d: %q", n, max, p)
			}
			if strings.TrimSpace(p) == "" {
				t.Fatalf("empty part from %q", s)
			}
		}
	})
}
