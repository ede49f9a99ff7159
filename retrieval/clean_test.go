package retrieval

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/falaj-bot/falaj/internal/falajtest"
	"github.com/falaj-bot/falaj/lexical"
)

// sampleDocs loads testdata/documents: a hard-wrapped plain-text FAQ and a Markdown
// guide, neither with front matter.
func sampleDocs(t *testing.T) map[string]document {
	t.Helper()
	docs, skipped, err := loadCorpus(os.DirFS("testdata/documents"))
	if err != nil || len(skipped) > 0 {
		t.Fatalf("loadCorpus: %v, skipped %q", err, skipped)
	}
	out := map[string]document{}
	for _, d := range docs {
		out[d.ID] = d
	}
	return out
}

// passageSentences returns the passages of d and all their sentences (lexical.Sentences).
func passageSentences(d document) (texts, sents []string) {
	for _, c := range chunkDocument(d, DefaultChunkSize) {
		texts = append(texts, c.passage.Text)
		sents = append(sents, lexical.Sentences(c.passage.Text)...)
	}
	return texts, sents
}

func TestHardWrappedTextIsRejoined(t *testing.T) {
	d := sampleDocs(t)["aflaj-questions"]
	if d.Title != "Questions and Answers on the Aflaj of Oman" || d.Author != "" {
		t.Errorf("title, author = %q, %q; want the first line, no author", d.Title, d.Author)
	}
	texts, sents := passageSentences(d)
	for _, want := range []string{
		// sentences that spanned two or three lines are whole
		"Many aflaj run for kilometres under the desert before they reach the palm gardens, and some of them are more than a thousand years old.",
		"Each share of the water is measured in time, not in volume, and the shares are traded at a weekly auction in the village square.",
		"Some villages still use a sun-dial made of a stick and a row of stones; others now use a well-kept clock in the mosque.",
		"The UNESCO listing is at https://whc.unesco.org/en/list/1207 (https://whc.unesco.org/en/list/1207) and describes five aflaj in detail.",
		// headings, list items, aligned rows and prompts stay lines of their own
		"1.2. Who decides how the water is shared?",
		"Al-Marshudi, A. S. (2001).",
		"Wilkinson, J. C. (1977).",
		"athar            30 minutes      one garden plot",
		"$ falaj-registry list --village Nizwa",
		"Dating of the oldest channels is disputed.",
	} {
		if !slices.Contains(sents, want) {
			t.Errorf("no sentence %q in the passages:\n%s", want, strings.Join(texts, "\n---\n"))
		}
	}
	all := strings.Join(texts, "\n")
	for _, bad := range []string{"[1]", "[2]", "[3]", "^[", "-----"} {
		if strings.Contains(all, bad) {
			t.Errorf("passages contain %q:\n%s", bad, all)
		}
	}
}

func TestWrappedLinesStartingWithNumbersContinue(t *testing.T) {
	body := "The economy of the region grew by\n3.5 percent last year, and exports rose to\n12. that is the figure.\n\n2. Getting there\n2.1. By sea\n2.2.\u00a0By air"
	var got []string
	for _, u := range cleanUnits(document{ID: "x", Title: "T", Body: body}) {
		got = append(got, u.text)
	}
	want := []string{"The economy of the region grew by 3.5 percent last year, and exports rose to 12. that is the figure.", "2. Getting there", "2.1. By sea", "2.2.\u00a0By air"}
	if !slices.Equal(got, want) {
		t.Errorf("units = %q; want %q", got, want)
	}
}

func TestJoiner(t *testing.T) {
	for _, tt := range []struct{ prev, next, want string }{
		{"see https://www.gnu.org", "/software/hurd for more", ""},
		{"the list at https://whc.unesco.org/en/list/", "1207 and", ""},
		{"about Debian GNU", "/Hurd.", ""},
		{"mirror sites (https:", "//www.debian.org/distrib) .", ""},
		{"limits set in", "/etc/security/limits.conf", " "},
		{"the end.", "/etc is next", " "},
		{"a well-", "kept clock", ""},
		{"a word -", "dash", " "},
		{"plain", "words", " "},
	} {
		if got := joiner(tt.prev, tt.next); got != tt.want {
			t.Errorf("joiner(%q, %q) = %q; want %q", tt.prev, tt.next, got, tt.want)
		}
	}
}

func TestUnwrappedTextKeepsOneParagraphPerLine(t *testing.T) {
	long := strings.Repeat("Oman hosted the talks in Muscat again this year. ", 3)
	d := document{ID: "x", Title: "T", Body: long + "\nA Heading\n" + long + "\nand a line that continues it.\n" + long}
	var units []string
	for _, u := range cleanUnits(d) {
		units = append(units, u.text)
	}
	want := []string{strings.TrimSpace(long), "A Heading", strings.TrimSpace(long) + " and a line that continues it.", strings.TrimSpace(long)}
	if !slices.Equal(units, want) {
		t.Errorf("units = %q; want %q", units, want)
	}
}

