package loadgen

import (
	"net/netip"
	"strings"
	"testing"
)

func TestPreflight(t *testing.T) {
	here := Machine{FileLimit: 20000, PortsPerAddr: 28232, MemAvailable: 24 << 30}
	tests := []struct {
		name string
		plan Plan
		want string // "" = fits
	}{
		{"default run", Plan{Clients: 10000, Workers: 1, ServerWorkers: 1, ServerHandshakes: 512}, ""},
		{"100k with defaults", Plan{Clients: 100000, Workers: 6, SourceAddrs: 5, ServerWorkers: 7, ServerHandshakes: 512}, ""},
		{"too few workers", Plan{Clients: 100000, Workers: 2, SourceAddrs: 5}, "use Workers ≥ 6"},
		{"too few server workers", Plan{Clients: 100000, Workers: 6, SourceAddrs: 5, ServerWorkers: 2, ServerHandshakes: 512}, "ServerWorkers 2:"},
		{"too few ports", Plan{Clients: 100000, Workers: 6, SourceAddrs: 1}, "give SourceAddrs with ≥ 5 addresses"},
		{"too much memory", Plan{Clients: 3000000, Workers: 200, SourceAddrs: 200}, "Clients 3000000: needs about"},
		// wss: one descriptor per connection, as ws, and the memory of its TLS state.
		{"20k wss, 2 workers each side", Plan{Clients: 20000, Workers: 2, SourceAddrs: 5, ServerWorkers: 2, ServerHandshakes: 512, TLS: true}, ""},
		{"20k ws, 2 workers each side", Plan{Clients: 20000, Workers: 2, SourceAddrs: 5, ServerWorkers: 2, ServerHandshakes: 512}, ""},
		{"30k wss, 1 worker", Plan{Clients: 30000, Workers: 1, SourceAddrs: 8, TLS: true}, "would hold 30064 sockets"},
		{"30k wss, 1 worker: remedy", Plan{Clients: 30000, Workers: 1, SourceAddrs: 8, TLS: true}, "use Workers ≥ 2"},
		{"1M wss memory", Plan{Clients: 1000000, Workers: 60, SourceAddrs: 250, ServerWorkers: 80, ServerHandshakes: 512, TLS: true}, "Clients 1000000: needs about"},
		{"1M ws memory", Plan{Clients: 1000000, Workers: 60, SourceAddrs: 250, ServerWorkers: 80, ServerHandshakes: 512}, ""},
		{"300k ws memory", Plan{Clients: 300000, Workers: 60, SourceAddrs: 80, ServerWorkers: 80, ServerHandshakes: 512}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Preflight(tt.plan, here)
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
	if err := Preflight(Plan{Clients: 1 << 30, Workers: 1}, Machine{}); err != nil {
		t.Fatalf("unknown machine facts must skip the checks: %v", err)
	}
}

func TestAutoSourceAddrs(t *testing.T) {
	m := Machine{PortsPerAddr: 28232}
	lo := netip.MustParseAddr("127.0.0.1")
	if got := AutoSourceAddrs(lo, 4096, m); got != nil {
		t.Fatalf("4096 clients need no spreading, got %v", got)
	}
	got := AutoSourceAddrs(lo, 100000, m)
	if len(got) != 25 || got[0].String() != "127.0.0.2" || got[24].String() != "127.0.0.26" {
		t.Fatalf("100k clients: %v", got)
	}
	if AutoSourceAddrs(netip.MustParseAddr("10.0.0.1"), 100000, m) != nil {
		t.Fatal("remote targets are not spread automatically")
	}
	// The automatic choice passes the preflight's port check.
	if err := Preflight(Plan{Clients: 100000, Workers: 6, SourceAddrs: len(got)}, m); err != nil {
		t.Fatal(err)
	}
}

func TestParseSourceIPs(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		last string
		err  string
	}{
		{"127.0.0.2-127.0.0.40", 39, "127.0.0.40", ""},
		{"10.0.0.1, 10.0.0.5,127.0.0.2-127.0.0.3", 4, "127.0.0.3", ""},
		{"::1", 1, "::1", ""},
		{"127.0.0.9-127.0.0.2", 0, "", "lower to a higher"},
		{"nope", 0, "", `"nope" is not an IP address`},
		{"127.0.0.1-::2", 0, "", "one family"},
		{",", 0, "", "no address"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSourceIPs(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || len(got) != tt.n || got[len(got)-1].String() != tt.last {
				t.Fatalf("got %v, %v", got, err)
			}
		})
	}
}

func FuzzParseSourceIPs(f *testing.F) {
	f.Add("127.0.0.2-127.0.0.40")
	f.Add("10.0.0.1,::1")
	f.Fuzz(func(t *testing.T, s string) {
		ips, err := ParseSourceIPs(s)
		if err == nil && (len(ips) == 0 || len(ips) > 65537) {
			t.Fatalf("%q gave %d addresses", s, len(ips))
		}
	})
}
