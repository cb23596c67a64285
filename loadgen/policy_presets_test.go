package loadgen

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPresetTable checks every row of the preset table: a name that
// round-trips through config.json, a formula that names the library it
// reproduces, a record that says what ran, and delays that are defined.
func TestPresetTable(t *testing.T) {
	seen := map[Preset]bool{}
	for i := range presets {
		s := &presets[i]
		name := s.name
		if seen[name] {
			t.Errorf("%s: twice in the table", name)
		}
		seen[name] = true
		if name.spec() != s {
			t.Errorf("%s: spec() is not its row", name)
		}
		if name.Library() != s.library {
			t.Errorf("%s: Library() %q, want %q", name, name.Library(), s.library)
		}
		if s.library == "" || !strings.HasPrefix(s.formula, s.library+" ") || !strings.Contains(s.formula, "(") {
			t.Errorf("%s: formula %q must begin with the library %q and name its source", name, s.formula, s.library)
		}
		if s.record == nil || s.next == nil || s.mean == nil {
			t.Errorf("%s: missing a function", name)
			continue
		}
		r := Policy{Preset: name}.Resolve()
		if r.Formula == "" || r.Max <= 0 || r.Jitter == "" || r.ResetAfter != s.resetAfter {
			t.Errorf("%s: record %+v", name, r)
		}
		if got := r.ConnectTimeout(); got != s.connectTimeout {
			t.Errorf("%s: ConnectTimeout %v, want %v", name, got, s.connectTimeout)
		}
		if (Config{Policy: Policy{Preset: name}}).RunDrawUnset() != s.drawsOnce {
			t.Errorf("%s: RunDrawUnset disagrees with drawsOnce %v", name, s.drawsOnce)
		}
		if err := r.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		b, err := json.Marshal(r)
		var back Policy
		if err != nil || !strings.HasPrefix(string(b), `{"preset":"`+string(name)+`"`) || json.Unmarshal(b, &back) != nil || back != r {
			t.Errorf("%s: JSON %s read back as %+v (%v)", name, b, back, err)
		}
		rng := newRNG(1)
		var st BackoffState
		if d, ok := r.Next(&st, rng, time.Millisecond); !ok || d < 0 || d > 2*r.Max {
			t.Errorf("%s: first delay %v, %v", name, d, ok)
		}
		if m := r.MeanDelay(0, 0); m < 0 || m > 2*r.Max {
			t.Errorf("%s: mean first delay %v", name, m)
		}
	}
	if !slices.IsSorted(Presets()) || len(Presets()) != len(presets) {
		t.Errorf("Presets() = %v", Presets())
	}
	if Preset("").spec() != nil || Preset("nope").spec() != nil || Preset("nope").Library() != "" {
		t.Error("a name that is not a preset has a row")
	}
}
