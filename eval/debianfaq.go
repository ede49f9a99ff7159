package eval

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing/fstest"
	"unicode/utf8"
)

// DebianFAQDir is where Debian's debian-faq package (pulled in by doc-debian) installs
// the Debian GNU/Linux FAQ, among others as plain text (debian-faq.en.txt.gz).
const DebianFAQDir = "/usr/share/doc/debian/FAQ"

// debianFAQFiles are the plain-text FAQ's names, tried in order.
var debianFAQFiles = []string{"debian-faq.en.txt.gz", "debian-faq.txt.gz", "debian-faq.en.txt", "debian-faq.txt"}

// ErrNoDebianFAQ is returned by DebianFAQ when the FAQ is not installed.
var ErrNoDebianFAQ = errors.New("debian faq not installed (apt-get install doc-debian debian-faq)")

// DebianFAQ derives a second-domain question set from the Debian FAQ installed in dir
// (DebianFAQDir), at run time, so the FAQ's text (GPL) is never copied into this
// repository:
//
//   - the corpus has one document per numbered section ("debian-faq-03.01.02.txt"): the
//     section's answer only, hard-wrapped lines rejoined into paragraphs, titled with its
//     chapter's name ("Debian FAQ, chapter 3: Choosing a Debian distribution"). Question
//     headings are left out, and so are the quoted headings in cross-references
//     (`Section 6.1, “How many Debian distributions are there?”` becomes `Section 6.1`):
//     both would give the answer away.
//   - every section heading with a question mark becomes an answerable case in its
//     authors' own words, id "faq-3.1.2"; expect_any is the start of the section's
//     answer, by a fixed rule (answerStart): its first 40 characters extended to the end
//     of a word, and word by word until the string occurs in no other section.
//   - DebianFAQUnanswerable adds questions on Debian-adjacent topics the FAQ does not
//     cover.
//
// A dir without the FAQ is an error wrapping ErrNoDebianFAQ.
func DebianFAQ(dir string) (Set, error) {
	text, err := readDebianFAQ(dir)
	if err != nil {
		return Set{}, err
	}
	secs := parseDebianFAQ(text)
	if len(secs) == 0 {
		return Set{}, fmt.Errorf("debian faq %s: no numbered sections found", dir)
	}
	corpus := fstest.MapFS{}
	var bodies []string
	for _, s := range secs {
		bodies = append(bodies, fold(s.body))
	}
	var cases []Case
	for i, s := range secs {
		if s.body == "" {
			continue
		}
		name := "debian-faq-" + paddedNumber(s.number) + ".txt"
		doc := fmt.Sprintf("---\ntitle: %q\noutlet: \"The Debian GNU/Linux FAQ\"\n---\n\n%s\n",
			"Debian FAQ, chapter "+s.chapter, s.body)
		corpus[name] = &fstest.MapFile{Data: []byte(doc)}
		if !strings.Contains(s.heading, "?") {
			continue
		}
		cases = append(cases, Case{
			ID:         "faq-" + s.number,
			Question:   s.heading,
			ExpectAny:  []string{answerStart(s.body, bodies, i)},
			Answerable: true,
		})
	}
	for i, q := range DebianFAQUnanswerable {
		cases = append(cases, Case{ID: fmt.Sprintf("faq-u%02d", i+1), Question: q})
	}
	return Set{Name: DebianFAQSpec, Cases: cases, Corpus: corpus, CorpusName: "the Debian FAQ in " + dir}, nil
}

// DebianFAQUnanswerable are questions about Debian and its neighbours that the Debian FAQ
// (version 11) does not answer; each was checked against the FAQ's text (the words in
// brackets occur nowhere in it, or only in passing, without an answer).
var DebianFAQUnanswerable = []string{
	"How do I create a ZFS pool on Debian?",                                 // [ZFS]
	"How can I run Debian inside a Docker container?",                       // [Docker, container]
	"How do I enroll a Machine Owner Key so Secure Boot accepts my module?", // [Secure Boot, MOK]
	"How do I install apps from Flathub with Flatpak?",                      // [Flatpak, Flathub]
	"How do I set up a firewall with nftables?",                             // [nftables, firewall]
	"How do I enable Wayland for GNOME with an NVIDIA graphics card?",       // [Wayland, NVIDIA]
	"How much does an Ubuntu Pro subscription cost?",                        // [Ubuntu Pro; Ubuntu only as a derivative]
	"How do I encrypt my disk with LUKS after installation?",                // [LUKS, encrypt]
	"How do I install Steam to play games on Debian?",                       // [Steam, games]
	"Which Raspberry Pi models can boot Debian from USB?",                   // [Raspberry Pi]
	"How do I configure a WireGuard VPN on Debian?",                         // [WireGuard, VPN]
	"How do I roll back a broken upgrade with Btrfs snapshots?",             // [Btrfs, snapshot]
}

