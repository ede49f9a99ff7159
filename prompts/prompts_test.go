package prompts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultTemplatesParse(t *testing.T) {
	s, err := Load("")
	if err != nil {
		t.Fatalf("Load(\"\") = %v", err)
	}
	if got := s.Decline(); !strings.Contains(got, "sources") {
		t.Errorf("Decline() = %q; want a sentence about the sources", got)
	}
}

func TestLoadDirOverrides(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "decline.tmpl"), []byte("Not in my sources.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(dir)
	if err != nil {
		t.Fatalf("Load(%q) = %v", dir, err)
	}
	if got := s.Decline(); got != "Not in my sources." {
		t.Errorf("Decline() = %q; want the override", got)
	}
}

func TestLoadDirErrors(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Load(missing dir) = nil error; want one")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.tmpl"), []byte("{{ .Broken "), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir)
	if err == nil || !strings.Contains(err.Error(), "bad.tmpl") {
		t.Errorf("Load(dir with broken template) = %v; want an error naming bad.tmpl", err)
	}
}

func TestLocalized(t *testing.T) {
	s := Default()
	for _, tt := range []struct {
		name, tmpl, lang string
		data             any
		want             string // a substring of the rendered text
	}{
		{"arabic decline", "decline.tmpl", "ar", nil, "لم أجد"},
		{"english decline", "decline.tmpl", "en", nil, "I could not find"},
		{"no language", "decline.tmpl", "", nil, "I could not find"},
		{"language without the file falls back", "decline.tmpl", "fr", nil, "I could not find"},
		{"arabic sources heading", "sources.tmpl", "ar", nil, "المصادر"},
		{"arabic note label", "note.tmpl", "ar", nil, "ملاحظة"},
		{"english note label", "note.tmpl", "en", nil, "Note"},
		{"arabic note names the reason", "llm_note_ar.tmpl", "ar", map[string]string{"Reason": "timeout"}, "(timeout)"},
		{"untranslated names the package", "untranslated_ar.tmpl", "ar", nil, "apt-get install dict-freedict-ara-eng"},
		{"untranslated names the setting", "untranslated_ar.tmpl", "ar", nil, "FALAJ_ARABIC_DICT"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Localized(tt.tmpl, tt.lang, tt.data)
			if err != nil {
				t.Fatalf("Localized(%q, %q) = %v", tt.tmpl, tt.lang, err)
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("Localized(%q, %q) = %q; want it to contain %q", tt.tmpl, tt.lang, got, tt.want)
			}
		})
	}
}
