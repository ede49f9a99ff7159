package bot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSummarizeFeedback(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name          string
		in            string
		up, down, ans int
		users         int
		worst         string
		wantErr       string
	}{
		{"empty", "", 0, 0, 0, 0, "", ""},
		{"one each", `{"answer_id":"a","question":"q1","vote":"up","user":"u1"}
{"answer_id":"b","question":"q2","vote":"down","user":"u1"}`, 1, 1, 2, 1, "b", ""},
		{"latest vote of a person counts", `{"answer_id":"a","vote":"up","user":"u1"}
{"answer_id":"a","vote":"up","user":"u1"}
{"answer_id":"a","vote":"down","user":"u1"}
{"answer_id":"a","vote":"up","user":"u2"}`, 1, 1, 1, 2, "a", ""},
		{"a damaged line is skipped", "\n{\"answer_id\":\"a\",\"vote\":\"up\"}\n{oops", 1, 0, 1, 1, "", ""},
		{"not a vote is skipped", `{"answer_id":"a","vote":"meh"}`, 0, 0, 0, 0, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := SummarizeFeedback(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Up != tt.up || s.Down != tt.down || s.Answers != tt.ans || s.Users != tt.users {
				t.Errorf("summary = %+v, want up %d down %d answers %d users %d", s, tt.up, tt.down, tt.ans, tt.users)
			}
			if strings.Contains(tt.name, "skipped") && len(s.Bad) != 1 {
				t.Errorf("Bad = %v; want the one damaged line", s.Bad)
			}
			if tt.worst != "" && (len(s.Worst) == 0 || s.Worst[0].AnswerID != tt.worst) {
				t.Errorf("worst = %+v, want %s first", s.Worst, tt.worst)
			}
		})
	}
}

func TestFeedbackFileHashesUsersWithAStableSalt(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "fb.jsonl")
	f := &feedbackFile{path: path}
	for _, u := range []string{"111", "111", "222"} {
		if err := f.add(Vote{Time: time.Unix(0, 0).UTC(), AnswerID: "a", Vote: VoteUp}, u); err != nil {
			t.Fatal(err)
		}
	}
	// A new process reads the same salt.
	if err := (&feedbackFile{path: path}).add(Vote{AnswerID: "a", Vote: VoteDown}, "111"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	user := func(i int) string { _, u, _ := strings.Cut(lines[i], `"user":"`); return u }
	if len(lines) != 4 || user(0) != user(1) || user(0) == user(2) || user(0) != user(3) || strings.Contains(string(b), `"111"`) {
		t.Errorf("feedback file:\n%s\nwant the same hash for the same person across processes, never the id", b)
	}
	if st, err := os.Stat(path + ".salt"); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("salt file: %v, %v; want mode 0600", st, err)
	}
	s, err := SummarizeFeedback(strings.NewReader(string(b)))
	if err != nil || s.Up != 1 || s.Down != 1 || s.Lines != 4 {
		t.Errorf("summary = %+v, %v", s, err)
	}
	if !strings.Contains(s.String(), "2 votes on 1 answers from 2 people: 1 👍, 1 👎 (50% helpful)") {
		t.Errorf("String() = %q", s.String())
	}
}

func TestParseVote(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in, vote, id string
		ok           bool
	}{
		{"falaj:vote:up:abc", "up", "abc", true},
		{"falaj:vote:down:a:b", "down", "a:b", true},
		{"falaj:vote:sideways:abc", "", "", false},
		{"falaj:vote:up:", "", "", false},
		{"other", "", "", false},
	} {
		vote, id, ok := parseVote(tt.in)
		if vote != tt.vote || id != tt.id || ok != tt.ok {
			t.Errorf("parseVote(%q) = %q, %q, %v; want %q, %q, %v", tt.in, vote, id, ok, tt.vote, tt.id, tt.ok)
		}
	}
}
