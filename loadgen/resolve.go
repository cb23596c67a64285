package loadgen

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
	"golang.org/x/sys/unix"
)

// DNS like a browser. A URL whose host is a name is resolved again for
// every attempt, on a goroutine of the attempt's own (one per lookup in
// flight, started when the attempt starts: nothing queues it), so that a
// changed record reaches the next reconnects and a slow or failing
// resolver shows where it belongs: the lookup's time is the connect_dns
// part of the connect latency, its failure the attempt's cause dns. The
// attempt's connect deadline covers it. The clients spread over every
// address the answer holds (pickAddr), and the summary counts connections
// per address (connect_addresses). --resolve pins the addresses instead,
// as curl's does.

// ResolveEntry is a --resolve setting: host:port:addr[,addr…] as curl
// takes it, the addresses to connect to for host and port instead of
// resolving the host.
type ResolveEntry struct {
	Host  string
	Port  int
	Addrs []netip.Addr
}

// ParseResolve reads a --resolve entry: host:port:addr[,addr…], with IPv6
// addresses (and an IPv6 host) in brackets, e.g.
// staging.example.com:443:10.0.0.1,10.0.0.2 or example.com:443:[::1].
func ParseResolve(s string) (ResolveEntry, error) {
	var e ResolveEntry
	bad := func(why string) (ResolveEntry, error) {
		return ResolveEntry{}, fmt.Errorf("%q must be host:port:addr[,addr…] as curl's --resolve takes it (%s)", s, why)
	}
	rest := s
	if strings.HasPrefix(rest, "[") {
		end := strings.Index(rest, "]")
		if end < 0 {
			return bad("an IPv6 host without its ]")
		}
		e.Host, rest = rest[1:end], rest[end+1:]
		if !strings.HasPrefix(rest, ":") {
			return bad("no port")
		}
		rest = rest[1:]
	} else {
		var ok bool
		if e.Host, rest, ok = strings.Cut(rest, ":"); !ok {
			return bad("no port")
		}
	}
	if e.Host == "" || e.Host == "*" || strings.HasPrefix(e.Host, "+") {
		return bad("a host name, not a wildcard")
	}
	port, addrs, ok := strings.Cut(rest, ":")
	if !ok {
		return bad("no address")
	}
	p, err := strconv.Atoi(port)
	if err != nil || p <= 0 || p > 65535 {
		return bad(fmt.Sprintf("port %q", port))
	}
	e.Port = p
	for _, a := range strings.Split(addrs, ",") {
		a = strings.TrimSpace(a)
		a = strings.TrimSuffix(strings.TrimPrefix(a, "["), "]")
		ip, err := netip.ParseAddr(a)
		if err != nil || ip.Zone() != "" {
			return bad(fmt.Sprintf("%q is not an IP address", a))
		}
		e.Addrs = append(e.Addrs, ip.Unmap())
	}
	return e, nil
}

// validateResolve checks a --resolve entry against the URL it is for.
func validateResolve(s string, u *url.URL) error {
	e, err := ParseResolve(s)
	if err != nil {
		return err
	}
	if u == nil {
		return nil
	}
	if !strings.EqualFold(e.Host, u.Hostname()) || e.Port != urlPort(u) {
		return fmt.Errorf("%s:%d does not name {URL}'s host and port (%s:%d): it would pin nothing", e.Host, e.Port, u.Hostname(), urlPort(u))
	}
	return nil
}

// resolution is one attempt's lookup in flight. Its goroutine writes the
// answer before it hands the resolution to the loop (Submit orders them).
type resolution struct {
	addrs  []netip.Addr
	err    error
	at     time.Duration
	cancel context.CancelFunc
}

// resolveAttempt starts an attempt by resolving the host: the lookup runs
// on a goroutine of its own under the attempt's connect deadline, and its
// answer comes back through the loop's queue (resolved).
func (c *client) resolveAttempt(now, start time.Duration) {
	sh := c.sh
	fl := sh.fl
	d := sh.getDial()
	d.stage = stageDNS
	c.dial = d
	c.hb.Kind = timerConnectDeadline
	deadline := start + sh.cfg.ConnectTimeout
	sh.loop.Schedule(&c.hb, deadline)
	ctx, cancel := context.WithTimeout(fl.ctx, deadline-now)
	r := &resolution{cancel: cancel}
	d.rs = r
	loop, clock, host, resolver := sh.loop, fl.clock, sh.target.host, fl.resolver
	fl.bg.Add(1)
	go func() {
		defer fl.bg.Done()
		addrs, err := resolver.LookupNetIP(ctx, "ip", host)
		cancel()
		r.addrs, r.err, r.at = addrs, err, clock()
		loop.Submit(func() { c.resolved(r) })
	}()
}

// resolved takes a lookup's answer on the loop and dials one of its
// addresses; an attempt that already ended (its deadline, the drain)
// ignores it.
func (c *client) resolved(r *resolution) {
	d := c.dial
	if d == nil || d.rs != r {
		return
	}
	d.rs = nil
	now := c.sh.loop.Now()
	if r.err != nil || len(r.addrs) == 0 {
		c.dialFailed(now, measure.FailDNS, -1)
		return
	}
	d.dnsAt = r.at
	a := r.addrs[c.pickAddr(len(r.addrs))].Unmap()
	sa := c.sh.scratchSockaddr(a, c.sh.target.port)
	c.dialTCP(now, netip.AddrPortFrom(a, uint16(c.sh.target.port)), sa)
}

// pickAddr chooses which of n addresses an attempt connects to: clients
// spread over them by ID, and a client's next attempt after a failure
// takes the next one, as a browser falls back to the next address.
func (c *client) pickAddr(n int) int {
	return int((c.id + uint64(c.attempts)) % uint64(n))
}

// scratchSockaddr fills the loop's reusable socket address with a and
// port (a resolved address: no allocation per attempt).
func (sh *shard) scratchSockaddr(a netip.Addr, port int) unix.Sockaddr {
	if a.Is4() {
		sh.sa4.Addr, sh.sa4.Port = a.As4(), port
		return &sh.sa4
	}
	sh.sa6.Addr, sh.sa6.Port = a.As16(), port
	return &sh.sa6
}
