package profiletest

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// Client drives a profile over a real WebSocket connection (gobwas/ws on a
// net.Conn), for tests against real servers: it reads the server's
// messages into the profile, answers WebSocket pings, sends the
// profile's own heartbeat every interval, and records everything in a
// Conn. It is not how the load generator runs a profile (on its event
// loops); it checks that the profile speaks the protocol.
type Client struct {
	p    profile.Profile
	nc   net.Conn
	mu   sync.Mutex
	rec  Conn
	st   profile.State
	wmu  sync.Mutex
	done chan struct{}
	// CloseCode is the code of the server's close frame (1005 without
	// one), or 1006 when the connection ended without one; valid after
	// Done.
	CloseCode int
	Err       error
}

// Dial connects to rawURL (adjusted by the profile's Target) offering the
// profile's subprotocols, opens the profile and starts reading. A
// heartbeat interval above zero pings with the profile's Ping.
func Dial(ctx context.Context, rawURL string, p profile.Profile, heartbeat time.Duration) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	p.Target(u)
	d := ws.Dialer{Protocols: p.Subprotocols(), Timeout: 10 * time.Second}
	nc, _, _, err := d.Dial(ctx, u.String())
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", u, err)
	}
	c := &Client{p: p, nc: nc, done: make(chan struct{})}
	c.rec.buf = make([]byte, 0, 4096)
	c.mu.Lock()
	p.Open(c, &c.st)
	c.mu.Unlock()
	go c.read()
	if heartbeat > 0 {
		go c.beat(heartbeat)
	}
	return c, nil
}

// Close closes the connection and waits for the reader to stop.
func (c *Client) Close() {
	_ = c.nc.Close()
	<-c.done
}

// Done is closed when the connection ended.
func (c *Client) Done() <-chan struct{} { return c.done }

// Snapshot returns a copy of what was recorded so far.
func (c *Client) Snapshot() Conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := Conn{V: c.rec.V}
	out.Sent = append(out.Sent, c.rec.Sent...)
	out.Datums = append(out.Datums, c.rec.Datums...)
	out.Events = append(out.Events, c.rec.Events...)
	return out
}

// WaitFor waits until cond holds on what was recorded, the connection
// ends, or d passes; it reports whether cond held.
func (c *Client) WaitFor(d time.Duration, cond func(*Conn) bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		ok := cond(&c.rec)
		c.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-c.done:
			c.mu.Lock()
			defer c.mu.Unlock()
			return cond(&c.rec)
		case <-time.After(10 * time.Millisecond):
		}
	}
	return false
}

// State returns a copy of the profile's state of the connection.
func (c *Client) State() profile.State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st
}

func (c *Client) read() {
	defer close(c.done)
	var msg []byte
	var op ws.OpCode
	for {
		h, err := ws.ReadHeader(c.nc)
		if err != nil {
			c.ended(err)
			return
		}
		p := make([]byte, h.Length)
		if _, err := io.ReadFull(c.nc, p); err != nil {
			c.ended(err)
			return
		}
		switch h.OpCode {
		case ws.OpPing:
			c.write(ws.OpPong, p)
			continue
		case ws.OpPong:
			continue
		case ws.OpClose:
			c.CloseCode = 1005
			if len(p) >= 2 {
				c.CloseCode = int(binary.BigEndian.Uint16(p))
			}
			c.write(ws.OpClose, p[:min(len(p), 2)])
			return
		case ws.OpContinuation:
			msg = append(msg, p...)
		default:
			op, msg = h.OpCode, p
		}
		if !h.Fin {
			continue
		}
		c.mu.Lock()
		c.p.Receive(c, &c.st, op, msg)
		c.mu.Unlock()
		msg = nil
	}
}

func (c *Client) ended(err error) {
	c.CloseCode = 1006
	c.Err = err
}

func (c *Client) beat(d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			c.mu.Lock()
			c.p.Ping(c, &c.st)
			c.mu.Unlock()
		}
	}
}

func (c *Client) write(op ws.OpCode, p []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = wsutil.WriteClientMessage(c.nc, op, p)
}

// The profile.Conn of the connection: it records, and Send writes.

// Vars implements profile.Conn.
func (c *Client) Vars() template.Vars { return c.rec.Vars() }

// Buffer implements profile.Conn.
func (c *Client) Buffer() []byte { return c.rec.Buffer() }

// Send implements profile.Conn: it records the message and writes it.
func (c *Client) Send(kind profile.Traffic, op ws.OpCode, payload []byte) {
	c.write(op, payload)
	c.rec.Send(kind, op, payload)
}

// Data implements profile.Conn.
func (c *Client) Data(payload []byte, seq int64, hasSeq bool) { c.rec.Data(payload, seq, hasSeq) }

// Event implements profile.Conn.
func (c *Client) Event(e profile.Event) { c.rec.Event(e) }
