//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/internal/corpusgen"
	"github.com/falaj-bot/falaj/retrieval"
)

var (
	corporaMu sync.Mutex
	corpora   = map[int]string{} // articles → folder, made once per test binary
)

// benchCorpus returns a folder holding corpusgen's n articles (seed 42).
func benchCorpus(b *testing.B, n int) string {
	b.Helper()
	corporaMu.Lock()
	defer corporaMu.Unlock()
	if dir, ok := corpora[n]; ok {
		return dir
	}
	dir, err := os.MkdirTemp("", fmt.Sprintf("falaj-corpus-%d-", n))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := corpusgen.Write(dir, n, 42); err != nil {
		b.Fatal(err)
	}
	corpora[n] = dir
	return dir
}

// scaleArticles lists the archive sizes BenchmarkScale runs; FALAJ_BENCH_ARTICLES=2000
// runs one.
func scaleArticles() []int {
	switch os.Getenv("FALAJ_BENCH_ARTICLES") {
	case "2000":
		return []int{2000}
	case "20000":
		return []int{20000}
	}
	return []int{2000, 20000}
}

// BenchmarkScale measures a synthetic archive (internal/corpusgen: the seeds' sentences
// shuffled into articles) of 2 000 and 20 000 articles, about 21k and 214k passages:
//
//   - ingest: a whole `falaj ingest --force` process (wall time, peak RSS, snapshot size);
//   - ask-cold: a whole `falaj ask` process answering from the saved snapshot;
//   - answer-warm: Engine.Answer in this process on the opened index.
//
// Targets (issue 11) at ~20k passages: ingest < 5 s and < 400 MB, snapshot ≤ 20 MB,
// cold ask < 0.3 s and < 150 MB, warm answer < 10 ms; at ~200k: cold ask < 2 s, warm
// answer < 50 ms.
func BenchmarkScale(b *testing.B) {
	bin := binary(b)
	for _, n := range scaleArticles() {
		b.Run(fmt.Sprintf("articles=%d", n), func(b *testing.B) {
			corpus := benchCorpus(b, n)
			idx := b.TempDir()
			// run returns a child's peak RSS in MB and its CPU time (user + system): on a
			// shared machine the CPU time is the steadier figure.
			run := func(b *testing.B, args ...string) (float64, time.Duration) {
				cmd := exec.Command(bin, args...)
				cmd.Env = []string{"FALAJ_CORPUS=" + corpus, "FALAJ_INDEX_DIR=" + idx, "HOME=" + idx, "PATH=" + os.Getenv("PATH"), "FALAJ_ENV_FILE=" + os.DevNull}
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("falaj %v: %v\n%s", args, err, out)
				}
				ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
				return float64(ru.Maxrss) / 1024, cpu // Maxrss is in KB on Linux
			}
			// measure runs the command once per iteration and reports its peak RSS and CPU.
			measure := func(b *testing.B, args ...string) {
				var rss []float64
				var cpu time.Duration
				for b.Loop() {
					mb, c := run(b, args...)
					rss, cpu = append(rss, mb), cpu+c
				}
				b.ReportMetric(slices.Max(rss), "peak-MB")
				b.ReportMetric(float64(cpu.Milliseconds())/float64(len(rss)), "cpu-ms/op")
			}
			b.Run("ingest", func(b *testing.B) {
				measure(b, "ingest", "--force")
				snaps, _ := filepath.Glob(filepath.Join(idx, "*.snap"))
				if len(snaps) != 1 {
					b.Fatalf("snapshots %q", snaps)
				}
				fi, err := os.Stat(snaps[0])
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(fi.Size())/1e6, "snapshot-MB")
			})
			b.Run("ask-cold", func(b *testing.B) { measure(b, "ask", "Why is Oman trusted as a mediator?") })
			b.Run("answer-warm", func(b *testing.B) {
				ix, st, err := retrieval.Open(b.Context(), retrieval.Config{Corpus: os.DirFS(corpus), CorpusName: corpus, Dir: idx})
				if err != nil {
					b.Fatal(err)
				}
				eng, err := falaj.NewEngine(falaj.EngineConfig{Searcher: ix, MinConfidence: retrieval.DefaultMinConfidence})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(st.Passages), "passages")
				qs := []string{"Why is Oman trusted as a mediator?", "When was the Quadrilateral Coordination Group launched?", "What is the capital of France?"}
				i := 0
				b.ReportAllocs()
				before := processCPU()
				for b.Loop() {
					if _, err := eng.Answer(b.Context(), falaj.Question{Text: qs[i%len(qs)]}, nil); err != nil {
						b.Fatal(err)
					}
					i++
				}
				b.ReportMetric(float64((processCPU()-before).Microseconds())/1000/float64(i), "cpu-ms/op")
			})
		})
	}
	for _, dir := range corpora {
		os.RemoveAll(dir)
	}
	clear(corpora)
}

// processCPU is this process's CPU time so far (all threads, user + system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
