package bot

import "sync"

// fifo is a map from string keys bounded to max entries: when it is full, adding a key
// forgets the oldest added. It holds the bot's caches (thread parents, the questions of
// recent answers), so none grows without bound. Safe for concurrent use.
type fifo[V any] struct {
	mu    sync.Mutex
	max   int
	m     map[string]V
	order []string // keys, oldest first
}

// newFIFO returns an empty fifo of at most max entries (max ≥ 1).
func newFIFO[V any](max int) *fifo[V] {
	return &fifo[V]{max: max, m: make(map[string]V)}
}

// get returns the value of k and whether it is there.
func (c *fifo[V]) get(k string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

// put sets k to v. A new key forgets the oldest when the fifo is full; a key already
// there keeps its place.
func (c *fifo[V]) put(k string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; !ok {
		if len(c.order) >= c.max {
			delete(c.m, c.order[0])
			c.order = c.order[1:]
		}
		c.order = append(c.order, k)
	}
	c.m[k] = v
}

// len returns the number of entries.
func (c *fifo[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
