package reporter

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// validSummary returns the summary of the scenario as JSON fields, for
// tests to break one at a time (a fresh copy each call).
func validSummary(t *testing.T) map[string]any {
	t.Helper()
	scenarioJSONOnce.Do(func() { scenarioJSON = mustJSON(t, Summarize(scenarioShard(t), SummaryOptions{})) })
	var m map[string]any
	if err := json.Unmarshal([]byte(scenarioJSON), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// scenarioJSON caches the scenario's summary for validSummary.
var (
	scenarioJSONOnce sync.Once
	scenarioJSON     string
)

func TestReadSummaryValidates(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(m map[string]any) // nil: the raw content below
		raw    string
		want   string // "" = valid
	}{
		{name: "valid", mutate: func(map[string]any) {}},
		{name: "empty object", raw: "{}", want: "no started_at; no harness processes"},
		{name: "not JSON", raw: "{", want: "decode"},
		{name: "a JSON array", raw: "[1,2]", want: "decode"},
		{name: "attempts do not add up", mutate: func(m map[string]any) { m["counters"].(map[string]any)["attempts"] = 1.0 }, want: "attempts 1 ≠ connects 179 + failures 84"},
		{name: "negative count", mutate: func(m map[string]any) { m["counters"].(map[string]any)["bytes_sent"] = -5.0 }, want: "negative counters.bytes_sent -5"},
		{name: "no interval", mutate: func(m map[string]any) { delete(m, "interval_s") }, want: "no time-series interval"},
		{name: "storms out of order", mutate: func(m map[string]any) {
			st := m["storms"].([]any)
			second := map[string]any{}
			for k, v := range st[0].(map[string]any) {
				second[k] = v
			}
			second["index"], second["t0"], second["end"] = 1.0, 1.0, 2.0
			m["storms"] = append(st, second)
		}, want: "storm 1 starts at 1s, before an earlier storm (3s): storms out of order"},
		{name: "a storm without facts", mutate: func(m map[string]any) {
			st := m["storms"].([]any)
			second := map[string]any{}
			for k, v := range st[0].(map[string]any) {
				second[k] = v
			}
			second["index"], second["t0"], second["end"], second["fault"] = 1.0, 0.0, 8.0, ""
			m["storms"] = append(st, second)
		}},
		{name: "storm index", mutate: func(m map[string]any) { m["storms"].([]any)[0].(map[string]any)["index"] = 4.0 }, want: "storm 0 has index 4"},
		{name: "newer format", mutate: func(m map[string]any) { m["format"] = 9.0 }, want: "format 9 is newer"},
		{name: "unknown event kind", mutate: func(m map[string]any) {
			m["events"] = []any{map[string]any{"t_s": 1.0, "kind": "meteor"}}
		}, want: `unknown event kind "meteor"`},
		{name: "older summary without format", mutate: func(m map[string]any) {
			for _, k := range []string{"format", "partial", "partial_reasons", "missing_shards", "events"} {
				delete(m, k)
			}
			delete(m["counters"].(map[string]any), "protocol_errors")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(tt.raw)
			if tt.mutate != nil {
				m := validSummary(t)
				tt.mutate(m)
				raw, _ = json.Marshal(m)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, SummaryFile), raw, 0o644); err != nil {
				t.Fatal(err)
			}
			sum, err := ReadSummary(dir)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				var b bytes.Buffer
				if err := PrintSummary(&b, sum); err != nil || !strings.Contains(b.String(), "storm 1") {
					t.Errorf("print: %v\n%s", err, b.String())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, SummaryFile)) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestReadSummaryFormat(t *testing.T) {
	m := validSummary(t)
	delete(m, "format")
	raw, _ := json.Marshal(m)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, SummaryFile), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Format != 1 {
		t.Errorf("format %d, want 1 for a summary without one", sum.Format)
	}
	if got := Summarize(scenarioShard(t), SummaryOptions{}).Format; got != SummaryFormat {
		t.Errorf("written format %d, want %d", got, SummaryFormat)
	}
}

func TestEventJSON(t *testing.T) {
	for _, k := range EventKinds() {
		e := Event{At: 1234567 * time.Microsecond, Kind: k, Process: "worker 2", Phase: "storm-1", Detail: "exit status 1"}
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"t_s":1.234567`) || !strings.Contains(string(b), `"kind":"`+k.String()+`"`) {
			t.Errorf("event JSON %s", b)
		}
		var back Event
		if err := json.Unmarshal(b, &back); err != nil || back != e {
			t.Errorf("round trip: %+v, %v; want %+v", back, err, e)
		}
	}
	var e Event
	if err := json.Unmarshal([]byte(`{"t_s":1e300,"kind":"server_exited"}`), &e); err == nil {
		t.Error("an event at 1e300 s decoded")
	}
}