// readDebianFAQ returns the plain-text FAQ from dir, gunzipped.
func readDebianFAQ(dir string) (string, error) {
	for _, name := range debianFAQFiles {
		p := filepath.Join(dir, name)
		f, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("debian faq: %w", err)
		}
		defer f.Close()
		var r io.Reader = f
		if strings.HasSuffix(name, ".gz") {
			zr, err := gzip.NewReader(f)
			if err != nil {
				return "", fmt.Errorf("debian faq %s: %w", p, err)
			}
			r = zr
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return "", fmt.Errorf("debian faq %s: %w", p, err)
		}
		if !utf8.Valid(b) {
			return "", fmt.Errorf("debian faq %s: not UTF-8 text", p)
		}
		return string(b), nil
	}
	return "", fmt.Errorf("%w: no %s in %s", ErrNoDebianFAQ, debianFAQFiles[0], dir)
}

// faqSection is one numbered section of the FAQ.
type faqSection struct {
	number  string // "3.1.2"
	chapter string // "3: Choosing a Debian distribution"
	heading string // the question, its wrapped lines joined
	body    string // the answer: paragraphs separated by blank lines, each on one line
}

var (
	chapterLine = regexp.MustCompile(`^Chapter (\d+)\. (.+)$`)
	sectionLine = regexp.MustCompile(`^(\d+(?:\.\d+)+)\. (.+)$`)
	// crossRef is a reference that quotes another section's heading.
	crossRef = regexp.MustCompile(`((?:Section|Chapter) \d+(?:\.\d+)*), “[^”]*”`)
)

// parseDebianFAQ splits the plain-text FAQ (as DocBook renders it: "Chapter N. Name"
// lines, "N.N. Heading" lines at the margin, possibly wrapped onto more unindented lines,
// then the indented answer) into sections. The table of contents before the first
// "Chapter" line is skipped.
func parseDebianFAQ(text string) []faqSection {
	var secs []faqSection
	var cur *faqSection
	var body []string
	inHeading := false
	chapter := ""
	flush := func() {
		if cur != nil {
			cur.body = paragraphs(body)
			secs = append(secs, *cur)
		}
		cur, body = nil, nil
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		// DocBook's text puts no-break spaces in "Chapter\u00a01.\u00a0Name" and elsewhere.
		line := strings.TrimRight(strings.ReplaceAll(sc.Text(), "\u00a0", " "), " \t")
		if m := chapterLine.FindStringSubmatch(line); m != nil {
			flush()
			chapter = m[1] + ": " + m[2]
			inHeading = false
			continue
		}
		if chapter == "" {
			continue // the title page and table of contents
		}
		if m := sectionLine.FindStringSubmatch(line); m != nil {
			flush()
			cur = &faqSection{number: m[1], chapter: chapter, heading: m[2]}
			inHeading = true
			continue
		}
		if cur == nil {
			continue // a chapter's introduction, before its first section
		}
		if inHeading {
			if strings.TrimSpace(line) != "" && !startsIndented(line) {
				cur.heading = joinWrapped(cur.heading, strings.TrimSpace(line))
				continue
			}
			inHeading = false
		}
		body = append(body, line)
	}
	flush()
	return secs
}

func startsIndented(line string) bool {
	return strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")
}

// paragraphs joins the hard-wrapped lines of each blank-line separated paragraph into
// one line and drops cross-references' quoted headings.
func paragraphs(lines []string) string {
	var out []string
	cur := ""
	for _, l := range append(lines, "") {
		t := strings.TrimSpace(l)
		if t == "" {
			if cur != "" {
				out = append(out, crossRef.ReplaceAllString(cur, "$1"))
			}
			cur = ""
			continue
		}
		cur = joinWrapped(cur, t)
	}
	return strings.Join(out, "\n\n")
}

// joinWrapped appends a wrapped line to the text before it: with a space, or without
// one where the renderer broke a path or URL at a slash ("GNU/" + "Linux", "https://" +
// "www…", "GNU" + "/Hurd").
func joinWrapped(a, b string) string {
	switch {
	case a == "":
		return b
	case strings.HasSuffix(a, "/") || strings.HasPrefix(b, "/"):
		return a + b
	}
	return a + " " + b
}

// paddedNumber pads each part of a section number to two digits, so file names sort in
// the FAQ's order: "3.1.2" → "03.01.02".
func paddedNumber(n string) string {
	parts := strings.Split(n, ".")
	for i, p := range parts {
		if v, err := strconv.Atoi(p); err == nil {
			parts[i] = fmt.Sprintf("%02d", v)
		}
	}
	return strings.Join(parts, ".")
}

// minAnswerStart is how many characters of an answer's start answerStart takes at least.
const minAnswerStart = 40

// answerStart is the fixed rule for a FAQ question's expect_any: the start of its
// answer, at least minAnswerStart characters and ending at the end of a word, extended
// word by word until no other section's text (others, folded, at index self) contains it;
// the whole answer when no prefix is unique.
func answerStart(body string, others []string, self int) string {
	text := strings.Join(strings.Fields(body), " ")
	end := 0
	for {
		end = wordEnd(text, max(end+1, minAnswerStart))
		cand := text[:end]
		unique := true
		for i, o := range others {
			if i != self && strings.Contains(o, fold(cand)) {
				unique = false
				break
			}
		}
		if unique || end >= len(text) {
			return cand
		}
	}
}

// wordEnd returns the smallest index ≥ from at which a word of text ends (len(text) at
// most).
func wordEnd(text string, from int) int {
	if from >= len(text) {
		return len(text)
	}
	if i := strings.IndexByte(text[from:], ' '); i >= 0 {
		return from + i
	}
	return len(text)
}
