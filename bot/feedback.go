package bot

import (
	"bufio"
	"cmp"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Votes, as written to the feedback file.
const (
	VoteUp   = "up"
	VoteDown = "down"
)

// votePrefix starts the custom_id of the feedback buttons: "falaj:vote:up:<answer id>".
const votePrefix = "falaj:vote:"

// Vote is one line of the feedback file (JSON Lines, one object per click).
type Vote struct {
	Time     time.Time `json:"time"`
	AnswerID string    `json:"answer_id"`
	Question string    `json:"question"` // "" when the bot restarted since it answered
	Vote     string    `json:"vote"`     // VoteUp or VoteDown
	// User is HMAC-SHA256(salt, Discord user id), hex: the same person gets the same
	// value, so repeated clicks count once, but the file alone does not say who voted.
	// The salt is 32 random bytes in "<feedback file>.salt", made on the first vote;
	// delete it to unlink all earlier votes from all later ones.
	User string `json:"user"`
}

// feedbackButtons returns the 👍/👎 row shown under an answer.
func feedbackButtons(answerID string) []discordgo.MessageComponent {
	if answerID == "" {
		return nil
	}
	button := func(vote, emoji, label string) discordgo.Button {
		return discordgo.Button{
			Label:    label,
			Style:    discordgo.SecondaryButton,
			Emoji:    &discordgo.ComponentEmoji{Name: emoji},
			CustomID: truncateBytes(votePrefix+vote+":"+answerID, 100),
		}
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		button(VoteUp, "👍", "Helpful"),
		button(VoteDown, "👎", "Not helpful"),
	}}}
}

// parseVote reads a button's custom_id; ok is false when it is not a feedback button.
func parseVote(customID string) (vote, answerID string, ok bool) {
	rest, ok := strings.CutPrefix(customID, votePrefix)
	if !ok {
		return "", "", false
	}
	vote, answerID, ok = strings.Cut(rest, ":")
	if !ok || (vote != VoteUp && vote != VoteDown) || answerID == "" {
		return "", "", false
	}
	return vote, answerID, true
}

// feedbackFile appends votes to a JSON Lines file. Safe for concurrent use.
type feedbackFile struct {
	path string // "": votes are not stored

	mu   sync.Mutex
	salt []byte
}

// add appends v, hashing userID into v.User.
func (f *feedbackFile) add(v Vote, userID string) error {
	if f.path == "" {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.salt == nil {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
			return fmt.Errorf("make feedback folder: %w", err)
		}
		salt, err := loadSalt(f.path + ".salt")
		if err != nil {
			return err
		}
		f.salt = salt
	}
	m := hmac.New(sha256.New, f.salt)
	m.Write([]byte(userID))
	v.User = hex.EncodeToString(m.Sum(nil))
	line, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode vote: %w", err)
	}
	file, err := os.OpenFile(f.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("open feedback file: %w", err)
	}
	if _, err := file.Write(append(line, '\n')); err != nil {
		file.Close()
		return fmt.Errorf("write feedback file %s: %w", f.path, err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("close feedback file %s: %w", f.path, err)
	}
	return nil
}

// loadSalt reads the salt file, creating it with 32 random bytes when it is missing.
func loadSalt(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		salt, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(salt) < 16 {
			return nil, fmt.Errorf("read feedback salt %s: not a hex salt of at least 16 bytes", path)
		}
		return salt, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read feedback salt: %w", err)
	}
	salt := make([]byte, 32)
	rand.Read(salt)
	if err := os.WriteFile(path, []byte(hex.EncodeToString(salt)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write feedback salt: %w", err)
	}
	return salt, nil
}

// Summary counts the votes of a feedback file. A person's latest vote on an answer is
// the one that counts, so changing one's mind or clicking twice is counted once.
type Summary struct {
	Lines   int           // votes in the file, clicks included that a later one replaced
	Damaged int           // lines that are not votes (e.g. cut short when the bot was killed mid-write); skipped
	Bad     []int         // the numbers of the first damaged lines, at most maxBadListed
	Up      int           // helpful
	Down    int           // not helpful
	Answers int           // answers with at least one vote
	Users   int           // distinct people who voted
	Worst   []AnswerVotes // answers with a 👎, most 👎 first; at most 10
}

