package loadgen

import (
	"encoding/json"
	"slices"
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

// TestClientDrawsIndependentOfSharding builds the same fleet whole, on
// several loops, and as shards of several processes: wherever client g
// lives, its random draws (its backoff delays here) are the same, so that
// a run is reproducible whatever --workers, --loops or --shard say.
func TestClientDrawsIndependentOfSharding(t *testing.T) {
	layouts := []struct {
		name  string
		loops int
		shard Shard
	}{
		{"one loop", 1, Shard{}},
		{"three loops", 3, Shard{}},
		{"shard 0/2, two loops", 2, Shard{Index: 0, Count: 2}},
		{"shard 1/3", 1, Shard{Index: 1, Count: 3}},
		{"shard 2/5, three loops", 3, Shard{Index: 2, Count: 5}},
	}
	const clients = 60
	draws := map[uint64][]time.Duration{} // client ID → its first delays, from the first layout that holds it
	seen := map[uint64]int{}
	for _, l := range layouts {
		cfg := Config{URL: "ws://127.0.0.1:1/ws", Clients: clients, Loops: l.loops, Shard: l.shard, Seed: 7}
		f, err := NewFleet(cfg, &ruleRecorder{}, func() time.Duration { return 0 })
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, sh := range f.shards {
			for i := range sh.clients {
				c := &sh.clients[i]
				n++
				var got []time.Duration
				for k := 0; k < 5; k++ {
					d, _ := f.policy.Next(&c.bo, &c.rng, 0)
					got = append(got, d)
				}
				if want, ok := draws[c.id]; ok {
					if !slices.Equal(got, want) {
						t.Errorf("%s: client %d draws %v, elsewhere %v", l.name, c.id, got, want)
					}
				} else {
					draws[c.id] = got
				}
				seen[c.id]++
			}
		}
		_ = f.Close()
		if want := localClients(clients, cfg.Resolve().Shard); n != want {
			t.Fatalf("%s holds %d clients, want %d", l.name, n, want)
		}
	}
	for id, n := range seen {
		if n < 2 {
			continue
		}
		if id >= clients {
			t.Fatalf("client ID %d out of range", id)
		}
	}
	// Some clients live in several layouts, so the comparison happened.
	shared := 0
	for _, n := range seen {
		if n >= 3 {
			shared++
		}
	}
	if shared == 0 {
		t.Fatal("no client was in three layouts: the test compared nothing")
	}
}
