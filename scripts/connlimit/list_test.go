package main

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseCounts(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		err  bool
	}{
		{"64,256,1024", []int{64, 256, 1024}, false},
		{" 2 , 4", []int{2, 4}, false},
		{"1", []int{1}, false},
		{"", nil, true},
		{"0", nil, true},
		{"-1", nil, true},
		{"5000", nil, true}, // above the limit
		{"1,,2", nil, true},
		{"x", nil, true},
	} {
		got, err := parseCounts(tc.in, 4096)
		if tc.err {
			if !errors.Is(err, ErrBadList) {
				t.Errorf("%q: err = %v, want ErrBadList", tc.in, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// FuzzParseCounts checks that a list either fails with ErrBadList or holds
// only counts within the bounds.
func FuzzParseCounts(f *testing.F) {
	for _, s := range []string{"64,256,1024", "1", "", "0,1", " 7 ,8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := parseCounts(in, 4096)
		if err != nil {
			if !errors.Is(err, ErrBadList) {
				t.Fatalf("%q: err %v is not ErrBadList", in, err)
			}
			return
		}
		if len(got) == 0 {
			t.Fatalf("%q: no counts and no error", in)
		}
		for _, n := range got {
			if n < 1 || n > 4096 {
				t.Fatalf("%q: count %d out of bounds", in, n)
			}
		}
	})
}

func TestParseMode(t *testing.T) {
	for _, tc := range []struct {
		in       string
		tcp, ws  bool
		rejected bool
	}{
		{"all", true, true, false},
		{"tcp", true, false, false},
		{"ws", false, true, false},
		{"TCP", false, false, true},
		{"", false, false, true},
	} {
		m, err := parseMode(tc.in)
		if (err != nil) != tc.rejected || err == nil && (m.tcp() != tc.tcp || m.ws() != tc.ws) {
			t.Errorf("%q = %v, %v", tc.in, m, err)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestSourceFor(t *testing.T) {
	for _, tc := range []struct {
		i    int
		want string
	}{
		{0, "127.0.0.2"},
		{perSource - 1, "127.0.0.2"},
		{perSource, "127.0.0.3"},
		{254 * perSource, "127.0.1.0"},
	} {
		if got := sourceFor(tc.i).String(); got != tc.want {
			t.Errorf("sourceFor(%d) = %s, want %s", tc.i, got, tc.want)
		}
	}
}
