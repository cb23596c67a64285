package main

import (
	"time"

	"github.com/lesismal/nbio"
	"github.com/lesismal/nbio/logging"
)

// nbEngine runs the clients on nbio's engine. nbio has a non-blocking
// dial (DialAsync) and timers (Engine.AfterFunc, which is time.AfterFunc
// behind a recover), whose functions run on goroutines of their own; its
// Conn.Write may be called from any goroutine (a lock per connection), so
// a ping is written from its timer's goroutine, as nbio's own WebSocket
// keep-alive does.
type nbEngine struct {
	f       *fleet
	eng     *nbio.Engine
	clients []nbClient
}

type nbClient struct {
	core
	e    *nbEngine
	conn *nbio.Conn
	// timer is the attempt, then each ping; hb the connect deadline, then
	// the heartbeat deadline.
	timer, hb *time.Timer
}

func (e *nbEngine) start(f *fleet) error {
	e.f = f
	logging.SetLevel(logging.LevelError)
	e.eng = nbio.NewEngine(nbio.Config{Name: "engines", NPoller: f.cfg.Loops})
	e.eng.OnData(e.onData)
	e.eng.OnClose(e.onClose)
	return e.eng.Start()
}

func (e *nbEngine) launch(ids []uint64) error {
	e.clients = make([]nbClient, len(ids))
	now := e.f.now()
	for i, id := range ids {
		c := &e.clients[i]
		c.init(e.f, id)
		c.e = e
		c.timer = e.eng.AfterFunc(c.sched-now, c.onTimer)
	}
	return nil
}

// onTimer runs on the timer's goroutine: the attempt, or a ping.
func (c *nbClient) onTimer() {
	switch c.state.Load() {
	case stIdle:
		now := c.f.now()
		c.attempt(now)
		c.hb = c.e.eng.AfterFunc(c.hbAt-now, c.onHB)
		if err := c.e.eng.DialAsync("tcp", c.f.cfg.Addr, c.onConnected); err != nil {
			c.gone()
		}
	case stOpen:
		now := c.f.now()
		if _, err := c.conn.Write(c.pingDue(now)); err != nil {
			return // nbio closes the connection; OnClose counts it
		}
		c.timer.Reset(c.sched - now)
	}
}

// onHB runs on the timer's goroutine.
func (c *nbClient) onHB() {
	switch c.state.Load() {
	case stConnecting:
		if c.gone() && c.conn != nil {
			_ = c.conn.Close()
		}
	case stOpen:
		now := c.f.now()
		if c.deadlineDue(now) {
			_ = c.conn.Close()
			return
		}
		c.hb.Reset(c.hbAt - now)
	}
}

// onConnected runs on the poller when the TCP handshake ended.
func (c *nbClient) onConnected(conn *nbio.Conn, err error) {
	if err != nil {
		c.gone()
		return
	}
	c.conn = conn
	conn.SetSession(c)
	_ = conn.SetNoDelay(true)
	if _, err := conn.Write(c.request(nil)); err != nil {
		c.gone()
	}
}

func (e *nbEngine) onData(conn *nbio.Conn, data []byte) {
	c, ok := conn.Session().(*nbClient)
	if !ok {
		return
	}
	now := e.f.now()
	if c.state.Load() == stConnecting {
		rest, r := c.response(data)
		switch r {
		case respMore:
			return
		case respFail:
			_ = conn.Close()
			return
		}
		c.opened(now)
		c.timer.Reset(c.sched - now)
		c.hb.Reset(c.hbAt - now)
		data = rest
	}
	if c.state.Load() != stOpen || !c.frames(data, now) {
		_ = conn.Close()
	}
}

func (e *nbEngine) onClose(conn *nbio.Conn, _ error) {
	if c, ok := conn.Session().(*nbClient); ok {
		c.gone()
		c.timer.Stop()
		c.hb.Stop()
	}
}
