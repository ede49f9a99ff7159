// Package falajtest holds helpers shared by Falaj's tests: golden files, a log buffer and
// the skip for a missing Debian package.
// It imports only the standard library, so any package's tests may use it.
package falajtest

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files (testdata/*.golden and generated docs)")

// Installed skips the test when err says that the Debian package pkg, which it needs,
// is missing; in CI (CI=true), which installs every package the tests need, it fails.
func Installed(t testing.TB, err error, pkg string) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%v; CI must install %s", err, pkg)
	}
	t.Skipf("%v (apt-get install %s)", err, pkg)
}

// Update reports whether the tests run with -update, which rewrites golden files.
func Update() bool { return *update }

// Golden compares got with testdata/<TestName>.golden in the test's package folder. With
// -update it writes got there first; review the diff before committing.
func Golden(t testing.TB, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", strings.ReplaceAll(t.Name(), "/", "_")+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update and review the diff):\n%s", path, got)
	}
}

// LogBuffer is a bytes.Buffer that goroutines may log into concurrently.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
