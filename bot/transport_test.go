package bot

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestTransportRewritesDiscordURLs(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.String())
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		name, base, url, want string
	}{
		{"REST", srv.URL, "https://discord.com/api/v9/channels/1/messages?x=1", "/api/v9/channels/1/messages?x=1"},
		{"gateway lookup", srv.URL, "https://discord.com/api/v9/gateway", "/api/v9/gateway"},
		{"base with a path", srv.URL + "/proxy/", "https://discord.com/api/v9/gateway", "/proxy/api/v9/gateway"},
		{"escaped path kept", srv.URL, "https://discord.com/api/v9/channels/1/messages/2/reactions/%E2%8F%B3/@me", "/api/v9/channels/1/messages/2/reactions/%E2%8F%B3/@me"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := newTransport(tt.base, nil)
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest("GET", tt.url, nil)
			resp, err := (&http.Client{Transport: tr}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			mu.Lock()
			defer mu.Unlock()
			if last := got[len(got)-1]; last != tt.want {
				t.Errorf("%s reached the server as %s, want %s", tt.url, last, tt.want)
			}
		})
	}
	for _, bad := range []string{"discord.example", "ftp://x", "http://"} {
		if _, err := newTransport(bad, nil); err == nil {
			t.Errorf("newTransport(%q) accepted it", bad)
		}
	}
}

// limitedServer answers 429 with retryAfter (a JSON number) for the first n requests
// (n < 0: all), then 200, and records the bodies it received.
func limitedServer(t *testing.T, n int, retryAfter string, onLimit func()) (*httptest.Server, *[]string) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		limited := n < 0 || len(bodies) <= n
		mu.Unlock()
		if limited {
			if onLimit != nil {
				onLimit()
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"message":"You are being rate limited.","retry_after":`+retryAfter+`,"global":false}`)
			return
		}
		io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &bodies
}

func TestTransportWaitsOut429(t *testing.T) {
	t.Parallel()
	t.Run("retries with the same body", func(t *testing.T) {
		srv, bodies := limitedServer(t, 1, "0.01", nil)
		tr, _ := newTransport(srv.URL, nil)
		req, _ := http.NewRequest("POST", "https://discord.com/api/v9/channels/1/messages", bytes.NewBufferString(`{"content":"hi"}`))
		resp, err := tr.RoundTrip(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("RoundTrip = %v, %v; want 200 after one 429", resp, err)
		}
		if len(*bodies) != 2 || (*bodies)[1] != `{"content":"hi"}` {
			t.Errorf("server got %q, want the body twice", *bodies)
		}
	})
	t.Run("no tight loop on retry_after 0", func(t *testing.T) {
		srv, bodies := limitedServer(t, -1, "0", nil)
		tr, _ := newTransport(srv.URL, nil)
		req, _ := http.NewRequest("GET", "https://discord.com/api/v9/gateway", nil)
		resp, err := tr.RoundTrip(req)
		if err != nil || resp.StatusCode != 429 {
			t.Fatalf("RoundTrip = %v, %v; want the 429 after the retries", resp, err)
		}
		if n := len(*bodies); n != 1+maxRateLimitRetries {
			t.Errorf("%d requests for an endless 429, want %d", n, 1+maxRateLimitRetries)
		}
	})
	t.Run("too long a wait fails at once", func(t *testing.T) {
		srv, bodies := limitedServer(t, -1, "3600", nil)
		tr, _ := newTransport(srv.URL, nil)
		req, _ := http.NewRequest("GET", "https://discord.com/api/v9/gateway", nil)
		resp, err := tr.RoundTrip(req)
		if err != nil || resp.StatusCode != 429 || len(*bodies) != 1 {
			t.Fatalf("RoundTrip = %v, %v after %d requests; want the 429 at once", resp, err, len(*bodies))
		}
		b, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(b), `"retry_after":3600`) {
			t.Errorf("the 429 body discordgo reads is %q", b)
		}
	})
	t.Run("cancellation ends the wait", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		srv, _ := limitedServer(t, -1, "20", cancel)
		tr, _ := newTransport(srv.URL, nil)
		req, _ := http.NewRequestWithContext(ctx, "GET", "https://discord.com/api/v9/gateway", nil)
		if _, err := tr.RoundTrip(req); err == nil || !strings.Contains(err.Error(), "context canceled") {
			t.Errorf("RoundTrip = %v, want the cancellation", err)
		}
	})
}

func TestRedact(t *testing.T) {
	t.Parallel()
	in := `Patch "https://discord.com/api/v9/webhooks/123/aW50ZXJhY3Rpb24.x-y_z/messages/@original": sekrit-token timeout; POST /interactions/9/tok-9/callback`
	got := redact(in, "Bot sekrit-token")
	want := `Patch "https://discord.com/api/v9/webhooks/123/[token]/messages/@original": [token] timeout; POST /interactions/9/[token]/callback`
	if got != want {
		t.Errorf("redact =\n%s\nwant\n%s", got, want)
	}
}
