//go:build unix

package retrieval

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Issue 10 item 4: a FIFO in the corpus or at the snapshot path is skipped with a named
// warning instead of hanging Open.
func TestFIFOsDoNotHang(t *testing.T) {
	corpus, cache := corpusDir(t), t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(corpus, "pipe.txt"), 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	cfg := Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: cache, Embedder: Local{Dim: 64}}
	ix, err := newIndex(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(ix.path, 0o600); err != nil {
		t.Fatal(err)
	}
	log, buf := logBuffer()
	cfg.Logger = log
	type result struct {
		st  []string
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		ix, st, err := Open(t.Context(), cfg)
		n := 0
		if ix != nil {
			n = ix.Len()
		}
		done <- result{st.Skipped, n, err}
	}()
	select {
	case r := <-done:
		if r.err != nil || r.n == 0 {
			t.Fatalf("Open: %v (%d passages)", r.err, r.n)
		}
		if !slices.Contains(r.st, "pipe.txt: not a regular file (named pipe)") {
			t.Errorf("Skipped = %q; want pipe.txt named as a named pipe", r.st)
		}
		if !strings.Contains(buf.String(), "not a regular file") {
			t.Errorf("log:\n%s\nwant the snapshot FIFO named", buf)
		}
	case <-time.After(20 * time.Second): // a bound, not a synchronisation: before the fix Open never returned
		t.Fatal("Open hung on a FIFO")
	}
}
