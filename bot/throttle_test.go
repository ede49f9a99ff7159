package bot

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestThrottleEditsAtMostOncePerInterval(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		type edit struct {
			at   time.Duration
			text string
		}
		var edits []edit
		start := time.Now()
		th := newThrottle(time.Second, func(ctx context.Context, text string) error {
			mu.Lock()
			defer mu.Unlock()
			edits = append(edits, edit{time.Since(start), text})
			return nil
		}, nil)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			defer close(done)
			th.run(ctx)
		}()
		got := func() []edit {
			synctest.Wait()
			mu.Lock()
			defer mu.Unlock()
			return slices.Clone(edits)
		}

		th.add("Oman")
		th.add(" mediates")
		if e := got(); len(e) != 0 {
			t.Fatalf("edits before the first interval: %v", e)
		}
		time.Sleep(time.Second) // fake time
		if e := got(); !slices.Equal(e, []edit{{time.Second, "Oman mediates"}}) {
			t.Fatalf("after 1 s: %v, want one edit with all text so far", e)
		}
		for _, d := range []string{" between", " Iran", " and the US"} {
			th.add(d)
			time.Sleep(200 * time.Millisecond)
		}
		if e := got(); len(e) != 1 {
			t.Fatalf("after 1.6 s: %v, want still one edit", e)
		}
		time.Sleep(time.Second)
		want := []edit{{time.Second, "Oman mediates"}, {2 * time.Second, "Oman mediates between Iran and the US"}}
		if e := got(); !slices.Equal(e, want) {
			t.Fatalf("after 2.6 s: %v, want %v", e, want)
		}
		time.Sleep(10 * time.Second) // no new text: no edit
		if e := got(); len(e) != 2 {
			t.Fatalf("edits without new text: %v", e)
		}
		th.add("!")
		cancel()
		<-done
		if e := got(); len(e) != 2 {
			t.Fatalf("edit after cancellation: %v", e)
		}
	})
}

func TestThrottleNoEditWhenAnswerIsQuick(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		edits := 0
		th := newThrottle(time.Second, func(ctx context.Context, text string) error { edits++; return nil }, nil)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			defer close(done)
			th.run(ctx)
		}()
		th.add("the whole extractive answer")
		time.Sleep(300 * time.Millisecond)
		cancel()
		<-done
		if edits != 0 {
			t.Errorf("%d edits for an answer that arrived whole within the interval, want 0", edits)
		}
	})
}

func TestThrottleReportsAFailedEdit(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		errRejected := errors.New("PATCH …/messages/@original: 500 Internal Server Error")
		var failed []error
		th := newThrottle(time.Second, func(ctx context.Context, text string) error { return errRejected },
			func(err error) { failed = append(failed, err) })
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			defer close(done)
			th.run(ctx)
		}()
		th.add("Oman")
		time.Sleep(1500 * time.Millisecond)
		synctest.Wait()
		cancel()
		<-done
		if len(failed) != 1 || !errors.Is(failed[0], errRejected) {
			t.Errorf("failures reported = %v, want the one failed edit", failed)
		}
	})
}
