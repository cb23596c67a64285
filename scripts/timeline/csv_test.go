package main

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	want := []string{"t_s", "b"}
	for _, tc := range []struct {
		name string
		in   string
		rows [][]float64
		err  error
	}{
		{"ordered", "t_s,b\n0.1,1\n0.2,2\n", [][]float64{{0.1, 1}, {0.2, 2}}, nil},
		{"reordered and extra columns", "x,b,t_s\n9,1,0.1\n9,2,0.2\n", [][]float64{{0.1, 1}, {0.2, 2}}, nil},
		{"header only", "t_s,b\n", nil, nil},
		{"missing column", "t_s,c\n0.1,1\n", nil, ErrMissingColumn},
		{"negative", "t_s,b\n0.1,-1\n", nil, ErrBadValue},
		{"not a number", "t_s,b\n0.1,x\n", nil, ErrBadValue},
		{"NaN", "t_s,b\n0.1,NaN\n", nil, ErrBadValue},
		{"infinite", "t_s,b\n0.1,+Inf\n", nil, ErrBadValue},
		{"time goes back", "t_s,b\n0.2,1\n0.1,1\n", nil, ErrBadValue},
		{"time repeats", "t_s,b\n0.1,1\n0.1,1\n", nil, ErrBadValue},
		{"short row", "t_s,b\n0.1\n", nil, ErrBadValue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := readCSV(strings.NewReader(tc.in), want)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rows, tc.rows) {
				t.Fatalf("rows = %v, want %v", rows, tc.rows)
			}
		})
	}
}

func TestReadSeries(t *testing.T) {
	head := "t_s,open,connecting,waiting,attempts,connects,failures,disconnects\n"
	for _, tc := range []struct {
		name     string
		in       string
		interval float64
		n        int
		err      error
	}{
		{"two rows", head + "0.1,1,2,3,4,5,6,7\n0.2,1,2,3,4,5,6,7\n", 0.1, 2, nil},
		{"one row: interval = its end", head + "0.25,1,2,3,4,5,6,7\n", 0.25, 1, nil},
		{"no rows", head, 0, 0, ErrBadValue},
		{"zero interval", head + "0,1,2,3,4,5,6,7\n", 0, 0, ErrBadValue},
		{"no connecting column", "t_s,open,waiting,attempts,connects,failures\n0.1,1,1,1,1,1\n", 0, 0, ErrMissingColumn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ReadSeries(strings.NewReader(tc.in))
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Interval != tc.interval || len(s.Rows) != tc.n {
				t.Fatalf("interval %v rows %d, want %v %d", s.Interval, len(s.Rows), tc.interval, tc.n)
			}
			if s.Rows[0][colConnecting] != 2 || s.Rows[0][colFailures] != 6 {
				t.Fatalf("row 0 = %v", s.Rows[0])
			}
		})
	}
}
