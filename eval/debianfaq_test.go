package eval_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/falaj-bot/falaj/eval"
)

// miniFAQ is shaped like the plain text DocBook renders for the Debian FAQ: a table of
// contents, "Chapter N. Name" lines with no-break spaces, headings at the margin that
// wrap, indented hard-wrapped answers and cross-references quoting other headings.
const miniFAQ = "The FAQ\n\nTable of Contents\n\n1. Basics\n    1.1. What is Debian?\n\n" +
	"Chapter\u00a01.\u00a0Basics\n\n" +
	"1.1.\u00a0What is Debian?\n\n" +
	"    Debian is a free operating system built by\n    volunteers. See Section 1.2, “Where do the\n    names come from?”.\n\n" +
	"    It runs on GNU/\n    Linux and GNU\n    /Hurd (https://\n    www.debian.org/) .\n\n" +
	"1.2. Where do the names come\nfrom?\n\n" +
	"    Debian is a free operating system built by film fans, and so are its names.\n\n" +
	"Chapter 2. Authors\n\n2.1. Authors\n\n    Many people wrote this.\n"

func TestDebianFAQParse(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "debian-faq.txt"), []byte(miniFAQ), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := eval.DebianFAQ(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range s.Cases {
		if c.Answerable {
			got = append(got, c.ID+" "+c.Question+" => "+strings.Join(c.ExpectAny, "|"))
		}
	}
	want := []string{
		"faq-1.1 What is Debian? => Debian is a free operating system built by volunteers.",
		// Both start with the same 42 characters: each extended word by word until unique.
		"faq-1.2 Where do the names come from? => Debian is a free operating system built by film",
	}
	if !slices.Equal(got, want) {
		t.Errorf("cases:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := len(s.Cases) - len(want); n != len(eval.DebianFAQUnanswerable) || n < 10 {
		t.Errorf("%d unanswerable cases; want the %d written for the FAQ (≥ 10)", n, len(eval.DebianFAQUnanswerable))
	}
	doc, err := fs.ReadFile(s.Corpus, "debian-faq-01.01.txt")
	if err != nil {
		t.Fatal(err)
	}
	wantDoc := "---\ntitle: \"Debian FAQ, chapter 1: Basics\"\noutlet: \"The Debian GNU/Linux FAQ\"\n---\n\n" +
		"Debian is a free operating system built by volunteers. See Section 1.2.\n\n" +
		"It runs on GNU/Linux and GNU/Hurd (https://www.debian.org/) .\n"
	if string(doc) != wantDoc {
		t.Errorf("document 1.1 = %q; want %q (no heading, lines rejoined, cross-reference without its quoted heading)", doc, wantDoc)
	}
	if _, err := fs.ReadFile(s.Corpus, "debian-faq-02.01.txt"); err != nil {
		t.Errorf("a section without a question is still part of the corpus: %v", err)
	}
}

func TestDebianFAQMissing(t *testing.T) {
	_, err := eval.DebianFAQ(t.TempDir())
	if !errors.Is(err, eval.ErrNoDebianFAQ) {
		t.Errorf("DebianFAQ(empty dir) error = %v; want ErrNoDebianFAQ", err)
	}
}
