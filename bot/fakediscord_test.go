package bot_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// IDs the fake Discord uses.
const (
	botID   = "900000000000000001" // the bot user
	appID   = "900000000000000002" // its application
	guildID = "800000000000000001"
	chanID  = "700000000000000001" // a text channel
	otherID = "700000000000000002" // another text channel
	userID  = "600000000000000001" // a person
)

// waitTimeout bounds every wait for the bot, so a broken test fails instead of hanging.
// It is a failsafe, never a synchronisation: tests wait on channels.
const waitTimeout = 10 * time.Second

// request is one REST call the bot made, as the fake received it.
type request struct {
	Method string
	Path   string // without the /api/v9 prefix
	Body   json.RawMessage
	At     time.Time
	Status int // what the fake answered
}

// body decodes the request's JSON body into a generic value.
func (r request) body(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if len(r.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %v\n%s", r.Method, r.Path, err, r.Body)
	}
	return m
}

func (r request) String() string { return r.Method + " " + r.Path }

// fakeDiscord is a local Discord: a REST API on httptest that records every request
// and answers in Discord's wire format, and a gateway websocket that says HELLO,
// accepts IDENTIFY, answers heartbeats, sends READY and then whatever events a test
// dispatches. The bot's real discordgo.Session talks to it through Config.APIURL.
//
// Like Discord, it answers 401 to REST calls with another token than "Bot test-token",
// except GET /gateway, which needs none; a test can make the gateway close after
// IDENTIFY with a close code (4004 bad token, 4014 disallowed intents) or never say
// HELLO, and make a route block until released.
type fakeDiscord struct {
	t   *testing.T
	srv *httptest.Server

	reqs chan request // every recorded request, in order

	mu        sync.Mutex
	log       []request
	limits    map[string][]float64 // "METHOD path prefix" → retry_after of 429s still to send
	channels  map[string]map[string]any
	ids       int
	identify  chan map[string]any // the IDENTIFY payload
	gw        *websocket.Conn
	gwMu      sync.Mutex // serialises gateway writes
	seq       int
	failPaths map[string]int // "METHOD path prefix" → status to answer with

	// Set before the bot connects.
	closeCode int                      // ≠ 0: close the gateway with it after IDENTIFY
	noHello   bool                     // never send HELLO
	connected chan struct{}            // closed when the gateway websocket is up
	blocks    map[string]chan struct{} // under mu: "METHOD path prefix" → answered once closed
}

func newFakeDiscord(t *testing.T) *fakeDiscord {
	f := &fakeDiscord{
		t:         t,
		reqs:      make(chan request, 1000),
		limits:    make(map[string][]float64),
		channels:  make(map[string]map[string]any),
		identify:  make(chan map[string]any, 1),
		failPaths: make(map[string]int),
		blocks:    make(map[string]chan struct{}),
		connected: make(chan struct{}),
		ids:       100,
	}
	f.channels[chanID] = map[string]any{"id": chanID, "type": 0, "guild_id": guildID, "name": "general"}
	f.channels[otherID] = map[string]any{"id": otherID, "type": 0, "guild_id": guildID, "name": "random"}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// rateLimit makes the next len(retryAfter) requests whose "METHOD path" starts with
// route fail with 429 and those retry_after values, in seconds.
func (f *fakeDiscord) rateLimit(route string, retryAfter ...float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits[route] = append(f.limits[route], retryAfter...)
}

// block makes requests whose "METHOD path" starts with route wait, until the returned
// channel is closed or the bot gives up on them.
func (f *fakeDiscord) block(route string) chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan struct{})
	f.blocks[route] = ch
	return ch
}

// addThread makes id a public thread of parent.
func (f *fakeDiscord) addThread(id, parent string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.channels[id] = map[string]any{"id": id, "type": 11, "guild_id": guildID, "parent_id": parent, "name": "thread"}
}

func (f *fakeDiscord) newID() string {
	f.ids++
	return fmt.Sprintf("5000000000000%05d", f.ids)
}

