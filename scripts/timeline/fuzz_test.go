package main

import (
	"strings"
	"testing"
)

// FuzzReadSeries checks that any input either fails with an error or gives
// a series whose times increase and whose interval is positive.
func FuzzReadSeries(f *testing.F) {
	f.Add("t_s,open,connecting,waiting,attempts,connects,failures\n0.1,1,2,3,4,5,6\n0.2,1,2,3,4,5,6\n")
	f.Add("t_s,open,connecting,waiting,attempts,connects,failures\n0,0,0,0,0,0,0\n")
	f.Add("t_s,\"open\",connecting,waiting,attempts,connects,failures,x\n1e3,1,2,3,4,5,6\n")
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ReadSeries(strings.NewReader(in))
		if err != nil {
			return
		}
		if !(s.Interval > 0) || len(s.Rows) == 0 {
			t.Fatalf("interval %v, %d rows", s.Interval, len(s.Rows))
		}
		for i := 1; i < len(s.Rows); i++ {
			if s.Rows[i][colT] <= s.Rows[i-1][colT] {
				t.Fatalf("row %d: time does not increase", i)
			}
		}
		r := &Run{Label: "F", Series: s}
		_ = summarize(r)
		_ = r.cells(1)
	})
}

// FuzzParseT0 checks that any -t0 value either fails with ErrBadT0 or
// gives specs with a known kind and finite seconds.
func FuzzParseT0(f *testing.F) {
	for _, s := range []string{"A=1", "A=storm,B=unix:12.5", "A=storm3", "x=-0.5e1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		m, err := parseT0(in)
		if err != nil {
			return
		}
		for l, s := range m {
			if l == "" || s.Kind < t0Seconds || s.Kind > t0Unix || s.Seconds != s.Seconds {
				t.Fatalf("%q: %q → %+v", in, l, s)
			}
			if s.Kind == t0Storm && s.Storm < 1 {
				t.Fatalf("%q: storm %d", in, s.Storm)
			}
		}
	})
}
