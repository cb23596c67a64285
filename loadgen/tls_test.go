package loadgen_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/internal/tlsfiles"
	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// pemPair is a throwaway self-signed certificate (its own CA) and its key.
type pemPair struct{ cert, key []byte }

func selfSigned(t *testing.T, hosts ...string) pemPair {
	t.Helper()
	c, k, err := tlsfiles.GenerateSelfSigned(hosts)
	if err != nil {
		t.Fatal(err)
	}
	return pemPair{c, k}
}

// startTLSServer starts the server-under-test on loopback serving wss://
// with srv's certificate; with clientCA it requires client certificates
// that chain to it.
func startTLSServer(t *testing.T, cfg sut.Config, srv pemPair, clientCA []byte) *sut.Server {
	t.Helper()
	cfg.Listen, cfg.Control = "127.0.0.1:0", "127.0.0.1:0"
	cfg.TLS = &sut.TLS{Generated: true, Material: &sut.TLSMaterial{Cert: srv.cert, Key: srv.key, ClientCA: clientCA}}
	s, err := sut.New(cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s
}

// runWSS runs one scenario of cfg against s over wss:// and returns the
// summary and the run's error (ErrNoConnection when nothing connected).
func runWSS(t *testing.T, s *sut.Server, cfg loadgen.Config) (*reporter.Summary, error) {
	t.Helper()
	cfg.URL = "wss://" + s.Addr() + "/ws"
	cfg = cfg.Resolve()
	start := time.Now()
	clock := func() time.Duration { return time.Since(start) }
	rec := reporter.NewRecorder(reporter.Options{Start: start})
	f, err := loadgen.NewFleet(cfg, rec, clock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = loadgen.Run(ctx, cfg, f, rec, loadgen.Options{Start: start, Clock: clock, Injector: serverInjector{s}})
	st, serr := f.Status()
	if serr == nil && st.InvalidTransitions != 0 {
		t.Errorf("%d invalid state transitions", st.InvalidTransitions)
	}
	return reporter.Summarize(rec.Snapshot(clock()), reporter.SummaryOptions{}), err
}

// TestTLSHandshakeOutcomes: what the clients trust and present decides
// whether the TLS handshake succeeds; a refused one is a failure of cause
// tls, every time, and never takes the connection further.
func TestTLSHandshakeOutcomes(t *testing.T) {
	srvCert := selfSigned(t, "127.0.0.1", "localhost", "::1")
	otherCA := selfSigned(t, "127.0.0.1")
	clientA := selfSigned(t, "client-a")
	clientB := selfSigned(t, "client-b")
	tests := []struct {
		name     string
		clientCA []byte // the server requires client certificates of this CA
		tls      loadgen.TLS
		ok       bool
	}{
		{"trusted CA", nil, loadgen.TLS{Material: &loadgen.TLSMaterial{CA: srvCert.cert}}, true},
		{"wrong CA", nil, loadgen.TLS{Material: &loadgen.TLSMaterial{CA: otherCA.cert}}, false},
		{"system roots", nil, loadgen.TLS{Material: &loadgen.TLSMaterial{}}, false},
		{"insecure", nil, loadgen.TLS{Insecure: true, Material: &loadgen.TLSMaterial{}}, true},
		{"client cert accepted", clientA.cert,
			loadgen.TLS{Material: &loadgen.TLSMaterial{CA: srvCert.cert, Cert: clientA.cert, Key: clientA.key}}, true},
		{"client cert missing", clientA.cert, loadgen.TLS{Material: &loadgen.TLSMaterial{CA: srvCert.cert}}, false},
		{"client cert of another CA", clientA.cert,
			loadgen.TLS{Material: &loadgen.TLSMaterial{CA: srvCert.cert, Cert: clientB.cert, Key: clientB.key}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startTLSServer(t, sut.Config{}, srvCert, tt.clientCA)
			const clients = 20
			sum, err := runWSS(t, s, loadgen.Config{Clients: clients, RampRate: 1000, Hold: -1, Loops: 1, TLS: tt.tls,
				Fault:     loadgen.Fault{Kind: loadgen.FaultNone, RecoverTimeout: 1500 * time.Millisecond},
				Policy:    loadgen.Policy{Base: 100 * time.Millisecond, Max: 200 * time.Millisecond, Jitter: loadgen.JitterNone},
				Heartbeat: loadgen.Heartbeat{Mode: loadgen.HeartbeatNone}})
			c := sum.Counters
			if !tt.ok {
				if !errors.Is(err, loadgen.ErrNoConnection) {
					t.Fatalf("run: %v, want %v", err, loadgen.ErrNoConnection)
				}
				if c.Get(measure.Connects) != 0 || c.Get(measure.Failures) < 2*clients || c.Keys(measure.FailureCauses)["tls"]+c.Keys(measure.FailureCauses)["canceled"] != c.Get(measure.Failures) {
					t.Fatalf("connects %d, failures %d by cause %v: want every attempt failed with cause tls", c.Get(measure.Connects), c.Get(measure.Failures), c.Keys(measure.FailureCauses))
				}
				if st := s.Stats().Counters; st.Handshakes != 0 || st.TLSErrors == 0 {
					t.Fatalf("server: %d upgrades, %d TLS errors", st.Handshakes, st.TLSErrors)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Get(measure.Connects) != clients || c.Get(measure.Failures) != 0 {
				t.Fatalf("connects %d failures %d (%v), want %d and 0", c.Get(measure.Connects), c.Get(measure.Failures), c.Keys(measure.FailureCauses), clients)
			}
			for _, m := range []string{"connect_tcp", "connect_tls", "connect_upgrade"} {
				if h := sum.Histograms[m]; h.Count != clients || h.Max <= 0 {
					t.Errorf("%s: %d values, max %v ms; want %d, > 0", m, h.Count, h.Max, clients)
				}
			}
			if tot, tls := sum.Histograms["connect_latency"].Max, sum.Histograms["connect_tls"].Max; tls > tot {
				t.Errorf("tls part %v ms exceeds the whole %v ms", tls, tot)
			}
		})
	}
}

// TestTLSFleetStorms: over wss, every fault is detected by the cause it
// has over ws — the loop reads the socket itself, so an RST is a reset —
// and every client recovers without losing a message.
func TestTLSFleetStorms(t *testing.T) {
	if testing.Short() {
		t.Skip("real loopback storms take seconds")
	}
	srvCert := selfSigned(t, "127.0.0.1")
	// Faults the socket reports get a heartbeat timeout that cannot come
	// first: the reconnects' handshakes share two cores with both sides'
	// loops here. A silent one needs heartbeats to be found at all.
	loud := loadgen.Heartbeat{Interval: time.Second, Timeout: 5 * time.Second}
	silent := loadgen.Heartbeat{Interval: 300 * time.Millisecond, Timeout: 1200 * time.Millisecond}
	tests := []struct {
		name   string
		fault  loadgen.Fault
		hb     loadgen.Heartbeat
		causes []string
	}{
		{"client reset", loadgen.Fault{Kind: loadgen.FaultReset}, loud, []string{"client_abort"}},
		// An RST is read as a reset; as over ws, a write that met it first
		// (the kernel reports it once) may leave a plain EOF behind: rare.
		{"server abort", loadgen.Fault{Kind: loadgen.FaultAbort}, loud, []string{"reset", "eof"}},
		{"server close", loadgen.Fault{Kind: loadgen.FaultClose}, loud, []string{"close_frame"}},
		{"server blackhole", loadgen.Fault{Kind: loadgen.FaultBlackhole, Duration: 1500 * time.Millisecond}, silent, []string{"heartbeat_timeout"}},
		{"client partition", loadgen.Fault{Kind: loadgen.FaultPartition, Duration: 1500 * time.Millisecond}, silent, []string{"heartbeat_timeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const clients = 300
			s := startTLSServer(t, sut.Config{BroadcastInterval: 50 * time.Millisecond}, srvCert, nil)
			sum, err := runWSS(t, s, loadgen.Config{Clients: clients, RampRate: 3000, Hold: 300 * time.Millisecond, Fault: tt.fault,
				TLS:    loadgen.TLS{Material: &loadgen.TLSMaterial{CA: srvCert.cert}},
				Policy: loadgen.Policy{Base: 50 * time.Millisecond, Max: time.Second}, Heartbeat: tt.hb})
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.Storms) != 1 {
				t.Fatalf("%d storms", len(sum.Storms))
			}
			st := sum.Storms[0]
			if st.Affected != clients || st.Detected != clients || st.Recovered != clients {
				t.Fatalf("affected %d detected %d recovered %d, want %d", st.Affected, st.Detected, st.Recovered, clients)
			}
			for cause, n := range st.DetectCauses {
				if !contains(tt.causes, cause) {
					t.Errorf("detected %d × %s, want only %v", n, cause, tt.causes)
				}
			}
			if n := st.DetectCauses[tt.causes[0]]; n < clients*99/100 {
				t.Errorf("detected %d × %s of %d (%v), want ≥ 99 %%", n, tt.causes[0], clients, st.DetectCauses)
			}
			if c := sum.Counters; c.Get(measure.MessagesLost) != 0 || c.Get(measure.MessagesDuplicated) != 0 || c.Get(measure.MessagesReceived) == 0 {
				t.Errorf("messages received %d, lost %d, duplicated %d", c.Get(measure.MessagesReceived), c.Get(measure.MessagesLost), c.Get(measure.MessagesDuplicated))
			}
			if h := sum.Histograms["connect_tls"]; h.Count != sum.Counters.Get(measure.Connects) || h.P50 <= 0 {
				t.Errorf("connect_tls: %d values (p50 %v ms), want one per connect (%d)", h.Count, h.P50, sum.Counters.Get(measure.Connects))
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestTLSSettingsValidate: TLS settings are checked against each other and
// the URL's scheme, naming the field.
func TestTLSSettingsValidate(t *testing.T) {
	tests := []struct {
		name string
		url  string
		tls  loadgen.TLS
		want string // "" = valid
	}{
		{"wss with a CA", "wss://127.0.0.1:1/ws", loadgen.TLS{CACert: "ca.pem"}, ""},
		{"wss with a client certificate", "wss://h/ws", loadgen.TLS{ClientCert: "c.pem", ClientKey: "k.pem"}, ""},
		{"URL not known yet", "", loadgen.TLS{CACert: "ca.pem"}, ""},
		{"ws with a CA", "ws://127.0.0.1:1/ws", loadgen.TLS{CACert: "ca.pem"}, "TLS.CACert is for wss:// URLs: URL is ws://"},
		{"ws insecure", "ws://127.0.0.1:1/ws", loadgen.TLS{Insecure: true}, "TLS.Insecure is for wss:// URLs"},
		{"certificate without key", "wss://h/ws", loadgen.TLS{ClientCert: "c.pem"}, "TLS.ClientCert needs TLS.ClientKey"},
		{"key without certificate", "wss://h/ws", loadgen.TLS{ClientKey: "k.pem"}, "TLS.ClientKey needs TLS.ClientCert"},
		{"insecure with a CA", "wss://h/ws", loadgen.TLS{Insecure: true, CACert: "ca.pem"}, "TLS.Insecure skips verifying"},
		{"ftp", "ftp://h/ws", loadgen.TLS{}, "URL must start with ws:// or wss://"},
		{"curves", "wss://h/ws", loadgen.TLS{Curves: []string{"x25519", "p256", "x25519mlkem768"}}, ""},
		{"unknown curve", "wss://h/ws", loadgen.TLS{Curves: []string{"x25519", "curve448"}}, `TLS.Curves must be key exchanges among x25519mlkem768, `},
		{"min version 1.3", "wss://h/ws", loadgen.TLS{MinVersion: "1.3"}, ""},
		{"min version 1.1", "wss://h/ws", loadgen.TLS{MinVersion: "1.1"}, `TLS.MinVersion must be 1.2 or 1.3 (got "1.1")`},
		{"ws resume", "ws://h/ws", loadgen.TLS{Resume: true}, "TLS.Resume is for wss:// URLs"},
		{"ws curves", "ws://h/ws", loadgen.TLS{Curves: []string{"x25519"}}, "TLS.Curves is for wss:// URLs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := loadgen.Config{URL: tt.url, TLS: tt.tls}.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestTLSResumeAcrossRestart: clients that keep their sessions resume
// them after the server's restart, counted per storm, unless the server
// makes a new ticket key at its restart; clients without one never do.
func TestTLSResumeAcrossRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("a restart storm over wss")
	}
	srvCert := selfSigned(t, "127.0.0.1")
	tests := []struct {
		name             string
		resume, perStart bool
		resumed          bool // the storm's reconnects resume
	}{
		{"resume, one ticket key", true, false, true},
		{"resume, a new key at the restart", true, true, false},
		{"no session cache", false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const clients = 100
			var s *sut.Server
			if tt.perStart {
				s = startTLSServerPerStart(t, srvCert)
			} else {
				s = startTLSServer(t, sut.Config{}, srvCert, nil)
			}
			sum, err := runWSS(t, s, loadgen.Config{Clients: clients, RampRate: 2000, Hold: 200 * time.Millisecond,
				Fault:     loadgen.Fault{Kind: loadgen.FaultRestart, Duration: 300 * time.Millisecond},
				TLS:       loadgen.TLS{Resume: tt.resume, Material: &loadgen.TLSMaterial{CA: srvCert.cert}},
				Policy:    loadgen.Policy{Base: 100 * time.Millisecond, Max: 500 * time.Millisecond},
				Heartbeat: loadgen.Heartbeat{Interval: time.Second, Timeout: 5 * time.Second}})
			if err != nil {
				t.Fatal(err)
			}
			c := sum.Counters
			full, resumed := c.Get(measure.TLSHandshakesFull), c.Get(measure.TLSHandshakesResumed)
			// A handshake is counted when it is done: an attempt whose
			// upgrade then failed counts one too.
			if full+resumed < c.Get(measure.Connects) || full < clients {
				t.Fatalf("%d full and %d resumed handshakes, %d connects: want ≥ %d full (the ramp)", full, resumed, c.Get(measure.Connects), clients)
			}
			st := sum.Storms[0]
			sf, sr := st.Counts["tls_handshakes_full"], st.Counts["tls_handshakes_resumed"]
			if st.Recovered != clients || sf+sr < clients {
				t.Fatalf("storm: recovered %d, %d full and %d resumed handshakes", st.Recovered, sf, sr)
			}
			if tt.resumed && (sr < clients || sf != 0) || !tt.resumed && sr != 0 {
				t.Fatalf("storm: %d full and %d resumed handshakes; want resumed: %v", sf, sr, tt.resumed)
			}
		})
	}
}

// startTLSServerPerStart is startTLSServer with a new ticket key at every
// start and restart.
func startTLSServerPerStart(t *testing.T, srv pemPair) *sut.Server {
	t.Helper()
	cfg := sut.Config{Listen: "127.0.0.1:0", Control: "127.0.0.1:0",
		TLS: &sut.TLS{Generated: true, TicketKeyPerStart: true, Material: &sut.TLSMaterial{Cert: srv.cert, Key: srv.key}}}
	s, err := sut.New(cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s
}
