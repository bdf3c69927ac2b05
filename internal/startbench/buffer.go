package startbench

import (
	"bytes"
	"sync"
)

// lockedBuffer collects a child's output, written from exec's copying
// goroutines and read by the measuring one.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Keep the last 64 KiB only: a long run logs a lot.
	if l.b.Len() > 64<<10 {
		rest := append([]byte(nil), l.b.Bytes()[l.b.Len()-32<<10:]...)
		l.b.Reset()
		l.b.Write(rest)
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
