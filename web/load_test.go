package web

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// loadClients is how many clients BenchmarkLoad runs at once: a workshop room.
const loadClients = 50

// BenchmarkLoad is the load test: loadClients concurrent clients POST questions to
// /api/ask on loopback against the real engine, for as long as -benchtime says. It reports
// p50 and p99 latency, requests per second and errors, which must be zero. The rate limit
// is raised so that it admits everyone (one IP for all clients) but still runs.
//
//	go test -run '^$' -bench Load -benchtime 10s ./web/
func BenchmarkLoad(b *testing.B) {
	ts, _ := newTestServer(b, func(c *Config) { c.Rate, c.Burst, c.Logger = 1e9, 1e9, nil })
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: loadClients}}
	b.Cleanup(client.CloseIdleConnections)
	examples := DefaultExamples()
	bodies := make([]string, len(examples))
	for i, q := range examples {
		bodies[i] = fmt.Sprintf(`{"question": %q}`, q)
	}

	var (
		mu        sync.Mutex
		latencies []time.Duration
		errs      atomic.Int64
		next      atomic.Int64
	)
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((loadClients + procs - 1) / procs)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			body := bodies[int(next.Add(1))%len(bodies)]
			t0 := time.Now()
			res, err := client.Post(ts.URL+"/api/ask", jsonType, strings.NewReader(body))
			if err == nil {
				_, err = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if err == nil && res.StatusCode != http.StatusOK {
					err = fmt.Errorf("status %d", res.StatusCode)
				}
			}
			mine = append(mine, time.Since(t0))
			if err != nil {
				if errs.Add(1) == 1 {
					b.Logf("first error: %v", err)
				}
			}
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()

	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(errs.Load()), "errors")
	b.ReportMetric(float64(procs*((loadClients+procs-1)/procs)), "clients")
	if n := errs.Load(); n > 0 {
		b.Errorf("%d of %d requests failed", n, len(latencies))
	}
}
