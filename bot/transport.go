package bot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Rate-limit policy of the REST transport.
const (
	// maxRateLimitRetries is how often one request is retried after 429 responses
	// before the 429 is handed to discordgo, which then returns a RateLimitError.
	maxRateLimitRetries = 3
	// minRateLimitWait is the least time waited after a 429, so a server that says
	// "retry_after": 0 cannot make the bot retry in a tight loop.
	minRateLimitWait = 50 * time.Millisecond
	// maxRateLimitWait is the longest wait for one 429; a longer retry_after (a global
	// limit of minutes) fails the request instead of holding an answer for that long.
	maxRateLimitWait = 30 * time.Second
)

// transport is the http.RoundTripper under the discordgo session. It is the one seam
// between the bot and the network:
//
//   - With a base URL (Config.APIURL, DISCORD_API_URL), it rewrites requests for
//     https://discord.com/api/... to that base, keeping the path and query. discordgo
//     builds every URL from package-level Endpoint variables; rewriting here leaves
//     those globals alone. The gateway address also comes from REST (GET /gateway), so
//     a proxy or test server that answers it with its own ws:// URL moves the gateway
//     too.
//   - It waits out 429 responses itself: retry_after from the JSON body (seconds, as
//     Discord sends it) or the Retry-After header, at least minRateLimitWait, at most
//     maxRateLimitWait, at most maxRateLimitRetries times, and never past the request's
//     context. discordgo's own retry (Session.ShouldRetryOnRateLimit) is turned off:
//     it sleeps without a context and retries a 429 without limit. discordgo still
//     reads the X-RateLimit-* headers of every response to pace later requests of the
//     same bucket.
type transport struct {
	base *url.URL // nil: talk to discord.com
	next http.RoundTripper
}

// newTransport returns a transport over next (nil: http.DefaultTransport) that sends
// discord.com requests to apiURL ("" keeps discord.com).
func newTransport(apiURL string, next http.RoundTripper) (*transport, error) {
	t := &transport{next: next}
	if t.next == nil {
		t.next = http.DefaultTransport
	}
	if apiURL != "" {
		u, err := url.Parse(strings.TrimRight(apiURL, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("discord api url %q: want http(s)://host[/path]", apiURL)
		}
		t.base = u
	}
	return t, nil
}

// RoundTrip sends req, to the configured base, waiting out 429 responses.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = t.rewrite(req)
	for attempt := 0; ; attempt++ {
		resp, err := t.next.RoundTrip(req)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests || attempt == maxRateLimitRetries {
			return resp, err
		}
		wait, body := retryAfter(resp)
		if wait > maxRateLimitWait {
			resp.Body = io.NopCloser(bytes.NewReader(body))
			return resp, nil
		}
		if err := sleepCtx(req, max(wait, minRateLimitWait)); err != nil {
			return nil, fmt.Errorf("wait for discord rate limit on %s %s: %w", req.Method, req.URL.Path, err)
		}
		if req, err = rewind(req); err != nil {
			return nil, err
		}
	}
}

// rewrite points req at the base URL when it goes to discord.com.
func (t *transport) rewrite(req *http.Request) *http.Request {
	if t.base == nil || !strings.HasSuffix(req.URL.Host, "discord.com") {
		return req
	}
	r := req.Clone(req.Context())
	r.URL.Scheme = t.base.Scheme
	r.URL.Host = t.base.Host
	r.URL.Path = t.base.Path + req.URL.Path
	if req.URL.RawPath != "" {
		r.URL.RawPath = t.base.Path + req.URL.RawPath
	}
	r.Host = ""
	return r
}

// rewind returns req ready to be sent again, with a fresh body.
func rewind(req *http.Request) (*http.Request, error) {
	if req.Body == nil || req.GetBody == nil {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("resend %s %s: %w", req.Method, req.URL.Path, err)
	}
	r := req.Clone(req.Context())
	r.Body = body
	return r, nil
}

// retryAfter reads how long a 429 asks to wait, from the JSON body's retry_after
// (seconds, with fractions) or else the Retry-After header, and returns the body read.
func retryAfter(resp *http.Response) (time.Duration, []byte) {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	var v struct {
		RetryAfter *float64 `json:"retry_after"`
	}
	if json.Unmarshal(body, &v) == nil && v.RetryAfter != nil && *v.RetryAfter >= 0 {
		return time.Duration(*v.RetryAfter * float64(time.Second)), body
	}
	if s, err := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), body
	}
	return time.Second, body
}

// sleepCtx waits d or until req's context ends.
func sleepCtx(req *http.Request, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-req.Context().Done():
		return req.Context().Err()
	case <-t.C:
		return nil
	}
}
