package evidence

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// cdpConn speaks the Chrome DevTools Protocol with a browser started with
// --remote-debugging-pipe: JSON messages, each ended by a NUL byte, written
// to the browser's file descriptor 3 and read from its descriptor 4. The
// screenshot needs six commands, so this replaces chromedp and its
// generated protocol bindings (about 1.6 MB of the binary, issue 15).
type cdpConn struct {
	w io.WriteCloser

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan cdpMessage
	events  map[string]chan struct{} // "sessionID method" → closed when seen
	err     error                    // set when the browser's pipe ends
	done    chan struct{}
}

type cdpError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type cdpMessage struct {
	ID        int64           `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    any             `json:"params,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *cdpError       `json:"error,omitempty"`
}

// browserExitGrace is how long stop waits for the browser to exit on its
// own once its pipe is closed (it takes well under a second) before killing
// it.
const browserExitGrace = 10 * time.Second

// startCDP starts the browser with args (--remote-debugging-pipe is added)
// and returns a connection to it. The process is killed when ctx ends;
// stop closes it and waits for it.
func startCDP(ctx context.Context, path string, args []string) (*cdpConn, func(), error) {
	toBrowserR, toBrowserW, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	fromBrowserR, fromBrowserW, err := os.Pipe()
	if err != nil {
		toBrowserR.Close()
		toBrowserW.Close()
		return nil, nil, err
	}
	cmd := exec.CommandContext(ctx, path, append(args, "--remote-debugging-pipe")...)
	cmd.ExtraFiles = []*os.File{toBrowserR, fromBrowserW} // fd 3 and fd 4 in the browser
	if err := cmd.Start(); err != nil {
		for _, f := range []*os.File{toBrowserR, toBrowserW, fromBrowserR, fromBrowserW} {
			f.Close()
		}
		return nil, nil, err
	}
	// The browser holds its own copies now.
	toBrowserR.Close()
	fromBrowserW.Close()
	c := &cdpConn{w: toBrowserW, pending: map[int64]chan cdpMessage{}, events: map[string]chan struct{}{}, done: make(chan struct{})}
	go c.read(fromBrowserR)
	stop := func() {
		// The browser exits when its pipe closes, and ends its helper
		// processes first. Killing it at once left them running: the
		// network process then wrote its state into the profile after the
		// caller had removed it, leaving one folder behind per screenshot
		// or so. It is killed only if it has not exited within
		// browserExitGrace.
		toBrowserW.Close()
		exited := make(chan struct{})
		go func() {
			_ = cmd.Wait()
			close(exited)
		}()
		select {
		case <-exited:
		case <-time.After(browserExitGrace):
			_ = cmd.Process.Kill()
			<-exited
		}
		<-c.done
	}
	return c, stop, nil
}

// read dispatches the browser's messages until its pipe ends.
func (c *cdpConn) read(r io.ReadCloser) {
	defer close(c.done)
	defer r.Close()
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadBytes(0)
		if err != nil {
			c.mu.Lock()
			c.err = fmt.Errorf("browser closed its pipe: %w", err)
			for id, ch := range c.pending {
				close(ch)
				delete(c.pending, id)
			}
			c.mu.Unlock()
			return
		}
		var m cdpMessage
		if json.Unmarshal(line[:len(line)-1], &m) != nil {
			continue
		}
		c.mu.Lock()
		if m.ID != 0 {
			if ch, ok := c.pending[m.ID]; ok {
				ch <- m
				delete(c.pending, m.ID)
			}
		} else if m.Method != "" {
			ch := c.event(m.SessionID, m.Method)
			select {
			case <-ch:
			default:
				close(ch)
			}
		}
		c.mu.Unlock()
	}
}

// event returns the channel closed when method is seen in session; c.mu
// is held.
func (c *cdpConn) event(session, method string) chan struct{} {
	k := session + " " + method
	ch, ok := c.events[k]
	if !ok {
		ch = make(chan struct{})
		c.events[k] = ch
	}
	return ch
}

// waitEvent waits until the browser has sent method in session.
func (c *cdpConn) waitEvent(ctx context.Context, session, method string) error {
	c.mu.Lock()
	ch := c.event(session, method)
	c.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-c.done:
		return c.err
	case <-ctx.Done():
		return fmt.Errorf("wait for %s: %w", method, ctx.Err())
	}
}

// call sends a command and decodes its result into out (unless nil).
func (c *cdpConn) call(ctx context.Context, session, method string, params, out any) error {
	ch := make(chan cdpMessage, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return c.err
	}
	c.nextID++
	id := c.nextID
	c.pending[id] = ch
	c.mu.Unlock()
	msg, err := json.Marshal(cdpMessage{ID: id, Method: method, Params: params, SessionID: session})
	if err == nil {
		_, err = c.w.Write(append(msg, 0))
	}
	if err != nil {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: %w", method, c.err)
		}
		if m.Error != nil {
			return fmt.Errorf("%s: %s (%d)", method, m.Error.Message, m.Error.Code)
		}
		if out != nil {
			if err := json.Unmarshal(m.Result, out); err != nil {
				return fmt.Errorf("%s: %w", method, err)
			}
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// errNoContent is returned for a page that reports no size.
var errNoContent = errors.New("page has no content size")
