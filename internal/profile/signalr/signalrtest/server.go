// Package signalrtest is an ASP.NET Core SignalR hub reduced to what the
// signalr profile meets, written to the JSON hub protocol for tests:
// ASP.NET Core cannot be installed where stormbench is developed (no .NET
// SDK). The profile's own tests and the end-to-end test of run --protocol
// signalr (cmd/stormbench) start it in-process on a loopback port.
//
// The hub is at /hub, reached without negotiation (as @microsoft/signalr
// with skipNegotiation and the WebSockets transport reaches one). It
// takes the handshake {"protocol":"json","version":1}␞ and answers {}␞
// (?refuse=1 answers {"error":…}␞ instead, as a hub without the requested
// protocol does); every Options.Tick it invokes the client method "tick"
// on every connection that finished the handshake,
// {"type":1,"target":"tick","arguments":[{"seq":n}]}␞, n counting from 1
// in each start of the server; it pings ({"type":6}␞) every
// Options.KeepAlive (ASP.NET Core pings only when it sent nothing else
// for that long; this one pings regardless, so that a client sees pings
// between invocations); a connection the client was silent on for
// Options.ClientTimeout gets a close message with the error ASP.NET Core
// gives and is closed. ?bye=N sends a close message allowing a reconnect
// instead of the connection's Nth invocation, as a server going away
// does. Restart says that goodbye to every connection, stays down, and
// starts again on the same address.
package signalrtest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// Options are the hub's settings; zero means ASP.NET Core's own.
type Options struct {
	// Tick is how often "tick" is invoked; zero means 1 s.
	Tick time.Duration
	// KeepAlive is the server's ping interval; zero means 15 s
	// (HubOptions.KeepAliveInterval).
	KeepAlive time.Duration
	// ClientTimeout closes a connection the client sent nothing on for
	// this long; zero means 30 s (HubOptions.ClientTimeoutInterval).
	ClientTimeout time.Duration
}

// Goodbye is the close message of a hub going away: the error ASP.NET
// Core's own shutdown message carries, and a reconnect allowed.
const Goodbye = `{"type":7,"error":"Server is shutting down.","allowReconnect":true}`

// Server is the hub. Its methods are safe for concurrent use.
type Server struct {
	o    Options
	addr string

	mu     sync.Mutex
	ln     net.Listener
	conns  map[*conn]bool // open connections → handshake done
	seq    int
	stop   chan struct{}
	ticker sync.WaitGroup
}

// conn is one connection: writes are serialised.
type conn struct {
	nc  net.Conn
	wmu sync.Mutex
	bye int // the invocation replaced by Goodbye (?bye=N), 0 for none
	n   int // invocations sent
}

func (c *conn) send(rec string) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return wsutil.WriteServerText(c.nc, []byte(rec+"\x1e"))
}

// Start starts the hub on addr ("127.0.0.1:0" for a free port).
func Start(addr string, o Options) (*Server, error) {
	if o.Tick <= 0 {
		o.Tick = time.Second
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = 15 * time.Second
	}
	if o.ClientTimeout <= 0 {
		o.ClientTimeout = 30 * time.Second
	}
	s := &Server{o: o, addr: addr}
	if err := s.start(); err != nil {
		return nil, err
	}
	return s, nil
}

// URL is the hub's URL.
func (s *Server) URL() string { return "ws://" + s.addr + "/hub" }

// Joined counts the connections that finished the handshake.
func (s *Server) Joined() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, j := range s.conns {
		if j {
			n++
		}
	}
	return n
}

// Restart says Goodbye on every connection and closes it (close 1000),
// stays down for down, and starts again on the same address; the
// invocations' numbers start again at 1.
func (s *Server) Restart(down time.Duration) error {
	s.shutdown()
	time.Sleep(down)
	return s.start()
}

// Close stops the hub as Restart does, for good.
func (s *Server) Close() { s.shutdown() }

