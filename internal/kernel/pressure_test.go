package kernel

import "testing"

func TestPressure(t *testing.T) {
	here := Facts{TCPMem: known(MemLimits{287832, 383779, 575664})}
	tests := []struct {
		name  string
		mem   int64
		has   bool
		facts Facts
		want  PressureLevel
	}{
		{"idle", 166, true, here, BelowPressure},
		{"between min and pressure", 300000, true, here, BelowPressure},
		{"at pressure", 383779, true, here, UnderPressure},
		{"the 1M run", 639000, true, here, AtLimit},
		{"at max", 575664, true, here, AtLimit},
		{"one below max", 575663, true, here, UnderPressure},
		{"no mem in the sample", 0, false, here, PressureUnknown},
		{"tcp_mem unknown", 639000, true, Facts{}, PressureUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Sample
			if tt.has {
				s.Set(TCPMemPages, tt.mem)
			}
			if got := Pressure(s, tt.facts); got != tt.want {
				t.Fatalf("Pressure(%d) = %v, want %v", tt.mem, got, tt.want)
			}
		})
	}
	for p, name := range map[PressureLevel]string{PressureUnknown: "unknown", BelowPressure: "below_pressure", UnderPressure: "under_pressure", AtLimit: "at_limit"} {
		if p.String() != name {
			t.Errorf("%d.String() = %q, want %q", p, p.String(), name)
		}
	}
}
