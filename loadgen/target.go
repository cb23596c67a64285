package loadgen

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"time"

	"github.com/stormbench/stormbench/internal/handshake"
	"golang.org/x/sys/unix"
)

// target is where every client of a fleet connects, prepared once: the
// server's socket address (the host name is resolved once, when the fleet
// is built, as a browser fleet behind one DNS answer would), the source
// addresses to spread over, and the upgrade request's template.
type target struct {
	family int
	server unix.Sockaddr
	srcs   []unix.Sockaddr
	tmpl   *handshake.Template
	// maxReq bounds one request: the shards' scratch buffers have this room.
	maxReq int
	// tls is set for wss:// URLs (tls.go).
	tls *tlsTarget
}

// newTarget resolves u and prepares the sockets' addresses.
func newTarget(u *url.URL, srcs []netip.Addr) (*target, error) {
	tmpl, err := handshake.NewTemplate(u, handshake.Options{})
	if err != nil {
		return nil, err
	}
	addr, err := resolve(u.Hostname())
	if err != nil {
		return nil, err
	}
	port := 80
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port <= 0 || port > 65535 {
			return nil, fmt.Errorf("--url %s: bad port %q", u.Redacted(), p)
		}
	}
	t := &target{tmpl: tmpl, maxReq: tmpl.MaxSize()}
	t.family, t.server = sockaddr(addr, port)
	for _, s := range srcs {
		fam, sa := sockaddr(s, 0)
		if fam != t.family {
			return nil, fmt.Errorf("--source-ips: %v is not of the server's address family (%v)", s, addr)
		}
		t.srcs = append(t.srcs, sa)
	}
	return t, nil
}

// resolve returns the address of host: the host itself when it is an IP,
// else the first IPv4 answer of the resolver (the first answer if none).
func resolve(host string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap(), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return netip.Addr{}, fmt.Errorf("resolve %s: %w", host, err)
	}
	for _, a := range addrs {
		if a.Unmap().Is4() {
			return a.Unmap(), nil
		}
	}
	return addrs[0], nil
}

func sockaddr(a netip.Addr, port int) (int, unix.Sockaddr) {
	a = a.Unmap()
	if a.Is4() {
		return unix.AF_INET, &unix.SockaddrInet4{Port: port, Addr: a.As4()}
	}
	return unix.AF_INET6, &unix.SockaddrInet6{Port: port, Addr: a.As16()}
}

// forLoop returns a copy of t for one event loop: unix.Connect and
// unix.Bind write into the Sockaddr they are given (its raw form), so loops
// must not share one.
func (t *target) forLoop() *target {
	c := *t
	c.server = cloneSockaddr(t.server)
	c.srcs = make([]unix.Sockaddr, len(t.srcs))
	for i, s := range t.srcs {
		c.srcs[i] = cloneSockaddr(s)
	}
	return &c
}

func cloneSockaddr(sa unix.Sockaddr) unix.Sockaddr {
	switch s := sa.(type) {
	case *unix.SockaddrInet4:
		return &unix.SockaddrInet4{Port: s.Port, Addr: s.Addr}
	case *unix.SockaddrInet6:
		return &unix.SockaddrInet6{Port: s.Port, ZoneId: s.ZoneId, Addr: s.Addr}
	}
	return sa
}
