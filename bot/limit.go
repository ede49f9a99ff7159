package bot

import (
	"sync"
	"time"
)

// defaultRate is the per-user limit when Config.Rate is zero: questions per minute.
const defaultRate = 5

// maxLimitedUsers bounds the limiter's memory: past it, users whose allowance is full
// again are forgotten.
const maxLimitedUsers = 10000

// userLimiter is a token bucket per user: perMinute questions at once, refilled at
// perMinute per minute. Safe for concurrent use.
type userLimiter struct {
	perMinute float64

	mu    sync.Mutex
	users map[string]*allowance
}

type allowance struct {
	tokens float64
	last   time.Time
	warned bool // the user was told to wait since their last accepted question
}

func newUserLimiter(perMinute int) *userLimiter {
	if perMinute <= 0 {
		perMinute = defaultRate
	}
	return &userLimiter{perMinute: float64(perMinute), users: make(map[string]*allowance)}
}

// allow takes one question from user's allowance. When none is left it returns false,
// how long until one is, and whether to tell the user (only once per wait, so a user
// who keeps asking is not answered with a stream of notices).
func (l *userLimiter) allow(user string) (ok bool, wait time.Duration, tell bool) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.users[user]
	if a == nil {
		if len(l.users) >= maxLimitedUsers {
			l.forgetFull(now)
		}
		a = &allowance{tokens: l.perMinute, last: now}
		l.users[user] = a
	}
	a.tokens = min(l.perMinute, a.tokens+now.Sub(a.last).Minutes()*l.perMinute)
	a.last = now
	if a.tokens >= 1 {
		a.tokens--
		a.warned = false
		return true, 0, false
	}
	wait = time.Duration((1 - a.tokens) / l.perMinute * float64(time.Minute))
	tell = !a.warned
	a.warned = true
	return false, wait, tell
}

// forgetFull drops the users whose allowance has refilled completely.
func (l *userLimiter) forgetFull(now time.Time) {
	for id, a := range l.users {
		if a.tokens+now.Sub(a.last).Minutes()*l.perMinute >= l.perMinute {
			delete(l.users, id)
		}
	}
}

// giveBack returns a question taken by allow that was then not answered because the bot
// was busy with others, so it does not count against user.
func (l *userLimiter) giveBack(user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if a := l.users[user]; a != nil {
		a.tokens = min(l.perMinute, a.tokens+1)
	}
}
