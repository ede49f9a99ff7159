package bot

import (
	"strconv"
	"testing"
	"testing/synctest"
	"time"
)

func TestUserLimiter(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := newUserLimiter(2)
		type result struct {
			ok   bool
			wait time.Duration
			tell bool
		}
		try := func(user string) result {
			ok, wait, tell := l.allow(user)
			return result{ok, wait, tell}
		}
		for i, want := range []result{
			{true, 0, false},
			{true, 0, false},
			{false, 30 * time.Second, true},  // 2 per minute: one more in 30 s
			{false, 30 * time.Second, false}, // told once per wait
		} {
			if got := try("alice"); got != want {
				t.Errorf("alice's question %d: %+v, want %+v", i+1, got, want)
			}
		}
		if got := try("bob"); !got.ok {
			t.Errorf("bob is limited by alice's questions: %+v", got)
		}
		time.Sleep(30 * time.Second)
		if got := try("alice"); !got.ok {
			t.Errorf("alice after 30 s: %+v, want allowed", got)
		}
		if got := try("alice"); got.ok || !got.tell {
			t.Errorf("alice right after: %+v, want limited and told again", got)
		}
	})
}

func TestUserLimiterDefaultAndBound(t *testing.T) {
	t.Parallel()
	l := newUserLimiter(0)
	for i := range defaultRate {
		if ok, _, _ := l.allow("u"); !ok {
			t.Fatalf("question %d refused; the default is %d a minute", i+1, defaultRate)
		}
	}
	if ok, _, _ := l.allow("u"); ok {
		t.Fatalf("question %d allowed; the default is %d a minute", defaultRate+1, defaultRate)
	}
	synctest.Test(t, func(t *testing.T) {
		l := newUserLimiter(1)
		for i := range maxLimitedUsers {
			l.allow(strconv.Itoa(i))
		}
		time.Sleep(time.Minute) // every allowance refills
		l.allow("one more")
		if n := len(l.users); n != 1 {
			t.Errorf("%d users remembered after all refilled, want 1", n)
		}
	})
}
