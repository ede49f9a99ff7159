package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/falaj-bot/falaj"
)

// urlWriter collects a command's stderr and sends the URL of the "serving" log line once.
type urlWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	urls chan string
	sent bool
}

var servingRE = regexp.MustCompile(`msg=serving url=(http://\S+/)`)

func (w *urlWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if m := servingRE.FindSubmatch(w.buf.Bytes()); m != nil && !w.sent {
		w.sent = true
		w.urls <- string(m[1])
	}
	return len(p), nil
}

func TestServe(t *testing.T) {
	ctx, stop := context.WithCancel(t.Context())
	stderr := &urlWriter{urls: make(chan string, 1)}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--index-dir", "off"}, strings.NewReader(""), io.Discard, stderr, env())
	}()
	var base string
	select {
	case base = <-stderr.urls:
	case err := <-done:
		t.Fatalf("serve ended before serving: %v\n%s", err, stderr.buf.String())
	}

	res, err := http.Post(base+"api/ask", "application/json", strings.NewReader(`{"question": "Why is Oman trusted as a mediator?"}`))
	if err != nil {
		t.Fatal(err)
	}
	var a falaj.AnswerJSON
	err = json.NewDecoder(res.Body).Decode(&a)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || !a.Answered || len(a.Citations) == 0 {
		t.Errorf("POST /api/ask = %d %+v (%v); want a cited answer", res.StatusCode, a, err)
	}

	stop()
	if err := <-done; err != nil {
		t.Errorf("serve after Ctrl-C = %v; want nil", err)
	}
}

// startServe runs falaj serve with args on 127.0.0.1:0 and returns its URL and a stop
// function that waits for it to end.
func startServe(t *testing.T, lookup func(string) (string, bool), args ...string) (string, func() error) {
	t.Helper()
	ctx, stop := context.WithCancel(t.Context())
	stderr := &urlWriter{urls: make(chan string, 1)}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--index-dir", "off"}, args...), strings.NewReader(""), io.Discard, stderr, lookup)
	}()
	select {
	case base := <-stderr.urls:
		return base, func() error { stop(); return <-done }
	case err := <-done:
		stop()
		t.Fatalf("serve ended before serving: %v\n%s", err, stderr.buf.String())
		return "", nil
	}
}

func TestServeExamplesOnlyForTheBuiltInCorpus(t *testing.T) {
	corpus := t.TempDir()
	if err := os.WriteFile(filepath.Join(corpus, "a.txt"), []byte("Cakes\n\nA cake is baked in an oven for forty minutes.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name         string
		vars         []string
		args         []string
		wantExamples bool
	}{
		{"built-in corpus", nil, nil, true},
		{"--corpus", nil, []string{"--corpus", corpus}, false},
		{"FALAJ_CORPUS", []string{"FALAJ_CORPUS", corpus}, nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base, stop := startServe(t, env(tt.vars...), tt.args...)
			res, err := http.Get(base)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if got := strings.Contains(string(body), "Why is Oman trusted as a mediator?"); got != tt.wantExamples {
				t.Errorf("the page shows the built-in example questions: %v; want %v", got, tt.wantExamples)
			}
			if err := stop(); err != nil {
				t.Errorf("serve after Ctrl-C = %v; want nil", err)
			}
		})
	}
}

func TestServeUsage(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "extra"},
		{"sources", "extra"},
		{"chat", "extra"},
		{"ingest", "extra"},
		{"serve", "--rate", "0"},
		{"serve", "--answer-timeout", "soon"},
	} {
		if _, stderr, code := runCLI(t, env(), "", args...); code != 2 {
			t.Errorf("falaj %q: exit %d; want 2 (usage)\n%s", args, code, stderr)
		}
	}
	_, stderr, code := runCLI(t, env(), "", "serve", "--addr", "127.0.0.1:notaport", "--index-dir", "off")
	if code != 1 || !strings.Contains(stderr, "Pick another address with --addr") {
		t.Errorf("falaj serve --addr 127.0.0.1:notaport: exit %d\n%s", code, stderr)
	}
}

func TestServeExitsWith130OnCtrlC(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	dir := t.TempDir()
	cmd := exec.Command(binary(t), "serve", "--addr", "127.0.0.1:0", "--index-dir", "off")
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "FALAJ_ENV_FILE=" + os.DevNull}
	cmd.Dir = dir
	stderr := &urlWriter{urls: make(chan string, 1)}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-stderr.urls:
	case err := <-done:
		t.Fatalf("serve ended before serving: %v\n%s", err, stderr.buf.String())
	}
	cmd.Process.Signal(os.Interrupt)
	err := <-done
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("falaj serve after Ctrl-C: exit %d (%v); want 130, as README says\n%s", code, err, stderr.buf.String())
	}
}
