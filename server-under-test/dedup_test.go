package sut

import "testing"

// TestDedupWindow: ids in order advance the base, late ones within the
// window are new once and duplicates after, and a jump past the window
// slides it, taking the ids it passes as received (counted as skipped).
func TestDedupWindow(t *testing.T) {
	seq := func(from, to uint64) []uint64 {
		var s []uint64
		for i := from; i <= to; i++ {
			s = append(s, i)
		}
		return s
	}
	tests := []struct {
		name        string
		ids         []uint64
		wantDups    int
		wantSkipped uint64
		wantBase    uint64
	}{
		{"in order", seq(1, 1000), 0, 0, 1000},
		{"resend of 2", []uint64{1, 2, 3, 2}, 1, 0, 3},
		{"reversed", []uint64{3, 2, 1}, 0, 0, 3},
		{"hole filled across words", append(append(seq(1, 69), seq(71, 200)...), 70), 0, 0, 200},
		{"hole kept", append(seq(1, 69), seq(71, 200)...), 0, 0, 69},
		{"duplicate inside window", []uint64{1, 5, 5}, 1, 0, 1},
		{"jump past window", []uint64{1, 300}, 0, 43, 44},
		{"late id below slid window is a dup", []uint64{1, 300, 2}, 1, 43, 44},
		{"huge jump", []uint64{1, 3, 1_000_000}, 0, 1_000_000 - 1 - 256 - 1, 1_000_000 - 256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d dedup
			dups, skipped := 0, uint64(0)
			for _, id := range tt.ids {
				dup, sk := d.add(id)
				if dup {
					dups++
				}
				skipped += sk
			}
			if dups != tt.wantDups || skipped != tt.wantSkipped || d.base != tt.wantBase {
				t.Fatalf("dups %d skipped %d base %d; want %d %d %d", dups, skipped, d.base, tt.wantDups, tt.wantSkipped, tt.wantBase)
			}
		})
	}
}
