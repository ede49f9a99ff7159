// Package prompts holds Falaj's fixed texts as template files: the LLM prompts and the
// sentences of the extractive answerer. They are embedded in the binary; FALAJ_PROMPTS_DIR
// may point at a folder whose *.tmpl files replace the embedded ones of the same name.
// Edit the .tmpl files, not Go strings.
package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
	"text/template"
)

// FS holds the embedded *.tmpl files at its root.
//
//go:embed *.tmpl
var FS embed.FS

// Set is a parsed set of templates. It is safe for concurrent use.
type Set struct {
	t *template.Template
}

// Load parses the embedded templates, then, when dir is not "", the *.tmpl files in dir,
// which replace embedded templates of the same file name. A template that does not parse
// is an error that names the file.
func Load(dir string) (*Set, error) {
	t := template.New("").Option("missingkey=error")
	if err := parseFS(t, FS); err != nil {
		return nil, err
	}
	if dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("prompts dir: %w", err)
		}
		if err := parseFS(t, os.DirFS(dir)); err != nil {
			return nil, fmt.Errorf("prompts dir %s: %w", dir, err)
		}
	}
	return &Set{t: t}, nil
}

// Default returns the embedded templates, parsed once on the first call (a Set is
// read-only, so every caller may share it). They are checked by the package tests, so
// this cannot fail in a built binary.
func Default() *Set { return defaultSet() }

var defaultSet = sync.OnceValue(func() *Set {
	s, err := Load("")
	if err != nil {
		panic(err) // unreachable: the embedded templates are parsed by go test
	}
	return s
})

func parseFS(t *template.Template, fsys fs.FS) error {
	names, err := fs.Glob(fsys, "*.tmpl")
	if err != nil {
		return fmt.Errorf("list templates: %w", err)
	}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("read template %s: %w", name, err)
		}
		if _, err := t.New(path.Base(name)).Parse(string(b)); err != nil {
			return fmt.Errorf("parse template %s: %w", name, err)
		}
	}
	return nil
}

// Render executes the template file name (e.g. "decline.tmpl") with data and returns the
// text with surrounding white space trimmed.
func (s *Set) Render(name string, data any) (string, error) {
	var b bytes.Buffer
	if err := s.t.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render prompt %s: %w", name, err)
	}
	return strings.TrimSpace(b.String()), nil
}

// Decline is the extractive answerer's reply when the sources do not cover a question.
func (s *Set) Decline() string {
	txt, err := s.Render("decline.tmpl", nil)
	if err != nil {
		return "I could not find this in my sources, so I will not guess."
	}
	return txt
}

// RelatedItem is one passage of the related outcome's list.
type RelatedItem struct {
	N     int    // its citation marker
	Quote string // its sentence that looks most related to the question
}

// Related frames the passages that look related to a question no passage answers
// confidently ("I can't answer that directly…", then [n] and a quote per passage).
func (s *Set) Related(items []RelatedItem) string {
	txt, err := s.Render("related.tmpl", items)
	if err != nil {
		var b strings.Builder
		b.WriteString("I can't answer that directly from my sources. These passages look related:")
		for _, it := range items {
			fmt.Fprintf(&b, "\n[%d] “%s”", it.N, it.Quote)
		}
		return b.String()
	}
	return txt
}

// NotInSources is the reply the system prompt (system.tmpl) tells the model to give,
// exactly and alone, when the passages do not answer the question. The citation check
// (falaj.CheckReply) drops any sentence that holds it; a reply with no cited sentence left
// is a refusal.
const NotInSources = "NOT_IN_SOURCES"

// Localized renders the template name (e.g. "decline.tmpl") in the language lang
// ("ar", "en"): the file name_<lang>.tmpl ("decline_ar.tmpl") when lang is not English and
// that file exists, otherwise name itself.
func (s *Set) Localized(name, lang string, data any) (string, error) {
	if lang != "" && lang != "en" {
		if ln := strings.TrimSuffix(name, ".tmpl") + "_" + lang + ".tmpl"; s.t.Lookup(ln) != nil {
			return s.Render(ln, data)
		}
	}
	return s.Render(name, data)
}
