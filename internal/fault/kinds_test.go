package fault

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestKindsRoundTrip: every kind parses back from its name, in text and
// in JSON, and the JSON is the bare name as results files hold it.
func TestKindsRoundTrip(t *testing.T) {
	for _, k := range Kinds() {
		got, err := Parse(k.String())
		if err != nil || got != k {
			t.Errorf("Parse(%q) = %q, %v", k, got, err)
		}
		b, err := json.Marshal(struct {
			K Kind `json:"kind"`
		}{k})
		if err != nil || string(b) != `{"kind":"`+string(k)+`"}` {
			t.Errorf("JSON of %s: %s, %v", k, b, err)
		}
		var back struct {
			K Kind `json:"kind"`
		}
		if err := json.Unmarshal(b, &back); err != nil || back.K != k {
			t.Errorf("JSON %s read back as %q, %v", b, back.K, err)
		}
	}
	for _, bad := range []string{"", "x", "Abort", "exec:ls"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

// TestKindsNamesUnchanged: the names are written in config.json,
// summary.json, --fault and the control API; they must not change.
func TestKindsNamesUnchanged(t *testing.T) {
	want := []Kind{"close", "restart", "abort", "crash", "blackhole", "reset", "partition", "exec", "observe", "none"}
	if got := Kinds(); !slices.Equal(got, want) {
		t.Fatalf("Kinds() = %v, want %v", got, want)
	}
	if got := KindsBy(ByServer); !slices.Equal(got, []Kind{Close, Restart, Abort, Blackhole}) {
		t.Fatalf("server kinds %v", got)
	}
	Kinds()[0] = "changed"
	if Kinds()[0] != Close {
		t.Fatal("Kinds shares its slice")
	}
}

// TestKindsTableConsistent checks the table's rows against each other:
// what one property implies of another.
func TestKindsTableConsistent(t *testing.T) {
	seen := map[Kind]bool{}
	for _, b := range kinds {
		k := b.Kind
		if seen[k] {
			t.Errorf("%s: twice in the table", k)
		}
		seen[k] = true
		if b.By == 0 || b.By.String() == "unknown" {
			t.Errorf("%s: nobody applies it", k)
		}
		if b.Doc == "" {
			t.Errorf("%s: no Doc", k)
		}
		if k.Behaviour() != b || !k.Known() {
			t.Errorf("%s: Behaviour() is not its row", k)
		}
		if b.TakesServerDown && (!b.Lasts || (b.By != ByServer && b.By != ByEmbedded)) {
			t.Errorf("%s: takes the server down, so a server applies it and it lasts", k)
		}
		if b.Silent && (!b.Lasts || b.CloseCode != 0) {
			t.Errorf("%s: silent, so it lasts and sends no close frame", k)
		}
		if b.CloseCode != 0 && (b.By != ByServer || !ValidCloseCode(int(b.CloseCode))) {
			t.Errorf("%s: close code %d, sent by %s", k, b.CloseCode, b.By)
		}
		if (b.Lasts || b.CloseCode != 0) && !k.Injects() {
			t.Errorf("%s: lasts or closes but injects nothing", k)
		}
		if k.Unattributed() && !k.CountedByClients() {
			t.Errorf("%s: unattributed, so the clients count whom it hit", k)
		}
		if k.ClientSide() && !k.CountedByClients() {
			t.Errorf("%s: client-side, so the clients count whom it hit", k)
		}
		if b.By == ByServer && k.CountedByClients() {
			t.Errorf("%s: the server's control API counts whom it hits", k)
		}
	}
	for _, k := range []Kind{"", "x"} {
		if k.Known() || k.Injects() || k.ClientSide() || k.Unattributed() || k.CountedByClients() || k.Lasts() {
			t.Errorf("unknown kind %q has a behaviour", k)
		}
	}
}

// TestKindsBehaviour pins each property to the kinds the docs (README:
// Faults) give it.
func TestKindsBehaviour(t *testing.T) {
	tests := []struct {
		name string
		is   func(Kind) bool
		want []Kind
	}{
		{"client-side", Kind.ClientSide, []Kind{Reset, Partition}},
		{"unattributed", Kind.Unattributed, []Kind{Exec, Observe}},
		{"counted by clients", Kind.CountedByClients, []Kind{Crash, Reset, Partition, Exec, Observe}},
		{"injects", Kind.Injects, []Kind{Close, Restart, Abort, Crash, Blackhole, Reset, Partition, Exec}},
		{"lasts", Kind.Lasts, []Kind{Restart, Crash, Blackhole, Partition}},
		{"takes the server down", Kind.TakesServerDown, []Kind{Restart, Crash}},
		{"silent", Kind.Silent, []Kind{Blackhole, Partition}},
	}
	for _, tt := range tests {
		var got []Kind
		for _, k := range Kinds() {
			if tt.is(k) {
				got = append(got, k)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if Close.CloseCode() != 1001 || Restart.CloseCode() != 1012 || Abort.CloseCode() != 0 {
		t.Errorf("close codes: close %d, restart %d, abort %d", Close.CloseCode(), Restart.CloseCode(), Abort.CloseCode())
	}
}

func TestValidCloseCode(t *testing.T) {
	for _, tt := range []struct {
		code int
		ok   bool
	}{{1000, true}, {1001, true}, {1003, true}, {1004, false}, {1005, false}, {1006, false}, {1007, true}, {1012, true},
		{1014, true}, {1015, false}, {2999, false}, {3000, true}, {4999, true}, {5000, false}, {0, false}, {-1, false},
		{1000 + 65536, false}} {
		if got := ValidCloseCode(tt.code); got != tt.ok {
			t.Errorf("ValidCloseCode(%d) = %v", tt.code, got)
		}
	}
}