func TestMarkdownIsQuotedAsText(t *testing.T) {
	d := sampleDocs(t)["reading-the-muscat-talks"]
	if d.Title != "Reading the Muscat Talks" || d.Author != "" || !d.Markdown {
		t.Errorf("title, author, markdown = %q, %q, %v; want the first heading without marks, no author, Markdown", d.Title, d.Author, d.Markdown)
	}
	texts, sents := passageSentences(d)
	all := strings.Join(texts, "\n")
	for _, want := range []string{
		"A short guide to the indirect talks that Oman hosts, with links to the State Department and to the Diplo blog.",
		"The talks are indirect: Omani diplomats carry messages between rooms, and no delegation meets the other.",
		"Oman is the room next door, not the table.",
		"Iran sends its deputy foreign minister, usually with a team of technical experts on sanctions.",
		"Year | Talks | Host",
		"2013 | Nuclear back-channel | Muscat",
		"Who takes part",
		"See https://example.org/transcripts for the rest.",
		// code blocks: one sentence each, fenced, indentation kept
		"```python\ndef fetch(year):\n    for part in parts(year):\n        save(part)   # one file per session\n```",
		"```\ntranscript --year 2013\n    --format plain\n```",
	} {
		if !slices.Contains(sents, want) {
			t.Errorf("no sentence %q in the passages:\n%s", want, all)
		}
	}
	prose := regexp.MustCompile("(?s)```.*?```").ReplaceAllString(all, "")
	for _, bad := range []string{"**", "__", "`", "](", "][", "![", "<!--", "<http", "\n#", "\n- ", "\n> ", "|---", "Build Status", "docsBadge", "hormuz.png", "diplomacy.edu"} {
		if strings.Contains("\n"+prose, bad) {
			t.Errorf("prose of the passages contains %q:\n%s", bad, prose)
		}
	}
}

func TestFootnoteMarkersAreRemoved(t *testing.T) {
	// The example of issue 10: the source's own markers must not reach an answer, where
	// they would read as citations of passages 12, 13 and 14.
	body := "Oman mediated between the US and Iran in 2011.[12] The channel was used again in 2013.[13][14]" +
		" It has never leaked.[citation needed] Its record [sic] is long [3–5], see note [note 7].\n\n" +
		"```\nx = shares[1] + shares[2]\n```"
	for _, name := range []string{"a.txt", "a.md"} {
		t.Run(name, func(t *testing.T) {
			docs, _, err := loadCorpus(fstest.MapFS{name: {Data: []byte(body)}})
			if err != nil || len(docs) != 1 {
				t.Fatalf("loadCorpus: %v, %d documents", err, len(docs))
			}
			texts, _ := passageSentences(docs[0])
			got := strings.Join(texts, "\n\n")
			want := "Oman mediated between the US and Iran in 2011. The channel was used again in 2013." +
				" It has never leaked. Its record [sic] is long, see note.\n\n" +
				"```\nx = shares[1] + shares[2]\n```"
			if got != want {
				t.Errorf("passages =\n%q\nwant\n%q", got, want)
			}
		})
	}
}

