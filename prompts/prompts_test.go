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
