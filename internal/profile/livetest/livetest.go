package livetest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
	"github.com/stormbench/stormbench/internal/template"
)

// Client is one connection speaking a profile. Its methods are safe for
// concurrent use; the profile is only ever called with the client's lock
// held, as the load generator calls it from one loop.
type Client struct {
	p profile.Profile

	mu      sync.Mutex
	rec     profiletest.Conn
	st      profile.State
	changed chan struct{} // closed and replaced when something is recorded
	closed  bool
	code    ws.StatusCode // the server's close code (1006: no close frame)
	reason  string
	werr    error

	nc  net.Conn
	br  *bufio.Reader
	wmu sync.Mutex
}

// Dial connects to rawURL (adjusted by p.Target) offering p's
// subprotocols as client v, opens the profile with st (a reconnect passes
// the state of the connection before), and starts reading.
func Dial(ctx context.Context, p profile.Profile, rawURL string, v template.Vars, st profile.State) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	p.Target(u)
	d := ws.Dialer{Protocols: p.Subprotocols()}
	nc, br, _, err := d.Dial(ctx, u.String())
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", u, err)
	}
	if br == nil {
		br = bufio.NewReader(nc)
	}
	c := &Client{p: p, st: st, nc: nc, br: br, changed: make(chan struct{})}
	c.rec.V = v
	c.mu.Lock()
	p.Open(c, &c.st)
	c.mu.Unlock()
	go c.read()
	return c, nil
}

// read hands every data message to the profile until the connection
// ends; WebSocket pings are answered here, as a browser answers them.
func (c *Client) read() {
	rw := struct {
		io.Reader
		io.Writer
	}{c.br, writerFunc(c.writeRaw)}
	for {
		msg, op, err := wsutil.ReadServerData(rw)
		if err != nil {
			c.mu.Lock()
			c.closed, c.code = true, ws.StatusAbnormalClosure
			var ce wsutil.ClosedError
			if errors.As(err, &ce) {
				c.code, c.reason = ce.Code, ce.Reason
			}
			c.notify()
			c.mu.Unlock()
			c.nc.Close()
			return
		}
		c.mu.Lock()
		c.p.Receive(c, &c.st, op, msg)
		c.notify()
		c.mu.Unlock()
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// writeRaw writes bytes the reader's control-frame handler produced.
func (c *Client) writeRaw(b []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.nc.Write(b)
}

// notify wakes the waiters; c.mu is held.
func (c *Client) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Vars implements profile.Conn.
func (c *Client) Vars() template.Vars { return c.rec.Vars() }

// Buffer implements profile.Conn.
func (c *Client) Buffer() []byte { return c.rec.Buffer() }

// Send implements profile.Conn: it records the message and writes it.
func (c *Client) Send(kind profile.Traffic, op ws.OpCode, payload []byte) {
	c.wmu.Lock()
	err := wsutil.WriteClientMessage(c.nc, op, payload)
	c.wmu.Unlock()
	if err != nil && c.werr == nil {
		c.werr = err
	}
	c.rec.Send(kind, op, payload)
}

// Data implements profile.Conn.
func (c *Client) Data(payload []byte, seq int64, hasSeq bool) { c.rec.Data(payload, seq, hasSeq) }

// Event implements profile.Conn.
func (c *Client) Event(e profile.Event) { c.rec.Event(e) }

// Ping calls the profile's Ping and reports what it said.
func (c *Client) Ping() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	ok := c.p.Ping(c, &c.st)
	c.notify()
	return ok
}

// Snapshot is what the client recorded so far.
type Snapshot struct {
	Sent   []profiletest.Sent
	Datums []profiletest.Datum
	Events []profile.Event
	State  profile.State
	// Closed tells that the connection ended: Code and Reason are the
	// server's close frame (1006 when there was none).
	Closed bool
	Code   ws.StatusCode
	Reason string
	// WriteErr is the first error writing to the connection.
	WriteErr error
}

// Count returns how many events of kind were recorded.
func (s Snapshot) Count(kind profile.EventKind) int {
	n := 0
	for _, e := range s.Events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// Snapshot returns a copy of what was recorded.
func (c *Client) Snapshot() Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snapshot()
}

func (c *Client) snapshot() Snapshot {
	st := c.st
	st.Resume = append([]byte(nil), st.Resume...)
	return Snapshot{
		Sent:   append([]profiletest.Sent(nil), c.rec.Sent...),
		Datums: append([]profiletest.Datum(nil), c.rec.Datums...),
		Events: append([]profile.Event(nil), c.rec.Events...),
		State:  st, Closed: c.closed, Code: c.code, Reason: c.reason, WriteErr: c.werr,
	}
}

// Wait waits until cond holds for what was recorded, the connection ends
// or timeout passes, and returns the last snapshot and whether cond held.
func (c *Client) Wait(timeout time.Duration, cond func(Snapshot) bool) (Snapshot, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		s, ch := c.snapshot(), c.changed
		c.mu.Unlock()
		if cond(s) {
			return s, true
		}
		if s.Closed {
			return s, false
		}
		select {
		case <-ch:
		case <-deadline.C:
			return s, cond(s)
		}
	}
}

// State returns the profile's state, Resume copied (for a reconnect).
func (c *Client) State() profile.State { return c.Snapshot().State }

// Close closes the connection with a close frame.
func (c *Client) Close() {
	c.wmu.Lock()
	_ = ws.WriteFrame(c.nc, ws.MaskFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, ""))))
	c.wmu.Unlock()
	c.nc.Close()
}

// Drop ends the connection without a close frame, as a lost network does.
func (c *Client) Drop() { c.nc.Close() }

// Heartbeats calls c.Ping every interval until stop is closed: the
// client's heartbeat, for tests that hold a connection.
func (c *Client) Heartbeats(interval time.Duration, stop <-chan struct{}) {
	tk := time.NewTicker(interval)
	defer tk.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tk.C:
			c.Ping()
		}
	}
}

// SeqOf reads a test server's {"seq":n} payload, 0 when it is not one.
func SeqOf(payload string) int {
	var v struct{ Seq int }
	if json.Unmarshal([]byte(payload), &v) != nil {
		return 0
	}
	return v.Seq
}
