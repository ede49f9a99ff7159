package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiscordSettings(t *testing.T) {
	// Discord rejects a bad token on REST with 401 (GET /gateway needs no token, so
	// the bot checks it with GET /users/@me first).
	var auth, gateway string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v9/users/@me":
			auth = r.Header.Get("Authorization")
		case "/api/v9/gateway":
			gateway = r.URL.Path
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"message": "401: Unauthorized", "code": 0}`))
	}))
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		name     string
		env      []string
		args     []string
		code     int
		inStderr string
	}{
		{"no token", nil, nil, 1, "DISCORD_TOKEN is not set"},
		{"negative rate", []string{"DISCORD_TOKEN", "x"}, []string{"--rate", "-1"}, 2, "--rate -1"},
		{"negative max-concurrent", []string{"DISCORD_TOKEN", "x", "FALAJ_MAX_CONCURRENT", "-2"}, nil, 2, "FALAJ_MAX_CONCURRENT=-2 in the environment: give how many"},
		{"negative max-per-user", []string{"DISCORD_TOKEN", "x"}, []string{"--max-per-user", "-1"}, 2, "--max-per-user -1: give how many answers one person"},
		{"bad mention-free", []string{"DISCORD_TOKEN", "x", "FALAJ_MENTION_FREE", "maybe"}, nil, 2, "FALAJ_MENTION_FREE"},
		{"bad api url", []string{"DISCORD_TOKEN", "x", "FALAJ_INDEX_DIR", "off"}, []string{"--api-url", "ftp://x"}, 1, "DISCORD_API_URL"},
		{"rejected token", []string{"DISCORD_TOKEN", "sekrit", "DISCORD_API_URL", srv.URL, "FALAJ_INDEX_DIR", "off"}, nil, 1, "rejected DISCORD_TOKEN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, env(tt.env...), "", append([]string{"discord"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("falaj discord %v with %v: exit %d, stderr %q; want exit %d and %q", tt.args, tt.env, code, stderr, tt.code, tt.inStderr)
			}
			if strings.Contains(stderr, "sekrit") {
				t.Errorf("stderr shows the token: %q", stderr)
			}
		})
	}
	if auth != "Bot sekrit" {
		t.Errorf("the token check was sent with Authorization %q, want the token from DISCORD_TOKEN", auth)
	}
	if gateway != "" {
		t.Errorf("the bot asked for the gateway (%s) with a rejected token", gateway)
	}
}

func TestFeedbackSummary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fb.jsonl")
	lines := `{"time":"2026-01-01T00:00:00Z","answer_id":"a1","question":"Why is Oman trusted?","vote":"up","user":"h1"}
{"time":"2026-01-01T00:00:00Z","answer_id":"a2","question":"What did Iran want?","vote":"down","user":"h1"}
{"time":"2026-01-01T00:00:00Z","answer_id":"a2","question":"What did Iran want?","vote":"down","user":"h2"}
`
	if err := os.WriteFile(path, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, env("FALAJ_FEEDBACK", path), "", "feedback")
	if code != 0 || !strings.Contains(stdout, "3 votes on 2 answers from 2 people: 1 👍, 2 👎 (33% helpful)") || !strings.Contains(stdout, "2 👎 0 👍  a2  What did Iran want?") {
		t.Errorf("falaj feedback: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	_, stderr, code = runCLI(t, env(), "", "feedback", filepath.Join(t.TempDir(), "none.jsonl"))
	if code != 1 || !strings.Contains(stderr, "none.jsonl does not exist") { // named, so a typo, not "no votes yet"
		t.Errorf("falaj feedback on a missing file: exit %d, stderr %q", code, stderr)
	}
}

func TestFeedbackDefaultsToTheStateDir(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  []string
		want string
	}{
		{"XDG_STATE_HOME", []string{"XDG_STATE_HOME", "/xdg/state", "HOME", "/home/u"}, "/xdg/state/falaj/feedback.jsonl"},
		{"HOME", []string{"HOME", "/home/u"}, "/home/u/.local/state/falaj/feedback.jsonl"},
		{"a relative XDG_STATE_HOME is ignored", []string{"XDG_STATE_HOME", "state", "HOME", "/home/u"}, "/home/u/.local/state/falaj/feedback.jsonl"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := filepath.FromSlash(tt.want)
			if got := defaultFeedbackPath(settings{env: env(tt.env...)}); got != want {
				t.Errorf("defaultFeedbackPath = %q; want %q", got, want)
			}
			// `falaj feedback` reads the same default, never the working directory.
			// Before the bot's first click: no votes, which is no error.
			out, stderr, code := runCLI(t, env(tt.env...), "", "feedback")
			if code != 0 || !strings.HasPrefix(out, "0 votes") || !strings.Contains(stderr, "no feedback yet: "+want+" does not exist") {
				t.Errorf("falaj feedback with %v: exit %d, stdout %q, stderr %q; want 0, 0 votes, and it looking for %s", tt.env, code, out, stderr, want)
			}
		})
	}
}

func TestGitIgnoresFeedbackFiles(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "!") && !strings.Contains(l, "/") {
			patterns = append(patterns, l)
		}
	}
	// The names FALAJ_FEEDBACK has had and the docs suggest, with the salt beside each.
	for _, name := range []string{"falaj-feedback.jsonl", "feedback.jsonl", "feedback-test.jsonl"} {
		for _, f := range []string{name, name + ".salt"} {
			ignored := false
			for _, p := range patterns {
				if ok, _ := filepath.Match(p, f); ok {
					ignored = true
				}
			}
			if !ignored {
				t.Errorf(".gitignore does not ignore %s (patterns %q)", f, patterns)
			}
		}
	}
}

func TestFeedbackWithoutAStateDir(t *testing.T) {
	if got := defaultFeedbackPath(settings{env: env()}); got != "" {
		t.Errorf("defaultFeedbackPath with no XDG_STATE_HOME or HOME = %q; want none, not a shared folder", got)
	}
	_, stderr, code := runCLI(t, env(), "", "feedback")
	if code != 2 || !strings.Contains(stderr, "no user state dir") || !strings.Contains(stderr, "FALAJ_FEEDBACK") {
		t.Errorf("falaj feedback with no HOME: exit %d, stderr %q; want 2 and how to name the file", code, stderr)
	}
}

func TestFeedbackOnAFileNamedThatIsNotThere(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "typo.jsonl")
	for _, args := range [][]string{{"feedback", missing}, {"feedback", "--feedback", missing}} {
		_, stderr, code := runCLI(t, env("HOME", "/home/u"), "", args...)
		if code != 1 || !strings.Contains(stderr, missing+" does not exist") {
			t.Errorf("falaj %q: exit %d, stderr %q; want 1 naming the file", args, code, stderr)
		}
	}
}

func TestFeedbackOnADamagedFileListsAFewLines(t *testing.T) {
	// A file damaged throughout (here: a log written over it) names the count and the
	// first few line numbers, not every one.
	path := filepath.Join(t.TempDir(), "fb.jsonl")
	vote := `{"time":"2026-01-01T00:00:00Z","answer_id":"a1","question":"Why is Oman trusted?","vote":"up","user":"h1"}` + "\n"
	if err := os.WriteFile(path, []byte(vote+strings.Repeat("not json\n", 11463)), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, env("FALAJ_FEEDBACK", path), "", "feedback")
	if code != 0 || !strings.Contains(stdout, "skipped 11463 damaged lines (lines 2, 3, 4, 5, 6, …)\n") || len(stdout) > 500 {
		t.Errorf("falaj feedback on a damaged file: exit %d\nstdout (%d bytes):\n%.1000s\nstderr:\n%s", code, len(stdout), stdout, stderr)
	}
}
