package loadgen_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// dnsServer is the test's own DNS server on loopback (UDP): it answers A
// queries for one name with the addresses the test sets, and nothing
// else.
type dnsServer struct {
	pc      net.PacketConn
	name    dnsmessage.Name
	mu      sync.Mutex
	addrs   []netip.Addr
	queries atomic.Int64
	done    chan struct{}
}

func startDNS(t *testing.T, name string, addrs ...netip.Addr) *dnsServer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &dnsServer{pc: pc, name: dnsmessage.MustNewName(name + "."), addrs: addrs, done: make(chan struct{})}
	go d.serve()
	t.Cleanup(func() { pc.Close(); <-d.done })
	return d
}

// set changes the answer.
func (d *dnsServer) set(addrs ...netip.Addr) {
	d.mu.Lock()
	d.addrs = addrs
	d.mu.Unlock()
}

func (d *dnsServer) serve() {
	defer close(d.done)
	buf := make([]byte, 512)
	for {
		n, from, err := d.pc.ReadFrom(buf)
		if err != nil {
			return
		}
		var p dnsmessage.Parser
		h, err := p.Start(buf[:n])
		if err != nil {
			continue
		}
		q, err := p.Question()
		if err != nil {
			continue
		}
		d.queries.Add(1)
		b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionAvailable: true})
		b.EnableCompression()
		_ = b.StartQuestions()
		_ = b.Question(q)
		_ = b.StartAnswers()
		if q.Type == dnsmessage.TypeA && strings.EqualFold(q.Name.String(), d.name.String()) {
			d.mu.Lock()
			for _, a := range d.addrs {
				_ = b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 0}, dnsmessage.AResource{A: a.As4()})
			}
			d.mu.Unlock()
		}
		out, err := b.Finish()
		if err == nil {
			_, _ = d.pc.WriteTo(out, from)
		}
	}
}

// resolver is Go's DNS client asking only d.
func (d *dnsServer) resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var dl net.Dialer
		return dl.DialContext(ctx, "udp", d.pc.LocalAddr().String())
	}}
}

