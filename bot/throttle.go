package bot

import (
	"context"
	"sync"
	"time"
)

// editEvery is the least time between two edits of a streaming reply. Discord allows
// about five edits per five seconds per channel; one a second leaves room for others.
const editEvery = time.Second

// throttle turns a stream of text deltas into edits of one message, at most one per
// interval, each showing the whole text so far. add may be called from any
// goroutine; run makes the edits, one at a time, until its context ends.
type throttle struct {
	every  time.Duration
	edit   func(ctx context.Context, text string) error
	failed func(err error) // told of each failed edit; nil: nobody

	mu   sync.Mutex
	text string        // everything received so far
	kick chan struct{} // signals new text; capacity 1
}

// newThrottle returns a throttle that calls edit with the whole text so far, and failed
// (when not nil) with each error edit returns, so a failed edit is logged, not lost.
func newThrottle(every time.Duration, edit func(ctx context.Context, text string) error, failed func(err error)) *throttle {
	return &throttle{every: every, edit: edit, failed: failed, kick: make(chan struct{}, 1)}
}

// add appends a delta. It never blocks.
func (t *throttle) add(delta string) {
	if delta == "" {
		return
	}
	t.mu.Lock()
	t.text += delta
	t.mu.Unlock()
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

// run edits the message as text arrives until ctx ends: an interval after the first
// text, and then at most once an interval, it shows the latest text. Waiting first means
// an answer that arrives whole within the interval (extractive answers do) makes no
// edit at all; the caller then sends the final answer once. A failed edit is reported
// to failed but not retried: the next one, or the final answer, shows the text anyway.
// An edit cut short because ctx ended (the answer is complete) is no failure.
func (t *throttle) run(ctx context.Context) {
	sent := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.kick:
		}
		timer := time.NewTimer(t.every)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		t.mu.Lock()
		text := t.text
		t.mu.Unlock()
		select {
		case <-t.kick: // the text read above includes it
		default:
		}
		if text != sent {
			if err := t.edit(ctx, text); err != nil && ctx.Err() == nil && t.failed != nil {
				t.failed(err)
			}
			sent = text
		}
	}
}