// AnswerVotes counts the votes on one answer.
type AnswerVotes struct {
	AnswerID string
	Question string
	Up, Down int
}

// maxWorst is how many answers Summary.Worst lists.
const maxWorst = 10

// maxBadListed is how many damaged lines Summary.Bad lists by number: enough to find
// them; a file damaged throughout would otherwise print thousands of numbers.
const maxBadListed = 5

// SummarizeFeedback reads a feedback file (JSON Lines of Vote) and counts it. A line
// that is not a vote is skipped and counted in Summary.Damaged (the first few are listed
// by number in Summary.Bad), so one damaged line does not hide every other vote; only a
// read error is an error.
func SummarizeFeedback(r io.Reader) (Summary, error) {
	type key struct{ answer, user string }
	latest := make(map[key]Vote)
	var sum Summary
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var v Vote
		if err := json.Unmarshal([]byte(line), &v); err != nil || v.Vote != VoteUp && v.Vote != VoteDown || v.AnswerID == "" {
			if sum.Damaged++; len(sum.Bad) < maxBadListed {
				sum.Bad = append(sum.Bad, n)
			}
			continue
		}
		sum.Lines++
		latest[key{v.AnswerID, v.User}] = v
	}
	if err := sc.Err(); err != nil {
		return Summary{}, fmt.Errorf("read feedback: %w", err)
	}
	answers := make(map[string]*AnswerVotes)
	users := make(map[string]bool)
	for k, v := range latest {
		users[k.user] = true
		a := answers[k.answer]
		if a == nil {
			a = &AnswerVotes{AnswerID: k.answer}
			answers[k.answer] = a
		}
		if v.Question != "" {
			a.Question = v.Question
		}
		if v.Vote == VoteUp {
			a.Up++
			sum.Up++
		} else {
			a.Down++
			sum.Down++
		}
	}
	sum.Answers, sum.Users = len(answers), len(users)
	for _, a := range answers {
		if a.Down > 0 {
			sum.Worst = append(sum.Worst, *a)
		}
	}
	slices.SortFunc(sum.Worst, func(a, b AnswerVotes) int {
		return cmp.Or(cmp.Compare(b.Down, a.Down), cmp.Compare(a.Up, b.Up), cmp.Compare(a.AnswerID, b.AnswerID))
	})
	if len(sum.Worst) > maxWorst {
		sum.Worst = sum.Worst[:maxWorst]
	}
	return sum, nil
}

// String renders the summary for `falaj feedback`.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d votes on %d answers from %d people: %d 👍, %d 👎", s.Up+s.Down, s.Answers, s.Users, s.Up, s.Down)
	if s.Up+s.Down > 0 {
		fmt.Fprintf(&b, " (%.0f%% helpful)", 100*float64(s.Up)/float64(s.Up+s.Down))
	}
	b.WriteString("\n")
	if s.Damaged > 0 {
		nums := make([]string, len(s.Bad))
		for i, n := range s.Bad {
			nums[i] = strconv.Itoa(n)
		}
		list := strings.Join(nums, ", ")
		if s.Damaged > len(s.Bad) {
			list += ", …"
		}
		if s.Damaged == 1 {
			fmt.Fprintf(&b, "skipped 1 damaged line (line %s)\n", list)
		} else {
			fmt.Fprintf(&b, "skipped %d damaged lines (lines %s)\n", s.Damaged, list)
		}
	}
	if len(s.Worst) > 0 {
		b.WriteString("\nMost 👎:\n")
		for _, a := range s.Worst {
			q := a.Question
			if q == "" {
				q = "(question not recorded)"
			}
			fmt.Fprintf(&b, "  %d 👎 %d 👍  %s  %s\n", a.Down, a.Up, a.AnswerID, truncate(oneLine(q), 80))
		}
	}
	return b.String()
}

// truncateBytes shortens s to at most n bytes without splitting a character.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