// startServerAt starts the server-under-test on addr.
func startServerAt(t *testing.T, addr string) *sut.Server {
	t.Helper()
	s, err := sut.New(sut.Config{Listen: addr, Control: "127.0.0.1:0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s
}

// twoServers starts the server-under-test on 127.0.0.2 and 127.0.0.3, on
// one port.
func twoServers(t *testing.T) (a, b *sut.Server, port string) {
	t.Helper()
	a = startServerAt(t, "127.0.0.2:0")
	_, port, _ = net.SplitHostPort(a.Addr())
	b = startServerAt(t, "127.0.0.3:"+port)
	return a, b, port
}

// dnsInjector changes the DNS answer, then aborts every connection of
// both servers: the reconnects find the new answer.
type dnsInjector struct {
	dns    *dnsServer
	answer []netip.Addr
	s      []*sut.Server
}

func (in dnsInjector) Inject(ctx context.Context, _ int, _ loadgen.Fault) (loadgen.Injected, error) {
	in.dns.set(in.answer...)
	var out loadgen.Injected
	for _, s := range in.s {
		r, err := s.Fault(ctx, sut.FaultRequest{Kind: loadgen.FaultAbort})
		if err != nil {
			return out, err
		}
		if t0 := time.Unix(0, r.T0UnixNs); out.T0.IsZero() || t0.Before(out.T0) {
			out.T0 = t0
		}
		out.Affected += r.Affected
	}
	return out, nil
}

// runDNS runs cfg with the injector and returns the summary.
func runDNS(t *testing.T, cfg loadgen.Config, inj loadgen.Injector) (*reporter.Summary, error) {
	t.Helper()
	cfg = cfg.Resolve()
	start := time.Now()
	clock := func() time.Duration { return time.Since(start) }
	rec := reporter.NewRecorder(reporter.Options{Start: start})
	f, err := loadgen.NewFleet(cfg, rec, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = loadgen.Run(ctx, cfg, f, rec, loadgen.Options{Start: start, Clock: clock, Injector: inj})
	return reporter.Summarize(rec.Snapshot(clock()), reporter.SummaryOptions{}), err
}

var (
	lo2 = netip.MustParseAddr("127.0.0.2")
	lo3 = netip.MustParseAddr("127.0.0.3")
)

// TestDNSPerAttempt: the URL's host is resolved for every attempt; the
// clients spread over every address of the answer, and when the answer
// changes in the middle of the run, the reconnects follow it.
func TestDNSPerAttempt(t *testing.T) {
	if testing.Short() {
		t.Skip("a storm against two servers")
	}
	a, b, port := twoServers(t)
	dns := startDNS(t, "stormbench.test", lo2, lo3)
	const clients = 100
	var lookups atomic.Int64
	r := dns.resolver()
	counting := funcResolver(func(ctx context.Context, host string) ([]netip.Addr, error) {
		lookups.Add(1)
		return r.LookupNetIP(ctx, "ip", host)
	})
	sum, err := runDNS(t, loadgen.Config{URL: "ws://stormbench.test:" + port + "/ws", Resolver: counting,
		Clients: clients, RampRate: 2000, Hold: 200 * time.Millisecond, Fault: loadgen.Fault{Kind: loadgen.FaultAbort},
		Policy:    loadgen.Policy{Base: 50 * time.Millisecond, Max: 200 * time.Millisecond},
		Heartbeat: loadgen.Heartbeat{Interval: time.Second, Timeout: 5 * time.Second}},
		dnsInjector{dns: dns, answer: []netip.Addr{lo3}, s: []*sut.Server{a, b}})
	if err != nil {
		t.Fatal(err)
	}
	c := sum.Counters
	if st := sum.Storms[0]; st.Affected != clients || st.Recovered != clients {
		t.Fatalf("storm: affected %d, recovered %d", st.Affected, st.Recovered)
	}
	byAddr := c.Keys(measure.ConnectAddresses)
	at2, at3 := byAddr["127.0.0.2:"+port], byAddr["127.0.0.3:"+port]
	// The ramp: half the clients on each address (spread by ID); the
	// storm's reconnects: every one on the address the new answer holds.
	if at2 != clients/2 || at3 != clients/2+clients || at2+at3 != c.Get(measure.Connects) {
		t.Fatalf("connections by address %v (%d connects): want %d on 127.0.0.2 (the ramp's half) and %d on 127.0.0.3", byAddr, c.Get(measure.Connects), clients/2, clients/2+clients)
	}
	if h := sum.Histograms["connect_dns"]; h.Count != c.Get(measure.Connects) {
		t.Fatalf("connect_dns: %d values, want one per connect (%d)", h.Count, c.Get(measure.Connects))
	}
	// One lookup per attempt (and the fleet's check at its start); Go's
	// resolver lets lookups of one name in flight together share a query.
	if n := lookups.Load(); n != c.Get(measure.Attempts)+1 || dns.queries.Load() < 4 {
		t.Fatalf("%d lookups for %d attempts, %d DNS queries", n, c.Get(measure.Attempts), dns.queries.Load())
	}
}

// funcResolver is a resolver of the test's own.
type funcResolver func(ctx context.Context, host string) ([]netip.Addr, error)

func (f funcResolver) LookupNetIP(ctx context.Context, _, host string) ([]netip.Addr, error) {
	return f(ctx, host)
}

// TestDNSFailureIsACause: a lookup that fails fails its attempt with
// cause dns; --resolve's addresses need no lookup at all.
func TestDNSFailureIsACause(t *testing.T) {
	a, _, port := twoServers(t)
	var calls atomic.Int64
	failing := funcResolver(func(context.Context, string) ([]netip.Addr, error) {
		if calls.Add(1) == 1 {
			return []netip.Addr{lo2}, nil // the fleet's check at its start
		}
		return nil, &net.DNSError{Err: "no such host", Name: "stormbench.test", IsNotFound: true}
	})
	cfg := loadgen.Config{URL: "ws://stormbench.test:" + port + "/ws", Resolver: failing, Clients: 10, RampRate: 1000, Hold: -1,
		Fault:     loadgen.Fault{Kind: loadgen.FaultNone, RecoverTimeout: 500 * time.Millisecond},
		Policy:    loadgen.Policy{Base: 100 * time.Millisecond, Max: 200 * time.Millisecond, Jitter: loadgen.JitterNone},
		Heartbeat: loadgen.Heartbeat{Mode: loadgen.HeartbeatNone}}
	sum, err := runDNS(t, cfg, serverInjector{a})
	if !errors.Is(err, loadgen.ErrNoConnection) {
		t.Fatalf("run: %v, want %v", err, loadgen.ErrNoConnection)
	}
	c := sum.Counters
	if fails := c.Keys(measure.FailureCauses); fails["dns"] < 10 || fails["dns"]+fails["canceled"] != c.Get(measure.Failures) {
		t.Fatalf("failures %v: want every attempt failed with dns", fails)
	}

	// Pinned: the failing resolver is never asked again.
	calls.Store(100)
	cfg.Pin = fmt.Sprintf("stormbench.test:%s:127.0.0.2,127.0.0.3", port)
	sum, err = runDNS(t, cfg, serverInjector{a})
	if err != nil {
		t.Fatal(err)
	}
	c = sum.Counters
	byAddr := c.Keys(measure.ConnectAddresses)
	if c.Get(measure.Connects) != 10 || byAddr["127.0.0.2:"+port] != 5 || byAddr["127.0.0.3:"+port] != 5 {
		t.Fatalf("pinned: %d connects, by address %v; want 5 on each", c.Get(measure.Connects), byAddr)
	}
	if calls.Load() != 100 || sum.Histograms["connect_dns"].Count != 0 {
		t.Fatalf("pinned: %d lookups, %d connect_dns values; want none", calls.Load()-100, sum.Histograms["connect_dns"].Count)
	}
}

func TestParseResolve(t *testing.T) {
	tests := []struct {
		in    string
		host  string
		port  int
		addrs string
		err   string
	}{
		{"example.com:443:10.0.0.1", "example.com", 443, "[10.0.0.1]", ""},
		{"example.com:443:10.0.0.1,10.0.0.2", "example.com", 443, "[10.0.0.1 10.0.0.2]", ""},
		{"example.com:8443:[::1],127.0.0.1", "example.com", 8443, "[::1 127.0.0.1]", ""},
		{"[::1]:443:127.0.0.1", "::1", 443, "[127.0.0.1]", ""},
		{"example.com:443", "", 0, "", "no address"},
		{"example.com", "", 0, "", "no port"},
		{"example.com:http:10.0.0.1", "", 0, "", `port "http"`},
		{"example.com:443:10.0.0", "", 0, "", `"10.0.0" is not an IP address`},
		{"example.com:443:", "", 0, "", `"" is not an IP address`},
		{"*:443:10.0.0.1", "", 0, "", "not a wildcard"},
		{"+example.com:443:10.0.0.1", "", 0, "", "not a wildcard"},
	}
	for _, tt := range tests {
		e, err := loadgen.ParseResolve(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || e.Host != tt.host || e.Port != tt.port || fmt.Sprint(e.Addrs) != tt.addrs {
			t.Errorf("%q: %+v, %v", tt.in, e, err)
		}
	}
	for _, tt := range []struct{ url, pin, want string }{
		{"wss://example.com/ws", "example.com:443:10.0.0.1", ""},
		{"ws://Example.com:8080/ws", "example.com:8080:10.0.0.1", ""},
		{"ws://example.com/ws", "example.com:443:10.0.0.1", "Pin example.com:443 does not name URL's host and port (example.com:80)"},
		{"ws://example.com/ws", "other.com:80:10.0.0.1", "does not name URL's host and port"},
		{"ws://example.com/ws", "example.com:80", "Pin \"example.com:80\" must be host:port:addr"},
	} {
		err := loadgen.Config{URL: tt.url, Pin: tt.pin}.Validate()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s with %s: %v, want %q", tt.url, tt.pin, err, tt.want)
		}
	}
}
