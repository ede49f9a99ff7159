package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/falaj-bot/falaj"
)

func TestNewChecksConfig(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Errorf("New without an Answerer: no error")
	}
	_, err := New(Config{Answerer: newBlocker(), Assets: fstest.MapFS{"page.tmpl": {Data: []byte("{{.Nope")}}})
	if err == nil || !strings.Contains(err.Error(), "parse page template") {
		t.Errorf("New with a broken template: %v; want a parse error", err)
	}
	if _, err := New(Config{Answerer: newBlocker(), AnswerTimeout: -time.Second}); err == nil || !strings.Contains(err.Error(), "AnswerTimeout") {
		t.Errorf("New with a negative AnswerTimeout: %v; want an error naming it (it used to become 90 s silently)", err)
	}
	s, err := New(Config{Answerer: newBlocker()})
	if err != nil {
		t.Fatal(err)
	}
	if s.cfg.Addr != "127.0.0.1:8080" || s.cfg.WriteTimeout <= s.cfg.AnswerTimeout || len(s.cfg.Examples) == 0 || s.limiter == nil {
		t.Errorf("defaults: addr %q, write timeout %v for answers of %v, %d examples, limiter %v",
			s.cfg.Addr, s.cfg.WriteTimeout, s.cfg.AnswerTimeout, len(s.cfg.Examples), s.limiter != nil)
	}
}

// records is a slog.Handler that sends each message to a channel, so a test can wait
// for the server to reach a point without polling.
type records chan string

func (r records) Enabled(context.Context, slog.Level) bool { return true }
func (r records) Handle(_ context.Context, rec slog.Record) error {
	select {
	case r <- rec.Level.String() + " " + rec.Message:
	default:
	}
	return nil
}
func (r records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r records) WithGroup(string) slog.Handler      { return r }

// waitTimeout bounds waitFor, so a log line that never comes (or was dropped by a full
// records channel) fails the test instead of hanging it. A failsafe, not a
// synchronisation: tests wait on the channel.
const waitTimeout = 10 * time.Second

// waitFor returns once the server logs msg ("LEVEL message"), skipping other lines.
func waitFor(t *testing.T, logs records, msg string) {
	t.Helper()
	deadline := time.After(waitTimeout)
	var seen []string
	for {
		select {
		case m := <-logs:
			if m == msg {
				return
			}
			seen = append(seen, m)
		case <-deadline:
			t.Fatalf("no log line %q within %s; saw %q", msg, waitTimeout, seen)
		}
	}
}

// serve runs s.Serve on 127.0.0.1:0 and returns its URL and a channel with its result.
func serve(t *testing.T, s *Server, ctx context.Context) (string, chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx, ln) }()
	return "http://" + ln.Addr().String(), errc
}

func TestServeFinishesRequestsOnShutdown(t *testing.T) {
	b := newBlocker()
	logs := make(records, 100)
	s, err := New(Config{Answerer: b, Logger: slog.New(logs)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	base, served := serve(t, s, ctx)
	got := make(chan int, 1)
	go func() {
		res, err := http.Post(base+"/api/ask", jsonType, strings.NewReader(`{"question": "why?"}`))
		if err != nil {
			got <- 0
			return
		}
		res.Body.Close()
		got <- res.StatusCode
	}()
	<-b.started
	stop()
	waitFor(t, logs, "INFO shutting down")
	close(b.release)
	if status := <-got; status != 200 {
		t.Errorf("request in flight at shutdown: %d; want 200", status)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve = %v; want nil after a shutdown", err)
	}
}

func TestServeClosesAfterGrace(t *testing.T) {
	b := newBlocker()
	s, err := New(Config{Answerer: b, ShutdownGrace: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	base, served := serve(t, s, ctx)
	go http.Post(base+"/api/ask", jsonType, strings.NewReader(`{"question": "why?"}`))
	<-b.started
	stop()
	if err := <-served; err != nil {
		t.Errorf("Serve = %v; want nil", err)
	}
	if err := <-b.ended; !errors.Is(err, context.Canceled) {
		t.Errorf("the answer in flight ended with %v; want it cancelled when its connection closed", err)
	}
}

func TestRunCannotListen(t *testing.T) {
	s, err := New(Config{Answerer: newBlocker(), Addr: "127.0.0.1:notaport"})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Run(t.Context())
	if !falaj.IsUserError(err) || !strings.Contains(falaj.UserMessage(err), "--addr") {
		t.Errorf("Run = %v; want a message naming --addr", err)
	}
}

// anyAddrListener is a loopback listener that claims to listen on every interface.
type anyAddrListener struct{ net.Listener }

func (anyAddrListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4zero, Port: 8080} }

func TestServeWarnsBeyondLoopback(t *testing.T) {
	for _, tt := range []struct {
		name string
		wrap func(net.Listener) net.Listener
		warn bool
	}{
		{"loopback", func(l net.Listener) net.Listener { return l }, false},
		{"all interfaces", func(l net.Listener) net.Listener { return anyAddrListener{l} }, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			log, logs := bufLogger()
			s, err := New(Config{Answerer: newBlocker(), Logger: log})
			if err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, stop := context.WithCancel(t.Context())
			stop()
			if err := s.Serve(ctx, tt.wrap(ln)); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(logs.String(), "level=WARN msg=\"serving beyond this machine"); got != tt.warn {
				t.Errorf("warned %v; want %v:\n%s", got, tt.warn, logs)
			}
		})
	}
}
