package kernel

import (
	"encoding/json"
	"testing"
)

func TestSampleDelta(t *testing.T) {
	mk := func(w want) Sample {
		var s Sample
		for f, v := range w {
			s.Set(f, v)
		}
		return s
	}
	tests := []struct {
		name      string
		now, prev want
		want      want
	}{
		{"counters become differences, gauges stay",
			want{TCPMemPages: 900, TCPInUse: 10, MemoryPressures: 7, ListenDrops: 100},
			want{TCPMemPages: 100, TCPInUse: 99, MemoryPressures: 5, ListenDrops: 100},
			want{TCPMemPages: 900, TCPInUse: 10, MemoryPressures: 2, ListenDrops: 0}},
		{"counter absent before is absent",
			want{Timeouts: 5}, want{}, want{}},
		{"counter absent now is absent",
			want{}, want{Timeouts: 5}, want{}},
		{"counter going backwards is absent",
			want{AbortOnMemory: 1}, want{AbortOnMemory: 2}, want{}},
		{"gauge without a previous value stays",
			want{TCPOrphan: 3}, want{}, want{TCPOrphan: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.check(t, mk(tt.now).Delta(mk(tt.prev)))
		})
	}
}

func TestFields(t *testing.T) {
	seen := map[string]bool{}
	for i, f := range Fields() {
		if int(f) != i {
			t.Fatalf("Fields()[%d] = %d", i, f)
		}
		if f.String() == "" || f.String() == "unknown" || f.Source() == "" || seen[f.String()] {
			t.Errorf("field %d: column %q, source %q", f, f.String(), f.Source())
		}
		seen[f.String()] = true
	}
	if len(seen) != int(numFields) {
		t.Fatalf("%d fields, want %d", len(seen), numFields)
	}
	if numFields > 32 {
		t.Fatal("Sample.have holds 32 fields")
	}
	if Field(200).String() != "unknown" || Field(200).Counter() {
		t.Fatal("out-of-range field")
	}
	var s Sample
	s.Set(Field(200), 1)
	if s != (Sample{}) || s.Has(Field(200)) {
		t.Fatal("Set stored an out-of-range field")
	}
}

func TestSampleJSON(t *testing.T) {
	var s Sample
	if b, _ := json.Marshal(s); string(b) != "{}" {
		t.Fatalf("empty sample: %s", b)
	}
	s.Set(TCPMemPages, 166)
	s.Set(Timeouts, -2)
	b, err := json.Marshal(s)
	if err != nil || string(b) != `{"tcp_mem_pages":166,"tcp_timeouts":-2}` {
		t.Fatalf("%s, %v", b, err)
	}
}
