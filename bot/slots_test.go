package bot

import "testing"

func TestAnswerSlots(t *testing.T) {
	t.Parallel()
	s := newAnswerSlots(3, 2)
	a1, why := s.acquire("alice")
	if why != notRefused {
		t.Fatalf("alice's first: refused %d", why)
	}
	if _, why := s.acquire("alice"); why != notRefused {
		t.Fatalf("alice's second: refused %d", why)
	}
	if r, why := s.acquire("alice"); why != busyUser {
		t.Fatalf("alice's third: %d, want busyUser", why)
	} else {
		r() // a refused slot's release does nothing
	}
	if _, why := s.acquire("bob"); why != notRefused {
		t.Fatalf("bob's first: refused %d", why)
	}
	if _, why := s.acquire("carol"); why != busyAll {
		t.Fatalf("carol with 3 of 3 running: %d, want busyAll", why)
	}
	a1()
	a1() // twice is harmless
	if _, why := s.acquire("carol"); why != notRefused {
		t.Fatalf("carol after alice's first ended: refused %d", why)
	}
	if _, why := s.acquire("dave"); why != busyAll {
		t.Fatalf("dave: %d, want busyAll (the double release must not free two slots)", why)
	}
}

func TestUserLimiterGiveBack(t *testing.T) {
	t.Parallel()
	l := newUserLimiter(1)
	if ok, _, _ := l.allow("u"); !ok {
		t.Fatal("first question refused")
	}
	l.giveBack("u")
	if ok, _, _ := l.allow("u"); !ok {
		t.Fatal("a question given back still counts")
	}
	l.giveBack("u")
	l.giveBack("u")
	l.allow("u")
	if ok, _, _ := l.allow("u"); ok {
		t.Fatal("giving back twice raised the allowance above the rate")
	}
}