func (f *fakeDiscord) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/gateway/" || r.URL.Path == "/gateway" {
		f.serveGateway(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	path, ok := strings.CutPrefix(r.URL.Path, "/api/v9")
	if !ok {
		http.NotFound(w, r)
		return
	}
	req := request{Method: r.Method, Path: path, Body: body, At: time.Now()}
	route := r.Method + " " + path
	f.mu.Lock()
	var release chan struct{}
	for prefix, ch := range f.blocks {
		if strings.HasPrefix(route, prefix) {
			release = ch
		}
	}
	f.mu.Unlock()
	if release != nil {
		select {
		case <-release:
		case <-r.Context().Done():
			return // the bot gave up on the request
		}
	}

	f.mu.Lock()
	var limited *float64
	for prefix, waits := range f.limits {
		if strings.HasPrefix(route, prefix) && len(waits) > 0 {
			limited = &waits[0]
			f.limits[prefix] = waits[1:]
			break
		}
	}
	status, reply := http.StatusOK, any(nil)
	for prefix, st := range f.failPaths {
		if strings.HasPrefix(route, prefix) {
			status = st
		}
	}
	if r.Header.Get("Authorization") != "Bot test-token" && route != "GET /gateway" {
		status, reply = http.StatusUnauthorized, map[string]any{"message": "401: Unauthorized", "code": 0}
	} else if limited != nil {
		status = http.StatusTooManyRequests
		reply = map[string]any{"message": "You are being rate limited.", "retry_after": *limited, "global": false}
		w.Header().Set("X-RateLimit-Limit", "5")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset-After", fmt.Sprint(*limited))
		w.Header().Set("X-RateLimit-Bucket", "fake")
		w.Header().Set("Retry-After", fmt.Sprint(int(*limited+0.999)))
	} else if status == http.StatusOK {
		status, reply = f.route(r.Method, path, body)
	} else if status == http.StatusForbidden {
		reply = map[string]any{"message": "Missing Access", "code": 50001}
	} else {
		reply = map[string]any{"message": "fake failure", "code": 0}
	}
	req.Status = status
	f.log = append(f.log, req)
	f.mu.Unlock()

	f.reqs <- req
	if reply == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(reply)
}

// route answers a REST call like Discord would. Called with f.mu held.
func (f *fakeDiscord) route(method, path string, body []byte) (int, any) {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	var in map[string]any
	json.Unmarshal(body, &in)
	message := func(channel string) map[string]any {
		m := map[string]any{"id": f.newID(), "channel_id": channel, "author": map[string]any{"id": botID, "username": "falaj", "bot": true}}
		for k, v := range in {
			m[k] = v
		}
		return m
	}
	switch {
	case method == "GET" && path == "/users/@me":
		return 200, map[string]any{"id": botID, "username": "falaj", "bot": true}
	case method == "GET" && path == "/gateway":
		return 200, map[string]any{"url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/gateway"}
	case method == "PUT" && seg[0] == "applications": // bulk overwrite of commands
		var cmds []map[string]any
		json.Unmarshal(body, &cmds)
		for _, c := range cmds {
			c["id"] = f.newID()
			c["application_id"] = seg[1]
		}
		return 200, cmds
	case method == "POST" && seg[0] == "interactions": // callback
		return 204, nil
	case method == "PATCH" && seg[0] == "webhooks": // edit @original
		return 200, message(chanID)
	case method == "POST" && seg[0] == "webhooks": // followup
		return 200, message(chanID)
	case method == "GET" && seg[0] == "channels" && len(seg) == 2:
		if ch, ok := f.channels[seg[1]]; ok {
			return 200, ch
		}
		return 404, map[string]any{"message": "Unknown Channel", "code": 10003}
	case method == "POST" && seg[0] == "channels" && len(seg) == 5 && seg[4] == "threads":
		id := f.newID()
		ch := map[string]any{"id": id, "type": 11, "guild_id": guildID, "parent_id": seg[1], "name": in["name"]}
		f.channels[id] = ch
		return 201, ch
	case method == "POST" && seg[0] == "channels" && len(seg) == 3 && seg[2] == "messages":
		return 200, message(seg[1])
	case method == "PATCH" && seg[0] == "channels" && len(seg) == 4:
		m := message(seg[1])
		m["id"] = seg[3]
		return 200, m
	}
	return 404, map[string]any{"message": "404: Not Found", "code": 0}
}

// serveGateway speaks the gateway protocol: HELLO, IDENTIFY, READY, heartbeats.
func (f *fakeDiscord) serveGateway(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		f.t.Errorf("gateway upgrade: %v", err)
		return
	}
	defer c.Close()
	f.gwMu.Lock()
	f.gw = c
	f.gwMu.Unlock()
	close(f.connected)
	if f.noHello {
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return // the bot closed the connection
			}
		}
	}
	f.send(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 45000}})
	var ident struct {
		Op int            `json:"op"`
		D  map[string]any `json:"d"`
	}
	if err := c.ReadJSON(&ident); err != nil || ident.Op != 2 {
		f.t.Errorf("gateway: want IDENTIFY (op 2), got op %d, err %v", ident.Op, err)
		return
	}
	f.identify <- ident.D
	if f.closeCode != 0 {
		text := map[int]string{4004: "Authentication failed.", 4014: "Disallowed intent(s)."}[f.closeCode]
		f.gwMu.Lock()
		c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(f.closeCode, text))
		f.gwMu.Unlock()
		return
	}
	f.ready()
	for {
		var p struct {
			Op int `json:"op"`
		}
		if err := c.ReadJSON(&p); err != nil {
			return // the bot closed the connection
		}
		if p.Op == 1 {
			f.send(map[string]any{"op": 11})
		}
	}
}

