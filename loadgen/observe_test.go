package loadgen

import (
	"testing"
	"time"
)

func TestStormDetector(t *testing.T) {
	ms := time.Millisecond
	type step struct {
		at    time.Duration
		disco int64
		open  int64
	}
	tests := []struct {
		name      string
		steps     []step
		wantStorm bool
		wantSince time.Duration
	}{
		{"quiet fleet", []step{{0, 0, 1000}, {100 * ms, 1, 1000}, {200 * ms, 2, 999}, {300 * ms, 3, 998}}, false, 0},
		{"mass loss in one interval", []step{{0, 0, 1000}, {100 * ms, 1, 1000}, {200 * ms, 2, 999}, {300 * ms, 900, 100}}, true, 200 * ms},
		{"just under the threshold", []step{{0, 0, 1000}, {100 * ms, 99, 901}}, false, 0},
		{"at the threshold", []step{{0, 0, 1000}, {100 * ms, 100, 900}}, true, 0},
		{"slow leak over more than the window", []step{{0, 0, 1000}, {500 * ms, 50, 950}, {1000 * ms, 95, 905}, {1500 * ms, 140, 860}, {2000 * ms, 185, 815}}, false, 0},
		{"spread over the window: starts where its rate does", []step{{0, 0, 1000}, {100 * ms, 1, 1000}, {200 * ms, 1, 1000}, {300 * ms, 30, 971}, {400 * ms, 60, 941}, {500 * ms, 90, 911}, {600 * ms, 120, 881}}, true, 200 * ms},
		{"empty fleet", []step{{0, 0, 0}, {100 * ms, 0, 0}}, false, 0},
		{"tiny fleet: one client is 10 %", []step{{0, 0, 5}, {100 * ms, 1, 4}}, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &stormDetector{threshold: 0.1, window: time.Second}
			var since time.Duration
			var storm bool
			for _, s := range tt.steps {
				since, storm = d.add(lossSample{at: s.at, disconnects: s.disco, open: s.open})
				if storm {
					break
				}
			}
			if storm != tt.wantStorm || storm && since != tt.wantSince {
				t.Fatalf("storm %v since %v, want %v since %v", storm, since, tt.wantStorm, tt.wantSince)
			}
		})
	}
}
