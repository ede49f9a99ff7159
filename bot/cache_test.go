package bot

import (
	"fmt"
	"testing"
)

func TestFIFOIsBounded(t *testing.T) {
	t.Parallel()
	c := newFIFO[string](3)
	for i := range 10 {
		c.put(fmt.Sprint(i), fmt.Sprint("v", i))
	}
	c.put("9", "again") // a key already there keeps its place
	if n := c.len(); n != 3 {
		t.Errorf("len = %d after 10 puts into a fifo of 3", n)
	}
	for _, tt := range []struct {
		key, want string
		ok        bool
	}{{"0", "", false}, {"6", "", false}, {"7", "v7", true}, {"9", "again", true}} {
		if got, ok := c.get(tt.key); got != tt.want || ok != tt.ok {
			t.Errorf("get(%q) = %q, %v; want %q, %v", tt.key, got, ok, tt.want, tt.ok)
		}
	}
}
