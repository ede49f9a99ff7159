package main

import (
	"os"
	"os/exec"
	"testing"
)

// BenchmarkAskProcess measures one whole `falaj ask` process answering from a saved
// snapshot: start, load the index, answer, print. Target: < 0.2 s per process.
func BenchmarkAskProcess(b *testing.B) { benchAskProcess(b) }

// BenchmarkAskProcessGlove is BenchmarkAskProcess with FALAJ_EMBEDDER=glove and
// hybrid: the process also parses the embedded word vectors. Target: < 0.2 s per process.
func BenchmarkAskProcessGlove(b *testing.B) {
	for _, emb := range []string{"glove", "hybrid"} {
		b.Run("embedder="+emb, func(b *testing.B) { benchAskProcess(b, "FALAJ_EMBEDDER="+emb) })
	}
}

// benchAskProcess times `falaj ask` processes with env added to their environment, in a
// fresh index folder whose snapshot the first, untimed process saves.
func benchAskProcess(b *testing.B, env ...string) {
	bin := binary(b)
	dir := b.TempDir()
	ask := func() {
		cmd := exec.Command(bin, "ask", "Why is Oman trusted as a mediator?")
		cmd.Env = append([]string{"FALAJ_INDEX_DIR=" + dir, "HOME=" + dir, "PATH=" + os.Getenv("PATH")}, env...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("falaj ask: %v\n%s", err, out)
		}
	}
	ask() // builds and saves the snapshot
	for b.Loop() {
		ask()
	}
}
