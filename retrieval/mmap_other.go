//go:build !unix

package retrieval

import (
	"io"
	"os"
)

// mapFile reads f whole where mmap is not available.
func mapFile(f *os.File, size int64) (b []byte, release func(), err error) {
	b = make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, nil, err
	}
	return b, func() {}, nil
}
