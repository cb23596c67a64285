package main

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"
)

func TestParseT0(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[string]t0Spec
		err  bool
	}{
		{"", map[string]t0Spec{}, false},
		{"A=12.3", map[string]t0Spec{"A": {Kind: t0Seconds, Seconds: 12.3}}, false},
		{"A=-1.5, B=storm", map[string]t0Spec{"A": {Seconds: -1.5}, "B": {Kind: t0Storm, Storm: 1}}, false},
		{"bh=unix:1795405448.25,part=storm2", map[string]t0Spec{
			"bh": {Kind: t0Unix, Seconds: 1795405448.25}, "part": {Kind: t0Storm, Storm: 2}}, false},
		{"A", nil, true},
		{"=1", nil, true},
		{"A=x", nil, true},
		{"A=NaN", nil, true},
		{"A=Inf", nil, true},
		{"A=storm0", nil, true},
		{"A=stormy", nil, true},
		{"A=unix:", nil, true},
		{"A=unix:-3", nil, true},
		{"A=1,A=2", nil, true},
	} {
		got, err := parseT0(tc.in)
		if tc.err {
			if !errors.Is(err, ErrBadT0) {
				t.Errorf("%q: err = %v, want ErrBadT0", tc.in, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestT0Resolve(t *testing.T) {
	sum := &summaryFile{StartedAt: time.Unix(1000, 500_000_000)}
	sum.Storms = append(sum.Storms, struct {
		T0  float64 `json:"t0"`
		End float64 `json:"end"`
	}{T0: 4.25})
	for _, tc := range []struct {
		name string
		spec t0Spec
		sum  *summaryFile
		want float64
		err  bool
	}{
		{"seconds", t0Spec{Seconds: 3}, nil, 3, false},
		{"storm", t0Spec{Kind: t0Storm, Storm: 1}, sum, 4.25, false},
		{"storm 2 of 1", t0Spec{Kind: t0Storm, Storm: 2}, sum, 0, true},
		{"storm without summary", t0Spec{Kind: t0Storm, Storm: 1}, nil, 0, true},
		{"unix", t0Spec{Kind: t0Unix, Seconds: 1012.75}, sum, 12.25, false},
		{"unix without summary", t0Spec{Kind: t0Unix, Seconds: 1012.75}, nil, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.spec.resolve(tc.sum)
			if tc.err {
				if !errors.Is(err, ErrBadT0) {
					t.Fatalf("err = %v, want ErrBadT0", err)
				}
				return
			}
			if err != nil || math.Abs(got-tc.want) > 1e-6 {
				t.Fatalf("= %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
