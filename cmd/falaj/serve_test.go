package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
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

func TestServeUsage(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "extra"},
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
