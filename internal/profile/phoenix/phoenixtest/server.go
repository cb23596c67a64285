// Package phoenixtest is a Phoenix endpoint reduced to what the phoenix
// profile meets, written to the protocol for tests: Phoenix itself cannot
// be installed where stormbench is developed (it comes from hex.pm). The
// profile's own tests and the end-to-end test of run --protocol phoenix
// (cmd/stormbench) start it in-process on a loopback port.
//
// It serves one socket at /socket/websocket, in the V2 JSON serializer
// only (an upgrade without vsn=2.0.0 is refused with 400, as the V1
// serializer is not spoken). Channels:
//
//   - room:lobby joins with any payload; every Options.Tick the server
//     broadcasts [null,null,"room:lobby","tick",{"seq":n}] to every socket
//     that joined it, n counting from 1 in each start of the server, as a
//     Phoenix.PubSub broadcast of a real application would;
//   - room:secret refuses a join without {"token":"sesame"} with
//     {"reason":"unauthorized"};
//   - any other topic is refused with {"reason":"unmatched topic"}, as
//     Phoenix answers a topic no channel serves.
//
// A heartbeat ([null,ref,"phoenix","heartbeat",{}]) is answered with a
// phx_reply {"status":"ok"}; a socket the client was silent on for
// Options.Timeout is dropped, as Phoenix's websocket transport does after
// 60 s. Restart ends every socket the way an endpoint shutting down drains
// them (close 1012, service restart), stays down, and starts again on the
// same address.
package phoenixtest

import (
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// Options are the server's settings; zero means Phoenix's own.
type Options struct {
	// Tick is how often room:lobby is broadcast to; zero means 1 s.
	Tick time.Duration
	// Timeout drops a socket the client sent nothing on for this long;
	// zero means 60 s (Phoenix's websocket transport).
	Timeout time.Duration
}

// Server is the endpoint. Its methods are safe for concurrent use.
type Server struct {
	o    Options
	addr string

	mu     sync.Mutex
	ln     net.Listener
	conns  map[*conn]bool // open sockets → joined room:lobby
	seq    int
	stop   chan struct{} // closed when the running server stops
	ticker sync.WaitGroup
}

// conn is one socket: writes are serialised.
type conn struct {
	nc  net.Conn
	wmu sync.Mutex
}

func (c *conn) send(v ...any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return wsutil.WriteServerText(c.nc, b)
}

// Start starts the server on addr ("127.0.0.1:0" for a free port).
func Start(addr string, o Options) (*Server, error) {
	if o.Tick <= 0 {
		o.Tick = time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	s := &Server{o: o, addr: addr}
	if err := s.start(); err != nil {
		return nil, err
	}
	return s, nil
}

// URL is the socket's endpoint as phoenix.js is given it (the profile
// adds /websocket and vsn).
func (s *Server) URL() string { return "ws://" + s.addr + "/socket" }

// Joined counts the sockets joined to room:lobby.
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

// Restart ends every socket as an endpoint shutting down does (close
// 1012), stays down for down, and starts again on the same address; the
// broadcast's numbers start again at 1.
func (s *Server) Restart(down time.Duration) error {
	s.shutdown(1012) // service restart (RFC 6455 §7.4, IANA registry)
	time.Sleep(down)
	return s.start()
}

// Close stops the server: every socket ends with 1001 (going away).
func (s *Server) Close() { s.shutdown(ws.StatusGoingAway) }

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
	go s.broadcast(stop)
	return nil
}

func (s *Server) shutdown(code ws.StatusCode) {
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
	for c := range conns {
		c.wmu.Lock()
		_ = c.nc.SetWriteDeadline(time.Now().Add(time.Second))
		_ = ws.WriteFrame(c.nc, ws.NewCloseFrame(ws.NewCloseFrameBody(code, "")))
		c.wmu.Unlock()
		_ = c.nc.Close()
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/socket/websocket" || r.URL.Query().Get("vsn") != "2.0.0" {
		http.Error(w, "want /socket/websocket?vsn=2.0.0", http.StatusBadRequest)
		return
	}
	nc, _, _, err := ws.UpgradeHTTP(r, w)
	if err != nil {
		return
	}
	c := &conn{nc: nc}
	s.mu.Lock()
	if s.ln == nil { // stopped meanwhile
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
	for {
		_ = nc.SetReadDeadline(time.Now().Add(s.o.Timeout))
		msg, op, err := wsutil.ReadClientData(nc)
		if err != nil {
			return // the timeout, a close, or the client went
		}
		var m [5]json.RawMessage
		var joinRef, ref, topic, event *string
		if op != ws.OpText || json.Unmarshal(msg, &m) != nil ||
			json.Unmarshal(m[0], &joinRef) != nil || json.Unmarshal(m[1], &ref) != nil ||
			json.Unmarshal(m[2], &topic) != nil || json.Unmarshal(m[3], &event) != nil || topic == nil || event == nil {
			return
		}
		reply := func(status string, response any) error {
			return c.send(joinRef, ref, *topic, "phx_reply", map[string]any{"status": status, "response": response})
		}
		switch {
		case *topic == "phoenix" && *event == "heartbeat":
			err = reply("ok", map[string]any{})
		case *event == "phx_join" && *topic == "room:lobby":
			if err = reply("ok", map[string]any{}); err == nil {
				s.mu.Lock()
				if _, open := s.conns[c]; open {
					s.conns[c] = true
				}
				s.mu.Unlock()
			}
		case *event == "phx_join" && *topic == "room:secret":
			var payload struct{ Token string }
			if json.Unmarshal(m[4], &payload) != nil || payload.Token != "sesame" {
				err = reply("error", map[string]any{"reason": "unauthorized"})
			} else {
				err = reply("ok", map[string]any{})
			}
		case *event == "phx_join":
			joinRef = nil
			err = reply("error", map[string]any{"reason": "unmatched topic"})
		}
		if err != nil {
			return
		}
	}
}

// broadcast sends room:lobby's ticks until stop is closed.
func (s *Server) broadcast(stop chan struct{}) {
	defer s.ticker.Done()
	tk := time.NewTicker(s.o.Tick)
	defer tk.Stop()
	var to []*conn
	for {
		select {
		case <-stop:
			return
		case <-tk.C:
		}
		s.mu.Lock()
		s.seq++
		seq := s.seq
		to = to[:0]
		for c, joined := range s.conns {
			if joined {
				to = append(to, c)
			}
		}
		s.mu.Unlock()
		for _, c := range to {
			if c.send(nil, nil, "room:lobby", "tick", map[string]int{"seq": seq}) != nil {
				_ = c.nc.Close()
			}
		}
	}
}