func TestNeutraliseMarkers(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"in 2011.[12] Then", "in 2011. Then"},
		{"in 2013.[13][14]", "in 2013."},
		{"true [1, 2; 4] and [2-3]", "true and"},
		{"labels per number [source 1, source 2] [Passage 2; passage 3–4]", "labels per number"},
		{"see ^[4]", "see"},
		{"labelled [note 3], [Passage 2], [source 1]", "labelled,,"},
		{"tags[citation needed] [who?] [when?] [dubious – discuss]", "tags"},
		{"kept: [sic], [the talks], [a], x[i], [2011 talks]", "kept: [sic], [the talks], [a], x[i], [2011 talks]"},
	} {
		if got := neutraliseMarkers(tt.in); got != tt.want {
			t.Errorf("neutraliseMarkers(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestMarkdownInline(t *testing.T) {
	refs := map[string]bool{"diplo": true, "1": true}
	for _, tt := range []struct{ name, in, want string }{
		{"strong and emphasis", "**Oman** is *quiet* and __trusted__, _really_", "Oman is quiet and trusted, really"},
		{"marks inside words stay", "snake_case_name and 2*3*4", "snake_case_name and 2*3*4"},
		{"inline link", `the [State Department](https://state.gov "US") said`, "the State Department said"},
		{"link with parentheses in the address", "[Oman](https://en.wikipedia.org/wiki/Oman_(country)) hosts", "Oman hosts"},
		{"reference and shortcut links", "[the blog][diplo] and [diplo] and [Diplo][]", "the blog and diplo and Diplo"},
		{"numbered reference is a marker", "as reported[1].", "as reported."},
		{"undefined shortcut stays", "[not a link] here", "[not a link] here"},
		{"image becomes its alt text", "see ![Map of Oman](map.png) here", "see Map of Oman here"},
		{"code span verbatim", "run `make **all**` and `a | b`", "run make **all** and a | b"},
		{"code span in a link", "[`lib/README.md`](lib/README.md#x)", "lib/README.md"},
		{"longer fences around backticks", "use `` a`b `` and ```x``` but `open", "use a`b and x but `open"},
		{"escapes", `a \*star\* and \[brackets\]`, "a *star* and [brackets]"},
		{"html", `<b>bold</b> &amp; <img src="x.png" alt="logo"> <br/>`, "bold & logo"},
		{"line break tag leaves a space", "one<br>two</p><p>three", "one two three"},
		{"autolink", "mail <info@example.org> or <https://example.org/a>", "mail info@example.org or https://example.org/a"},
		{"strike and footnote reference", "~~old~~ new[^1]", "old new"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := mdInline(tt.in, refs); got != tt.want {
				t.Errorf("mdInline(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMarkdownBlocks(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       []string
	}{
		{"soft breaks join", "One line\nand the next.\nA third.", []string{"One line and the next. A third."}},
		{"link and code span over a line break", "See [the Diplo\nblog](https://x.org) and `systemctl\n--root` here.", []string{"See the Diplo blog and systemctl --root here."}},
		{"hard break", "Line one  \nLine two", []string{"Line one", "Line two"}},
		{"setext heading", "Intro\n-----\nText here.", []string{"Intro", "Text here."}},
		{"list items and continuations", "* first item\n  continues\n* second\n1. third", []string{"• first item continues", "• second", "1. third"}},
		{"badges and rules dropped", "[![CI](b.svg)](ci)\n\n***\n\nText.", []string{"Text."}},
		{"table without outer pipes", "a | b\n--|--\n1 | 2", []string{"a | b", "1 | 2"}},
		{"indented code in a list is a continuation", "- item\n\n    more of the item", []string{"• item", "more of the item"}},
		{"indented code after a paragraph", "Run:\n\n    make\n      install\n\nDone.", []string{"Run:", "```\nmake\n  install\n```", "Done."}},
		{"unclosed fence runs to the end", "Text.\n\n~~~sh\nls\n", []string{"Text.", "```sh\nls\n```"}},
		{"fence in a list item", "1. Build it:\n\n    ```sh\n    make\n      all\n    ```\n2. Done.", []string{"1. Build it:", "```sh\nmake\n  all\n```", "2. Done."}},
		{"html comment dropped", "<!-- a\nb -->\nText.", []string{"Text."}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, u := range cleanUnits(document{ID: "x", Title: "Title", Body: tt.body, Markdown: true}) {
				got = append(got, u.text)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("units of %q = %q; want %q", tt.body, got, tt.want)
			}
		})
	}
}

func TestChunkKeepsCodeBlocksWhole(t *testing.T) {
	var lines []string
	for i := range 60 {
		lines = append(lines, "    step("+strings.Repeat("x", i%7)+")")
	}
	body := "Intro to the script.\n\n```go\nfunc run() {\n" + strings.Join(lines, "\n") + "\n}\n```\n\nAfter the script."
	cs := chunkDocument(document{ID: "d", Title: "T", Body: body, Markdown: true}, 300)
	var code []string
	for _, c := range cs {
		for _, s := range lexical.Sentences(c.passage.Text) {
			if strings.HasPrefix(s, "```") {
				if !strings.HasPrefix(s, "```go\n") || !strings.HasSuffix(s, "\n```") {
					t.Errorf("code piece %q is not fenced as go", s)
				}
				code = append(code, strings.TrimSuffix(strings.TrimPrefix(s, "```go\n"), "\n```"))
			}
		}
		if len([]rune(c.passage.Text)) > 300 {
			t.Errorf("passage %s has %d runes; want at most 300", c.passage.ID, len([]rune(c.passage.Text)))
		}
	}
	if got, want := strings.Join(code, "\n"), "func run() {\n"+strings.Join(lines, "\n")+"\n}"; got != want {
		t.Errorf("code pieces join to\n%s\nwant the code, lines whole and in order:\n%s", got, want)
	}
	if len(code) < 2 {
		t.Errorf("%d code pieces; want the long block split", len(code))
	}
}

// citeMarker is the marker pattern of falaj.CheckCitations (cite.go, markerRE), copied:
// whatever it would read as a citation must not survive ingest.
var citeMarker = regexp.MustCompile(`(?i)\[\s*(?:(?:passages?|sources?)\s*)?\d+(?:\s*[-–]\s*\d+)?(?:\s*[,;]\s*(?:(?:passages?|sources?)\s*)?\d+(?:\s*[-–]\s*\d+)?)*\s*\]`)

func TestNoCitationMarkerSurvivesIngest(t *testing.T) {
	for _, in := range []string{
		"a[1]b", "x [ 12 ] y", "[1-3]", "[1–3]", "[Passage 2]", "[source 1, 2]", "[sources 1; passage 2]",
		"[1][2][3]", "end.[4] Next", "[1, 2-4; 7]", "[PASSAGE 9]",
	} {
		if got := neutraliseMarkers(in); citeMarker.MatchString(got) {
			t.Errorf("neutraliseMarkers(%q) = %q; still holds a citation marker", in, got)
		}
	}
}

// TestSampleDocumentPassages renders the passages of testdata/documents, with each
// document's title and byline and each passage's sentences, so that a change in how real
// documents are read shows in the diff of testdata/TestSampleDocumentPassages.golden.
func TestSampleDocumentPassages(t *testing.T) {
	docs := sampleDocs(t)
	var b strings.Builder
	for _, id := range slices.Sorted(mapKeys(docs)) {
		d := docs[id]
		fmt.Fprintf(&b, "# %s\ntitle: %q\nauthor: %q\n", id, d.Title, d.Author)
		for _, c := range chunkDocument(d, DefaultChunkSize) {
			fmt.Fprintf(&b, "\n## %s\n", c.passage.ID)
			for _, s := range lexical.Sentences(c.passage.Text) {
				fmt.Fprintf(&b, "- %s\n", strings.ReplaceAll(s, "\n", "\n  "))
			}
		}
		b.WriteString("\n")
	}
	falajtest.Golden(t, []byte(b.String()))
}

// FuzzCleanUnits: any text, read as plain text or Markdown, gives non-empty units of
// valid UTF-8 without a panic. `go test` runs the seeds; `go test -fuzz CleanUnits`
// explores.
func FuzzCleanUnits(f *testing.F) {
	for _, s := range []string{
		"", "#", "```", "```\n", "~~~~\n```\n~~~", "| a |\n|---|", "|", "---\n---", "* \n-\n+", "    \n\tcode",
		"[a][b][c]", "![", "<!--", "<!-- x", "`a``b```c", "\\", "a\\\nb", "1.\n1.2.\n1.2.3 X", "[^1]: note",
		"[12][13]^[4][citation needed]", "text\n===\nmore\n---", "\u00a0\u00a0 nbsp", "\xff\xfe",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, body string, markdown bool) {
		for _, u := range cleanUnits(document{ID: "x", Title: "T", Author: "A", Body: body, Markdown: markdown}) {
			if strings.TrimSpace(u.text) == "" {
				t.Errorf("empty unit from %q", body)
			}
			if utf8Valid := strings.ToValidUTF8(u.text, "\uFFFD") == u.text; !utf8Valid && strings.ToValidUTF8(body, "\uFFFD") == body {
				t.Errorf("unit %q from valid %q is not valid UTF-8", u.text, body)
			}
		}
	})
}

// BenchmarkCleanUnits reads 1 MiB documents: the sample Markdown guide and plain-text
// FAQ repeated, one hard-wrapped paragraph of 1 MiB, and hostile lines (a million "[",
// "[a](" repeated); time is linear in the size.
func BenchmarkCleanUnits(b *testing.B) {
	const size = 1 << 20
	repeat := func(s string) string { return strings.Repeat(s, size/len(s)+1)[:size] }
	read := func(name string) string {
		data, err := os.ReadFile("testdata/documents/" + name)
		if err != nil {
			b.Fatal(err)
		}
		return string(data) + "\n\n"
	}
	for _, bc := range []struct {
		name     string
		body     string
		markdown bool
	}{
		{"markdown-guide", repeat(read("reading-the-muscat-talks.md")), true},
		{"wrapped-faq", repeat(read("aflaj-questions.txt")), false},
		{"one-wrapped-paragraph", repeat("This is a line of hard-wrapped text that goes on and on\n"), false},
		{"brackets", strings.Repeat("[", size), true},
		{"unclosed-links", repeat("[a]("), true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			d := document{ID: "x", Title: "T", Body: bc.body, Markdown: bc.markdown}
			b.SetBytes(int64(len(bc.body)))
			b.ReportAllocs()
			for b.Loop() {
				cleanUnits(d)
			}
		})
	}
}