// ready sends READY, as after IDENTIFY; a test may send it again, as on a reconnect.
func (f *fakeDiscord) ready() {
	f.dispatch("READY", map[string]any{
		"v": 10, "session_id": "fake-session",
		"user":        map[string]any{"id": botID, "username": "falaj", "bot": true},
		"application": map[string]any{"id": appID, "flags": 0},
		"guilds":      []any{map[string]any{"id": guildID, "unavailable": true}},
	})
}

func (f *fakeDiscord) send(v any) {
	f.gwMu.Lock()
	defer f.gwMu.Unlock()
	if err := f.gw.WriteJSON(v); err != nil {
		f.t.Errorf("gateway write: %v", err)
	}
}

// dispatch sends a gateway event (op 0) of type t with data d.
func (f *fakeDiscord) dispatch(t string, d any) {
	f.gwMu.Lock()
	f.seq++
	seq := f.seq
	f.gwMu.Unlock()
	f.send(map[string]any{"op": 0, "t": t, "s": seq, "d": d})
}

// next returns the next request the bot makes.
func (f *fakeDiscord) next(t *testing.T) request {
	t.Helper()
	select {
	case r := <-f.reqs:
		return r
	case <-time.After(waitTimeout):
		t.Fatalf("the bot made no request within %s; so far: %v", waitTimeout, f.requests())
		return request{}
	}
}

// waitFor returns the next request for which ok is true, skipping others.
func (f *fakeDiscord) waitFor(t *testing.T, what string, ok func(request) bool) request {
	t.Helper()
	for {
		select {
		case r := <-f.reqs:
			if ok(r) {
				return r
			}
		case <-time.After(waitTimeout):
			t.Fatalf("no %s within %s; requests: %v", what, waitTimeout, f.requests())
			return request{}
		}
	}
}

// requests returns every request recorded so far.
func (f *fakeDiscord) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.log...)
}

// interaction dispatches an INTERACTION_CREATE for /name with options, by userID in
// channel. It returns the interaction id; its token is "tok-" + id.
func (f *fakeDiscord) interaction(channel, name string, options ...map[string]any) string {
	return f.interactionAs(userID, "0", channel, name, options...)
}

// interactionAs dispatches an INTERACTION_CREATE for /name like interaction, by user,
// who holds permissions (a decimal bit set, as Discord sends member.permissions).
func (f *fakeDiscord) interactionAs(user, permissions, channel, name string, options ...map[string]any) string {
	f.mu.Lock()
	id := f.newID()
	f.mu.Unlock()
	d := map[string]any{
		"id": id, "application_id": appID, "type": 2, "token": "tok-" + id, "version": 1,
		"guild_id": guildID, "channel_id": channel,
		"member": map[string]any{"user": map[string]any{"id": user, "username": "asker"}, "permissions": permissions},
		"data":   map[string]any{"id": "cmd-" + name, "name": name, "type": 1, "options": options},
	}
	f.dispatch("INTERACTION_CREATE", d)
	return id
}

// click dispatches a button click on customID.
func (f *fakeDiscord) click(customID string) string {
	f.mu.Lock()
	id := f.newID()
	f.mu.Unlock()
	f.dispatch("INTERACTION_CREATE", map[string]any{
		"id": id, "application_id": appID, "type": 3, "token": "tok-" + id, "version": 1,
		"guild_id": guildID, "channel_id": chanID,
		"member":  map[string]any{"user": map[string]any{"id": userID, "username": "asker"}, "permissions": "0"},
		"message": map[string]any{"id": "msg-" + id, "channel_id": chanID},
		"data":    map[string]any{"custom_id": customID, "component_type": 2},
	})
	return id
}

// message dispatches a MESSAGE_CREATE in channel (guild "" for a DM) from author.
func (f *fakeDiscord) message(guild, channel, author string, bot bool, content string, mentionBot bool) string {
	f.mu.Lock()
	id := f.newID()
	f.mu.Unlock()
	mentions := []any{}
	if mentionBot {
		mentions = append(mentions, map[string]any{"id": botID, "username": "falaj", "bot": true})
	}
	d := map[string]any{
		"id": id, "channel_id": channel, "content": content, "type": 0,
		"author":   map[string]any{"id": author, "username": "someone", "bot": bot},
		"mentions": mentions,
	}
	if guild != "" {
		d["guild_id"] = guild
	}
	f.dispatch("MESSAGE_CREATE", d)
	return id
}
