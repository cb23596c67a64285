package looptls

import (
	"crypto/tls"
	"net"
	"sync"
)

// Server runs the server side of the TLS handshake over nc (an accepted
// *net.TCPConn) on the calling goroutine, within nc's deadlines. The
// caller goes on over TLS() (its HTTP upgrade), then hands the connection
// to a loop with Detach, or drops it with Close. On error nc is the
// caller's to close.
func Server(nc net.Conn, cfg *tls.Config) (*Conn, error) {
	return overNet(nc, tls.Server, cfg)
}

// Client is Server's client side: the handshake over a net.Conn on the
// calling goroutine, for tools and tests (the load generator's clients
// use StartClient, on sockets their loops connected).
func Client(nc net.Conn, cfg *tls.Config) (*Conn, error) {
	return overNet(nc, tls.Client, cfg)
}

func overNet(nc net.Conn, side func(net.Conn, *tls.Config) *tls.Conn, cfg *tls.Config) (*Conn, error) {
	c := &Conn{}
	c.w = wire{mode: modeNet, nc: nc, fd: -1}
	c.tc = side(&c.w, cfg)
	if err := c.tc.Handshake(); err != nil {
		return nil, err
	}
	return c, nil
}

// SessionCache is one client's TLS session cache, as each browser keeps
// its own: the latest session (a TLS 1.3 ticket, RFC 8446 §4.6.1) per
// server name. Give each client a tls.Config of its own whose
// ClientSessionCache it is (tls.Config.Clone); crypto/tls calls it from
// the handshake's goroutine and, for tickets that arrive later, from the
// loop.
type SessionCache struct {
	mu    sync.Mutex
	key   string
	state *tls.ClientSessionState
	keep  bool // forgets are ignored (Keep)
}

// Keep runs f, the cancellation of a handshake that offered this cache's
// session, with the session kept: crypto/tls forgets the session a failed
// handshake offered (a server must refuse a bad PSK binder, RFC 8446
// §4.2.11, and the client recover from it), but a handshake its client
// gave up on (a connect timeout, the drain) was refused by nobody, and a
// browser keeps its sessions then.
func (c *SessionCache) Keep(f func()) {
	c.mu.Lock()
	c.keep = true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.keep = false
		c.mu.Unlock()
	}()
	f()
}

// Get implements tls.ClientSessionCache.
func (c *SessionCache) Get(key string) (*tls.ClientSessionState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == nil || c.key != key {
		return nil, false
	}
	return c.state, true
}

// Put implements tls.ClientSessionCache: the latest session replaces the
// one kept; nil forgets it.
func (c *SessionCache) Put(key string, cs *tls.ClientSessionState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cs == nil {
		if c.key == key && !c.keep {
			c.state = nil
		}
		return
	}
	c.key, c.state = key, cs
}
