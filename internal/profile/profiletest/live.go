package profiletest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// Live is a profile speaking to a real server over one WebSocket
// connection: the minimal client loop of a test against a framework's
// own server. It records like Conn, and every message the profile sends
// also goes on the wire. WebSocket pings are answered by the loop itself
// (as a browser's WebSocket does), so only the protocol's own messages
// reach the profile.
type Live struct {
	Conn
	// Profile and State are the profile spoken and its state.
	Profile profile.Profile
	State   profile.State
	// Protocol is the subprotocol the server chose.
	Protocol string
	// Closed tells that the connection ended: CloseCode and CloseReason
	// are what the server's close frame said (1005 without a code, 1006
	// when it ended without a close frame).
	Closed      bool
	CloseCode   ws.StatusCode
	CloseReason string

	nc    net.Conn
	wmu   sync.Mutex
	werr  error
	in    chan liveMsg
	done  chan struct{}
	once  sync.Once
	pings atomic.Int64
}

// liveMsg is what the reader passes on: one whole data message, or the
// end of the connection (end set).
type liveMsg struct {
	op      ws.OpCode
	payload []byte
	end     bool
	code    ws.StatusCode
	reason  string
}

// maxLiveMessage bounds a message the reader assembles.
const maxLiveMessage = 1 << 20

// DialLive connects to rawURL (adjusted by p.Target) offering p's
// subprotocols, as client v, and opens the profile (p.Open). The server
// must choose one of the offered subprotocols when p offers any.
func DialLive(ctx context.Context, p profile.Profile, rawURL string, v template.Vars) (*Live, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	p.Target(u)
	d := ws.Dialer{Protocols: p.Subprotocols()}
	nc, br, hs, err := d.Dial(ctx, u.String())
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", u, err)
	}
	if len(p.Subprotocols()) > 0 && hs.Protocol == "" {
		nc.Close()
		return nil, fmt.Errorf("dial %s: the server chose none of the subprotocols %q", u, p.Subprotocols())
	}
	l := &Live{
		Conn:     Conn{V: v},
		Profile:  p,
		Protocol: hs.Protocol,
		nc:       nc,
		in:       make(chan liveMsg, 64),
		done:     make(chan struct{}),
	}
	var r io.Reader = nc
	if br != nil {
		r = io.MultiReader(br, nc)
	}
	go l.read(r)
	p.Open(l, &l.State)
	if err := l.writeErr(); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// Send implements profile.Conn: it records the message and writes it.
func (l *Live) Send(kind profile.Traffic, op ws.OpCode, payload []byte) {
	l.Conn.Send(kind, op, payload)
	l.write(ws.NewFrame(op, true, payload))
}

// write writes one masked frame (one Write, so that the reader's pongs
// never interleave with it); the first error is kept.
func (l *Live) write(f ws.Frame) {
	b, err := ws.CompileFrame(ws.MaskFrame(f))
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if err == nil {
		_, err = l.nc.Write(b)
	}
	if err != nil && l.werr == nil {
		l.werr = err
	}
}

// writeErr returns the first error of a write.
func (l *Live) writeErr() error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	return l.werr
}

// ServerPings is how many WebSocket pings the server sent (and the loop
// answered).
func (l *Live) ServerPings() int64 { return l.pings.Load() }

// read reads frames until the connection ends: it answers pings, passes
// whole data messages on and, at the end, the close frame's code.
func (l *Live) read(r io.Reader) {
	var msg []byte
	var op ws.OpCode
	end := func(code ws.StatusCode, reason string) {
		select {
		case l.in <- liveMsg{end: true, code: code, reason: reason}:
		case <-l.done:
		}
	}
	for {
		h, err := ws.ReadHeader(r)
		if err != nil || h.Masked || h.Length > maxLiveMessage {
			end(ws.StatusAbnormalClosure, "")
			return
		}
		p := make([]byte, h.Length)
		if _, err := io.ReadFull(r, p); err != nil {
			end(ws.StatusAbnormalClosure, "")
			return
		}
		switch {
		case h.OpCode == ws.OpPing:
			l.pings.Add(1)
			l.write(ws.NewPongFrame(p))
		case h.OpCode == ws.OpPong:
		case h.OpCode == ws.OpClose:
			code, reason := ws.StatusNoStatusRcvd, ""
			if len(p) >= 2 {
				code, reason = ws.ParseCloseFrameData(p)
			}
			l.write(ws.NewCloseFrame(ws.NewCloseFrameBody(code, "")))
			end(code, reason)
			return
		default:
			if h.OpCode != ws.OpContinuation {
				op, msg = h.OpCode, msg[:0]
			}
			if len(msg)+len(p) > maxLiveMessage {
				end(ws.StatusAbnormalClosure, "")
				return
			}
			msg = append(msg, p...)
			if !h.Fin {
				continue
			}
			select {
			case l.in <- liveMsg{op: op, payload: append([]byte(nil), msg...)}:
			case <-l.done:
				return
			}
		}
	}
}

// ErrLiveClosed is Run's error when the connection ended first.
var ErrLiveClosed = errors.New("profiletest: the connection ended")

// Run hands every message of the server to the profile, calls its Ping
// every ping (0: never), and returns nil as soon as until reports true
// (checked after each step), ErrLiveClosed when the connection ends
// first (Closed and CloseCode tell how), or ctx's error.
func (l *Live) Run(ctx context.Context, ping time.Duration, until func() bool) error {
	var tick <-chan time.Time
	if ping > 0 {
		t := time.NewTicker(ping)
		defer t.Stop()
		tick = t.C
	}
	for {
		if until != nil && until() {
			return nil
		}
		if err := l.writeErr(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick:
			l.Profile.Ping(l, &l.State)
		case m := <-l.in:
			if m.end {
				l.Closed, l.CloseCode, l.CloseReason = true, m.code, m.reason
				return ErrLiveClosed
			}
			l.Profile.Receive(l, &l.State, m.op, m.payload)
		}
	}
}

// Close closes the connection (a close frame 1000 first, unless it ended)
// and stops the reader.
func (l *Live) Close() {
	l.once.Do(func() {
		if !l.Closed {
			l.write(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, "")))
		}
		close(l.done)
		l.nc.Close()
	})
}
