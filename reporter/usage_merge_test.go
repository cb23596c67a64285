package reporter

import "testing"

// TestUsagePlus: merged shards sum the processes' own memory and keep the
// largest executable, and a shard that does not know its own memory (an
// older version, another system) makes the sum unknown rather than small.
func TestUsagePlus(t *testing.T) {
	a := HarnessUsage{Processes: 2, PeakRSSBytes: 100, PeakAnonBytes: 60, FileRSSBytes: 20, CPUSeconds: 1}
	b := HarnessUsage{Processes: 1, PeakRSSBytes: 50, PeakAnonBytes: 25, FileRSSBytes: 25, CPUSeconds: 2}
	unknown := HarnessUsage{Processes: 1, PeakRSSBytes: 40, CPUSeconds: 1}
	tests := []struct {
		name string
		got  HarnessUsage
		want HarnessUsage
	}{
		{"both known", a.plus(b), HarnessUsage{Processes: 3, PeakRSSBytes: 150, PeakAnonBytes: 85, FileRSSBytes: 25, CPUSeconds: 3}},
		{"into an empty merge", HarnessUsage{}.plus(a), a},
		{"one unknown", a.plus(unknown), HarnessUsage{Processes: 3, PeakRSSBytes: 140, CPUSeconds: 2}},
		{"unknown first", unknown.plus(a), HarnessUsage{Processes: 3, PeakRSSBytes: 140, CPUSeconds: 2}},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, tt.got, tt.want)
		}
	}
}
