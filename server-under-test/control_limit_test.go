package sut

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/tlsfiles"
)

// stubBackend answers the control API without a server behind it.
type stubBackend struct{}

func (stubBackend) Fault(context.Context, FaultRequest) (FaultResponse, error) {
	return FaultResponse{}, nil
}
func (stubBackend) Stats() Stats { return Stats{} }

// serveControl serves the control API of a stub backend with lim on a
// loopback listener and returns its base URL.
func serveControl(t *testing.T, lim ControlLimits) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: ControlHandlerLimited(stubBackend{}, "right-token", lim)}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// clientFrom returns an HTTP client whose connections leave from the
// loopback address src: a second client address on one machine.
func clientFrom(src string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

// get sends GET path with token and returns the status and Retry-After.
func get(t *testing.T, c *http.Client, base, path, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// TestControlLimits: beyond its burst an address gets 429 with
// Retry-After; once its wrong tokens are spent even the right token is
// refused unread; another address is not held back by either. The rates
// are tiny, so that no bucket refills while the test runs.
func TestControlLimits(t *testing.T) {
	tests := []struct {
		name string
		lim  ControlLimits
		// reqs are the tokens of the requests sent from 127.0.0.1, in
		// order ("" = none), with the status each must get.
		reqs  []string
		codes []int
		// path of the requests.
		path string
	}{
		{"requests beyond the burst", ControlLimits{Rate: 0.001, Burst: 3, FailRate: 0.001, FailBurst: 10},
			[]string{"right-token", "right-token", "right-token", "right-token"}, []int{200, 200, 200, 429}, "/stats"},
		{"healthz counts too", ControlLimits{Rate: 0.001, Burst: 2, FailRate: 0.001, FailBurst: 10},
			[]string{"", "", ""}, []int{200, 200, 429}, "/healthz"},
		{"wrong tokens spent", ControlLimits{Rate: 1000, Burst: 1000, FailRate: 0.001, FailBurst: 2},
			[]string{"guess-1", "guess-2", "guess-3", "right-token"}, []int{401, 401, 429, 429}, "/stats"},
		{"no token counts as wrong", ControlLimits{Rate: 1000, Burst: 1000, FailRate: 0.001, FailBurst: 1},
			[]string{"", "right-token"}, []int{401, 429}, "/stats"},
		{"right tokens spend nothing", ControlLimits{Rate: 1000, Burst: 1000, FailRate: 0.001, FailBurst: 1},
			[]string{"right-token", "right-token", "right-token", "guess", "right-token"}, []int{200, 200, 200, 401, 429}, "/stats"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := serveControl(t, tt.lim)
			c := clientFrom("127.0.0.1")
			for i, tok := range tt.reqs {
				code, retry := get(t, c, base, tt.path, tok)
				if code != tt.codes[i] {
					t.Fatalf("request %d (token %q): %d, want %d", i+1, tok, code, tt.codes[i])
				}
				if code == http.StatusTooManyRequests {
					if s, err := strconv.Atoi(retry); err != nil || s < 1 || s > 3600 {
						t.Fatalf("429 with Retry-After %q, want 1–3600 seconds", retry)
					}
				}
			}
			// Another address has buckets of its own.
			if code, _ := get(t, clientFrom("127.0.0.2"), base, tt.path, "right-token"); code != http.StatusOK {
				t.Fatalf("another address: %d, want 200", code)
			}
		})
	}
}

// TestControlLimiterForgets: an address idle until its buckets are full
// again is forgotten once the table is full, and a full table of active
// addresses puts newcomers in one shared pair of buckets: memory stays
// bounded whatever the number of addresses.
func TestControlLimiterForgets(t *testing.T) {
	l := newControlLimiter(ControlLimits{Rate: 10, Burst: 10, FailRate: 1, FailBurst: 10})
	now := time.Unix(1000, 0)
	l.now = func() time.Time { return now }
	req := func(i int) *http.Request {
		return &http.Request{RemoteAddr: net.JoinHostPort(net.IPv4(10, byte(i>>16), byte(i>>8), byte(i)).String(), "1")}
	}
	for i := range maxControlPeers {
		l.peer(req(i), now)
	}
	if p := l.peer(req(maxControlPeers), now); p != l.overflow || len(l.peers) != maxControlPeers {
		t.Fatalf("a newcomer to a full table of active addresses: own buckets (%d kept)", len(l.peers))
	}
	now = now.Add(l.refill())
	if p := l.peer(req(maxControlPeers+1), now); p == l.overflow || len(l.peers) != 1 {
		t.Fatalf("after %v idle: %d addresses kept, want only the newcomer", l.refill(), len(l.peers))
	}
	// An IPv4 address mapped into IPv6 is the IPv4 address.
	a := l.peer(&http.Request{RemoteAddr: "[::ffff:10.0.0.1]:5"}, now)
	b := l.peer(&http.Request{RemoteAddr: "10.0.0.1:6"}, now)
	if a != b {
		t.Fatal("::ffff:10.0.0.1 and 10.0.0.1 have different buckets")
	}
}

// TestControlTLS: with ControlTLS the control API speaks HTTPS with the
// server's certificate, and plain HTTP gets nothing.
func TestControlTLS(t *testing.T) {
	certPEM, keyPEM, err := tlsfiles.GenerateSelfSigned([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := startServer(t, Config{ControlTLS: true, TLS: &TLS{Material: &TLSMaterial{Cert: certPEM, Key: keyPEM}}})
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	https := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	ctl := &ControlClient{Base: "https://" + s.ControlAddr(), Token: "secret", HTTP: https}
	if _, err := ctl.Stats(context.Background(), false); err != nil {
		t.Fatalf("stats over https: %v", err)
	}
	if s.Config().ControlScheme() != "https" {
		t.Fatalf("scheme %q", s.Config().ControlScheme())
	}
	plain := &ControlClient{Base: "http://" + s.ControlAddr(), Token: "secret", HTTP: &http.Client{Timeout: 5 * time.Second}}
	if _, err := plain.Stats(context.Background(), false); err == nil {
		t.Fatal("plain http to an https control API answered")
	}
	// An untrusted certificate is refused by a verifying client.
	untrusted := &ControlClient{Base: "https://" + s.ControlAddr(), Token: "secret", HTTP: &http.Client{Timeout: 5 * time.Second}}
	if _, err := untrusted.Stats(context.Background(), false); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted certificate: %v", err)
	}
}

// TestControlAddressRules: a control API beyond loopback needs a token
// long enough; ControlTLS needs the server's certificate.
func TestControlAddressRules(t *testing.T) {
	long := strings.Repeat("k", MinRemoteTokenLen)
	tests := []struct {
		name string
		cfg  Config
		err  string // "" = valid
	}{
		{"loopback, no token", Config{Control: "127.0.0.1:8081"}, ""},
		{"localhost, short token", Config{Control: "localhost:8081", ControlToken: "x"}, ""},
		{"ipv6 loopback", Config{Control: "[::1]:8081"}, ""},
		{"beyond loopback, no token", Config{Control: "198.18.0.1:8081"}, "ControlToken must be at least 16 characters"},
		{"beyond loopback, short token", Config{Control: "198.18.0.1:8081", ControlToken: long[1:]}, "(got 15)"},
		{"beyond loopback, token", Config{Control: "198.18.0.1:8081", ControlToken: long}, ""},
		{"every interface", Config{Control: ":8081", ControlToken: "short"}, "listens beyond loopback"},
		{"a name", Config{Control: "staging:8081"}, "listens beyond loopback"},
		{"not host:port", Config{Control: "8081"}, "Control must be host:port"},
		{"tls without certificate", Config{ControlTLS: true}, "ControlTLS serves the control API with the server's certificate"},
		{"tls", Config{ControlTLS: true, TLS: &TLS{CertFile: "c.pem", KeyFile: "k.pem"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.err == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("error %v, want %q", err, tt.err)
			}
		})
	}
}
