//go:build unix

package retrieval

import (
	"fmt"
	"os"
	"syscall"
)

// mapFile maps f's size bytes read-only, so a snapshot is decoded straight from the
// page cache without a heap copy of the file; release unmaps it (nothing decoded may
// point into it). An empty file gives an empty slice.
func mapFile(f *os.File, size int64) (b []byte, release func(), err error) {
	if size == 0 {
		return nil, func() {}, nil
	}
	if size != int64(int(size)) {
		return nil, nil, fmt.Errorf("%s: too large to map", f.Name())
	}
	b, err = syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, fmt.Errorf("map %s: %w", f.Name(), err)
	}
	return b, func() { syscall.Munmap(b) }, nil
}
