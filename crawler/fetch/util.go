package fetch

import (
	"compress/zlib"
	"io"
)

// peekReader lets the first bytes of a stream be inspected and then read again.
type peekReader struct {
	r    io.Reader
	head []byte
}

func (p *peekReader) peek(n int) ([]byte, error) {
	for len(p.head) < n {
		buf := make([]byte, n-len(p.head))
		k, err := p.r.Read(buf)
		p.head = append(p.head, buf[:k]...)
		if err != nil {
			return p.head, err
		}
	}
	return p.head[:n], nil
}

// Read implements io.Reader: the peeked bytes first, then the stream.
func (p *peekReader) Read(b []byte) (int, error) {
	if len(p.head) > 0 {
		n := copy(b, p.head)
		p.head = p.head[n:]
		return n, nil
	}
	return p.r.Read(b)
}

func newZlib(r io.Reader) (io.ReadCloser, error) { return zlib.NewReader(r) }
