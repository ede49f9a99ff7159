package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Issue 10 item 5: ingest exits non-zero when the snapshot cannot be saved; ask still
// answers, from memory, with a one-line note.
func TestIngestFailsWhenSnapshotCannotBeSaved(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(parent, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := env("FALAJ_INDEX_DIR", filepath.Join(parent, "index"))
	out, errOut, code := runCLI(t, vars, "", "ingest")
	if code != 1 || !strings.Contains(errOut, "could not be saved") || !strings.Contains(out, "documents") {
		t.Errorf("ingest into an unusable dir: exit %d, stdout %q, stderr %q; want exit 1 naming the save", code, out, errOut)
	}
	out, errOut, code = runCLI(t, vars, "", "ask", "Why is Oman trusted as a mediator?")
	if code != 0 || !strings.Contains(out, "[1]") {
		t.Errorf("ask: exit %d, stdout %q; want an answer", code, out)
	}
	if n := strings.Count(errOut, "falaj: note:"); n != 1 || !strings.Contains(errOut, "answering from memory") {
		t.Errorf("ask stderr %q; want one note that it answers from memory", errOut)
	}
}

func TestProgressRateAndETA(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	p := newProgress(&b, false)
	p.now = func() time.Time { return now }
	p.update(1000, 10000) // the clock starts at the first batch
	now = now.Add(2 * time.Second)
	p.update(3000, 10000)
	now = now.Add(1 * time.Second)
	p.update(5000, 10000)
	now = now.Add(4 * time.Second)
	p.update(10000, 10000)
	want := "embedding: 1000/10000 passages\n" +
		"embedding: 3000/10000 passages, 1000/s, 7s left\n" +
		"embedding: 5000/10000 passages, 1333/s, 4s left\n" +
		"embedding: 10000/10000 passages, 1286/s, took 7s\n"
	if got := b.String(); got != want {
		t.Errorf("plain progress:\n%s\nwant:\n%s", got, want)
	}

	b.Reset()
	p = newProgress(&b, true)
	p.now = func() time.Time { return now }
	p.update(64, 128)
	now = now.Add(time.Second)
	p.update(128, 128)
	p.done()
	if got := b.String(); !strings.Contains(got, "\rembedding [███████████████···············] 64/128 passages") ||
		!strings.Contains(got, "128/128 passages, 64/s, took 1s") || !strings.HasSuffix(got, "\n") {
		t.Errorf("terminal progress %q", got)
	}
}
