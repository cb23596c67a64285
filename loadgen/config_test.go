package loadgen

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestConfigResolveDefaults(t *testing.T) {
	c := Config{}.Resolve()
	if c.Clients != 10000 || c.RampRate != 2000 || c.Heartbeat.Mode != HeartbeatWSPing ||
		c.Heartbeat.Timeout != 3*c.Heartbeat.Interval || c.Fault.Kind != FaultAbort || c.Fault.Fraction != 1 ||
		!*c.Resume || c.Seed != 1 || c.Interval != 100*time.Millisecond || c.Shard.Count != 1 {
		t.Fatalf("defaults: %+v", c)
	}
	// Resolve is idempotent and the result survives JSON (config.json).
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back Config
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back.Resolve())
	if string(b) != string(b2) {
		t.Fatalf("round trip differs:\n%s\n%s", b, b2)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"ok zero", Config{}, ""},
		{"url", Config{URL: "ftp://x"}, "URL must start with ws://"},
		{"clients", Config{Clients: -1}, "Clients must be > 0"},
		{"heartbeat", Config{Heartbeat: Heartbeat{Mode: "x"}}, "Heartbeat.Mode must be one of"},
		{"timeout", Config{Heartbeat: Heartbeat{Interval: time.Second, Timeout: time.Second}}, "Heartbeat.Timeout must be longer than Heartbeat.Interval"},
		{"fault", Config{Fault: Fault{Kind: "x"}}, "Fault.Kind must be one of"},
		{"fraction", Config{Fault: Fault{Fraction: 2}}, "Fault.Fraction must be in (0, 1]"},
		{"crash fraction", Config{Fault: Fault{Kind: FaultCrash, Fraction: 0.5}}, "Fault.Fraction must be 1 for Fault.Kind crash"},
		{"shard", Config{Shard: Shard{Index: 3, Count: 2}}, "Shard must be i/n"},
		{"two problems", Config{Clients: -1, RampRate: -1}, "RampRate must be > 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestLocalClients(t *testing.T) {
	total := 0
	for i := 0; i < 3; i++ {
		total += localClients(10, Shard{Index: i, Count: 3})
	}
	if total != 10 || localClients(10, Shard{Index: 0, Count: 3}) != 4 {
		t.Fatalf("shards of 10 over 3: total %d", total)
	}
}

func TestClientRNGIndependentOfSharding(t *testing.T) {
	a := clientRNG(7, 42)
	b := clientRNG(7, 42)
	c := clientRNG(7, 43)
	if a.Uint64() != b.Uint64() {
		t.Fatal("same (seed, id) must give the same stream")
	}
	if a.Uint64() == c.Uint64() {
		t.Fatal("different ids should differ")
	}
}
