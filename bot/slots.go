package bot

import "sync"

// defaultMaxPerUser is how many answers one person may have running at once when
// Config.MaxPerUser is zero.
const defaultMaxPerUser = 2

// refusal says why answerSlots refused a question.
type refusal int

const (
	notRefused refusal = iota
	busyAll            // Config.MaxConcurrent answers are running
	busyUser           // this person already has Config.MaxPerUser answers running
)

// answerSlots bounds the answers running at once: in all, so a burst cannot queue
// without bound behind the language model, and per person, so one person's burst
// cannot take every slot and make the bot busy for everyone else. It never waits: a
// question beyond either bound is refused at once. Safe for concurrent use.
type answerSlots struct {
	total, perUser int

	mu      sync.Mutex
	running int
	byUser  map[string]int
}

func newAnswerSlots(total, perUser int) *answerSlots {
	return &answerSlots{total: total, perUser: perUser, byUser: make(map[string]int)}
}

// acquire takes a slot for user without waiting. When it refuses, release does nothing.
// Otherwise the slot is held until release is called; calling it again is harmless, so
// callers both release it as soon as the answer is composed and defer it for the paths
// that return early.
func (s *answerSlots) acquire(user string) (release func(), why refusal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.byUser[user] >= s.perUser:
		return func() {}, busyUser
	case s.running >= s.total:
		return func() {}, busyAll
	}
	s.running++
	s.byUser[user]++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.running--
			if s.byUser[user]--; s.byUser[user] <= 0 {
				delete(s.byUser, user)
			}
		})
	}, notRefused
}
