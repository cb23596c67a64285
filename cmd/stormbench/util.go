package main

import (
	"io"
	"os"
	"sync"
)

// lockedWriter serialises writes from several goroutines (the status line,
// and the copiers os/exec starts for children whose stderr is not a file).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// shareable returns w as it is when it is a file (children inherit the
// descriptor; the kernel orders their writes), else wrapped in a lock.
func shareable(w io.Writer) io.Writer {
	if _, ok := w.(*os.File); ok {
		return w
	}
	return &lockedWriter{w: w}
}