func (s *Server) start() error {
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.addr = ln.Addr().String()
	s.ln, s.conns, s.seq, s.stop = ln, map[*conn]bool{}, 0, make(chan struct{})
	stop := s.stop
	s.mu.Unlock()
	go func() {
		_ = (&http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}).Serve(ln)
	}()
	s.ticker.Add(1)
	go s.stream(stop)
	return nil
}

func (s *Server) shutdown() {
	s.mu.Lock()
	if s.ln == nil {
		s.mu.Unlock()
		return
	}
	_ = s.ln.Close()
	close(s.stop)
	s.ln = nil
	conns := s.conns
	s.conns = map[*conn]bool{}
	s.mu.Unlock()
	s.ticker.Wait()
	for c, joined := range conns {
		if joined {
			_ = c.send(Goodbye)
		}
		c.wmu.Lock()
		_ = c.nc.SetWriteDeadline(time.Now().Add(time.Second))
		_ = ws.WriteFrame(c.nc, ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, "")))
		c.wmu.Unlock()
		_ = c.nc.Close()
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/hub" {
		http.NotFound(w, r)
		return
	}
	refuse := r.URL.Query().Get("refuse") == "1"
	bye, _ := strconv.Atoi(r.URL.Query().Get("bye"))
	nc, _, _, err := ws.UpgradeHTTP(r, w)
	if err != nil {
		return
	}
	c := &conn{nc: nc, bye: bye}
	s.mu.Lock()
	if s.ln == nil {
		s.mu.Unlock()
		nc.Close()
		return
	}
	s.conns[c] = false
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		nc.Close()
	}()
	_ = nc.SetReadDeadline(time.Now().Add(15 * time.Second)) // HandshakeTimeout
	msg, _, err := wsutil.ReadClientData(nc)
	if err != nil || !bytes.Equal(msg, []byte("{\"protocol\":\"json\",\"version\":1}\x1e")) {
		return
	}
	if refuse {
		_ = c.send(`{"error":"Requested protocol 'json' is not available."}`)
		return
	}
	if c.send(`{}`) != nil {
		return
	}
	s.mu.Lock()
	if _, open := s.conns[c]; open {
		s.conns[c] = true
	}
	s.mu.Unlock()
	for {
		_ = nc.SetReadDeadline(time.Now().Add(s.o.ClientTimeout))
		if _, _, err := wsutil.ReadClientData(nc); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				_ = c.send(`{"type":7,"error":"Connection closed with an error. OperationCanceledException: client timeout"}`)
			}
			return
		}
	}
}

// stream invokes "tick" and pings until stop is closed.
func (s *Server) stream(stop chan struct{}) {
	defer s.ticker.Done()
	tk, ka := time.NewTicker(s.o.Tick), time.NewTicker(s.o.KeepAlive)
	defer tk.Stop()
	defer ka.Stop()
	var to []*conn
	for {
		rec, invocation := `{"type":6}`, false
		select {
		case <-stop:
			return
		case <-ka.C:
		case <-tk.C:
			s.mu.Lock()
			s.seq++
			rec, invocation = fmt.Sprintf(`{"type":1,"target":"tick","arguments":[{"seq":%d}]}`, s.seq), true
			s.mu.Unlock()
		}
		s.mu.Lock()
		to = to[:0]
		for c, joined := range s.conns {
			if joined {
				to = append(to, c)
			}
		}
		s.mu.Unlock()
		for _, c := range to {
			if !s.deliver(c, rec, invocation) {
				_ = c.nc.Close()
			}
		}
	}
}

// deliver sends rec on c, or Goodbye instead of its bye-th invocation;
// false means c is to be closed.
func (s *Server) deliver(c *conn, rec string, invocation bool) bool {
	if invocation && c.bye > 0 {
		c.n++
		if c.n == c.bye {
			_ = c.send(Goodbye)
			return false
		}
	}
	return c.send(rec) == nil
}
