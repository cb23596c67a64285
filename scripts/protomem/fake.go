package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"
)

// fake is a loopback WebSocket server that speaks one framework's
// protocol well enough to hold clients: it upgrades (choosing the first
// subprotocol offered), answers the join and the client's heartbeats,
// pings at the protocol's interval and broadcasts a numbered message to
// every joined client. It is written for this measurement, not a
// reference implementation: what is measured is the load generator.
type fake struct {
	ln    net.Listener
	proto *fakeProto
	mu    sync.Mutex
	conns map[*fakeConn]struct{}
	// joined counts clients whose join the server answered, bad the
	// messages it did not understand.
	joined, bad atomic.Int64
	seq         atomic.Int64
	stop        chan struct{}
	wg          sync.WaitGroup
}

// fakeConn is one upgraded connection; writes are serialised because the
// broadcaster and the reader both write.
type fakeConn struct {
	nc     net.Conn
	wmu    sync.Mutex
	sess   session
	joined atomic.Bool
}

// session is one connection's side of the protocol.
type session interface {
	// opened is what the server sends as soon as the upgrade is done.
	opened() [][]byte
	// handle answers one message of the client; joined reports that the
	// client's join is complete (broadcasts go to it from now on); bad
	// that the message was not understood.
	handle(msg []byte) (out [][]byte, joined, bad bool)
	// ping is the server's heartbeat (nil: the server does not ping).
	ping() []byte
	// data is the broadcast numbered seq.
	data(seq int64) []byte
}

func startFake(p *fakeProto, broadcast time.Duration) (*fake, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &fake{ln: ln, proto: p, conns: map[*fakeConn]struct{}{}, stop: make(chan struct{})}
	f.wg.Add(1)
	go f.accept()
	if broadcast > 0 {
		f.wg.Add(1)
		go f.every(broadcast, func(c *fakeConn) []byte { return c.sess.data(f.seq.Load()) }, func() { f.seq.Add(1) }, p.split)
	}
	if p.pingEvery > 0 {
		f.wg.Add(1)
		go f.every(p.pingEvery, func(c *fakeConn) []byte { return c.sess.ping() }, nil, false)
	}
	return f, nil
}

// url is the server's URL for stormbench's --url.
func (f *fake) url() string { return "ws://" + f.ln.Addr().String() + f.proto.path }

func (f *fake) close() {
	close(f.stop)
	f.ln.Close()
	f.mu.Lock()
	for c := range f.conns {
		c.nc.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

func (f *fake) accept() {
	defer f.wg.Done()
	for {
		nc, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.wg.Add(1)
		go f.serve(nc)
	}
}

// every writes what msg returns to every joined client each period
// (before is called first, once per period), in two messages when split.
func (f *fake) every(period time.Duration, msg func(*fakeConn) []byte, before func(), split bool) {
	defer f.wg.Done()
	t := time.NewTicker(period)
	defer t.Stop()
	var conns []*fakeConn
	for {
		select {
		case <-f.stop:
			return
		case <-t.C:
		}
		if before != nil {
			before()
		}
		f.mu.Lock()
		conns = conns[:0]
		for c := range f.conns {
			conns = append(conns, c)
		}
		f.mu.Unlock()
		for _, c := range conns {
			if !c.joined.Load() {
				continue
			}
			switch m := msg(c); {
			case m == nil:
			case split:
				c.write(f.proto.op, m[:len(m)/2])
				c.write(f.proto.op, m[len(m)/2:])
			default:
				c.write(f.proto.op, m)
			}
		}
	}
}

// write sends one frame in one write, as servers that buffer their
// output do: a frame whose header and payload arrive in separate reads
// makes the client's decoder buffer the message (and keep a small
// buffer), which would be a cost of this server, not of the protocol.
func (c *fakeConn) write(op ws.OpCode, p []byte) {
	frame, err := ws.CompileFrame(ws.NewFrame(op, true, p))
	if err != nil {
		return
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, _ = c.nc.Write(frame)
}

func (f *fake) serve(nc net.Conn) {
	defer f.wg.Done()
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
	u := ws.Upgrader{Protocol: func([]byte) bool { return true }}
	if _, err := u.Upgrade(nc); err != nil {
		return
	}
	_ = nc.SetDeadline(time.Time{})
	c := &fakeConn{nc: nc, sess: f.proto.session()}
	if f.proto == plainProto {
		c.joined.Store(true) // stormbench's clients join by connecting
		f.joined.Add(1)
	}
	f.mu.Lock()
	f.conns[c] = struct{}{}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.conns, c)
		f.mu.Unlock()
	}()
	for _, m := range c.sess.opened() {
		c.write(f.proto.op, m)
	}
	br := bufio.NewReaderSize(nc, 512)
	var msg []byte
	for {
		h, err := ws.ReadHeader(br)
		if err != nil {
			return
		}
		p := make([]byte, h.Length)
		if _, err := io.ReadFull(br, p); err != nil {
			return
		}
		if h.Masked {
			ws.Cipher(p, h.Mask, 0)
		}
		switch h.OpCode {
		case ws.OpClose:
			c.write(ws.OpClose, p[:min(len(p), 2)])
			return
		case ws.OpPing:
			c.write(ws.OpPong, p)
			continue
		case ws.OpPong:
			continue
		}
		msg = append(msg, p...)
		if !h.Fin {
			continue
		}
		out, joined, bad := c.sess.handle(msg)
		msg = msg[:0]
		if bad {
			f.bad.Add(1)
		}
		for _, m := range out {
			c.write(f.proto.op, m)
		}
		if joined && !c.joined.Swap(true) {
			f.joined.Add(1)
		}
	}
}

// fields splits s at sep, dropping empty parts.
func fields(s []byte, sep byte) [][]byte {
	var out [][]byte
	for _, f := range bytes.Split(s, []byte{sep}) {
		if len(bytes.TrimSpace(f)) > 0 {
			out = append(out, f)
		}
	}
	return out
}
