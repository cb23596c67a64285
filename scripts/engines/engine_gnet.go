package main

import (
	"context"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/panjf2000/gnet/v2/pkg/logging"
)

// gnEngine runs the clients on gnet/v2's client. gnet has no timers of a
// connection (EventLoop.Schedule returns ErrUnsupportedOp; OnTick is one
// ticker for the whole engine, on a goroutine of its own), so each client
// keeps two Go runtime timers (time.AfterFunc), and a timer that fires
// hands its work to the connection's loop with EventLoop.Execute, which
// runs it where the connection may be written. A gnet client dials only
// with package net, blocking a goroutine (Client.DialContext; the
// asynchronous Engine.Register refuses an engine without listeners, as a
// client's is), then hands a duplicate of the socket to a loop: the
// attempt timer's goroutine calls DialContext.
type gnEngine struct {
	gnet.BuiltinEventEngine
	f       *fleet
	cli     *gnet.Client
	clients []gnClient
}

type gnClient struct {
	core
	e    *gnEngine
	conn gnet.Conn
	// timer is the attempt, then each ping; hb the connect deadline, then
	// the heartbeat deadline.
	timer, hb *time.Timer
}

// gnPing and gnDeadline are a client's work on its loop (gnet.Runnable).
type (
	gnPing     gnClient
	gnDeadline gnClient
)

func (e *gnEngine) start(f *fleet) error {
	e.f = f
	cli, err := gnet.NewClient(e,
		gnet.WithNumEventLoop(f.cfg.Loops),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
		gnet.WithLogLevel(logging.ErrorLevel))
	if err != nil {
		return err
	}
	e.cli = cli
	return cli.Start()
}

func (e *gnEngine) launch(ids []uint64) error {
	e.clients = make([]gnClient, len(ids))
	now := e.f.now()
	for i, id := range ids {
		c := &e.clients[i]
		c.init(e.f, id)
		c.e = e
		c.timer = time.AfterFunc(c.sched-now, c.onTimer)
	}
	return nil
}

// onTimer runs on the timer's goroutine.
func (c *gnClient) onTimer() {
	switch c.state.Load() {
	case stIdle:
		c.dial()
	case stOpen:
		_ = c.conn.EventLoop().Execute(context.Background(), (*gnPing)(c))
	}
}

// onHB runs on the timer's goroutine.
func (c *gnClient) onHB() {
	switch c.state.Load() {
	case stConnecting:
		if c.gone() && c.conn != nil {
			_ = c.conn.Close()
		}
	case stOpen:
		_ = c.conn.EventLoop().Execute(context.Background(), (*gnDeadline)(c))
	}
}

// dial runs the attempt on the timer's goroutine: DialContext returns once
// the connection is on a loop (OnOpen has run).
func (c *gnClient) dial() {
	now := c.f.now()
	c.attempt(now)
	c.hb = time.AfterFunc(c.hbAt-now, c.onHB)
	if _, err := c.e.cli.DialContext("tcp", c.f.cfg.Addr, c); err != nil {
		c.gone()
	}
}

// OnOpen implements gnet.EventHandler: the upgrade request goes out with
// the connection's first write.
func (e *gnEngine) OnOpen(gc gnet.Conn) ([]byte, gnet.Action) {
	c := gc.Context().(*gnClient)
	c.conn = gc
	return c.request(nil), gnet.None
}

// OnTraffic implements gnet.EventHandler.
func (e *gnEngine) OnTraffic(gc gnet.Conn) gnet.Action {
	c := gc.Context().(*gnClient)
	now := e.f.now()
	data, _ := gc.Next(-1)
	if c.state.Load() == stConnecting {
		rest, r := c.response(data)
		switch r {
		case respMore:
			return gnet.None
		case respFail:
			return gnet.Close
		}
		c.opened(now)
		c.timer.Reset(c.sched - now)
		c.hb.Reset(c.hbAt - now)
		data = rest
	}
	if c.state.Load() != stOpen || !c.frames(data, now) {
		return gnet.Close
	}
	return gnet.None
}

// OnClose implements gnet.EventHandler.
func (e *gnEngine) OnClose(gc gnet.Conn, _ error) gnet.Action {
	if c, ok := gc.Context().(*gnClient); ok {
		c.gone()
		c.timer.Stop()
		c.hb.Stop()
	}
	return gnet.None
}

// Run sends the ping, on the connection's loop.
func (p *gnPing) Run(context.Context) error {
	c := (*gnClient)(p)
	if c.state.Load() != stOpen {
		return nil
	}
	now := c.f.now()
	if _, err := c.conn.Write(c.pingDue(now)); err != nil {
		_ = c.conn.Close()
		return nil
	}
	c.timer.Reset(c.sched - now)
	return nil
}

// Run applies the detection rule, on the connection's loop.
func (d *gnDeadline) Run(context.Context) error {
	c := (*gnClient)(d)
	if c.state.Load() != stOpen {
		return nil
	}
	now := c.f.now()
	if c.deadlineDue(now) {
		_ = c.conn.Close()
		return nil
	}
	c.hb.Reset(c.hbAt - now)
	return nil
}
