package main

import (
	"bytes"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestLoad(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		dir  string
		want figures
	}{
		{"testdata/storm", figures{
			figClients: 4, figRampS: 0.2, figRampRate: 20, figRampPhaseS: 0.25, figPeakAttempts: 40, figPeakConnects: 30,
			figRecoveryP50: 150, figRecoveryP99: 250, figRecoveryP100: nan, figStormLatenessP99: 3.25,
			figPeakRSSMiB: 4, figRSSPerClient: 1 << 20,
		}},
		// Never all open, no storm, no RSS: only the client count.
		{"testdata/nostorm", figures{
			figClients: 3, figRampS: nan, figRampRate: nan, figRampPhaseS: nan, figPeakAttempts: nan, figPeakConnects: nan,
			figRecoveryP50: nan, figRecoveryP99: nan, figRecoveryP100: nan, figStormLatenessP99: nan,
			figPeakRSSMiB: nan, figRSSPerClient: nan,
		}},
	} {
		got, err := load(tc.dir)
		if err != nil {
			t.Fatal(err)
		}
		for c := range nFigures {
			g, w := got[c], tc.want[c]
			if math.IsNaN(g) != math.IsNaN(w) || !math.IsNaN(w) && math.Abs(g-w) > 1e-9 {
				t.Errorf("%s: %s = %v, want %v", tc.dir, c, g, w)
			}
		}
	}
}

func TestReadSeries(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		rows     int
	}{
		{"extra columns", "x,t_s,open,attempts,connects\n9,0.1,1,2,3\n", 1},
		{"missing column", "t_s,open,attempts\n0.1,1,2\n", -1},
		{"negative", "t_s,open,attempts,connects\n0.1,-1,2,3\n", -1},
		{"time back", "t_s,open,attempts,connects\n0.2,1,2,3\n0.1,1,2,3\n", -1},
		{"short row", "t_s,open,attempts,connects\n0.1,1\n", -1},
		{"empty", "", -1},
	} {
		rows, err := readSeries(strings.NewReader(tc.in))
		if tc.rows < 0 {
			if !errors.Is(err, ErrBadCSV) {
				t.Errorf("%s: err = %v, want ErrBadCSV", tc.name, err)
			}
			continue
		}
		if err != nil || len(rows) != tc.rows {
			t.Errorf("%s: %d rows, %v", tc.name, len(rows), err)
		}
	}
}

// FuzzReadSeries checks that any input fails with ErrBadCSV or gives rows
// whose times increase.
func FuzzReadSeries(f *testing.F) {
	f.Add("t_s,open,attempts,connects\n0.1,1,2,3\n0.2,1,2,3\n")
	f.Add("connects,attempts,open,t_s\n1,1,1,1\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := readSeries(strings.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrBadCSV) {
				t.Fatalf("err %v is not ErrBadCSV", err)
			}
			return
		}
		for i := 1; i < len(rows); i++ {
			if rows[i][colT] <= rows[i-1][colT] {
				t.Fatalf("row %d: time does not increase", i)
			}
		}
	})
}

// TestOutput compares the printed table with a golden file
// (go test ./scripts/figures -update rewrites it).
func TestOutput(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"testdata/storm", "testdata/nostorm", "testdata/storm"}, &out); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "figures.golden")
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("output differs from %s:\n%s", path, out.String())
	}
	if err := run(nil, &out); err == nil {
		t.Error("no folders: no error")
	}
	if err := run([]string{"testdata/missing"}, &out); err == nil {
		t.Error("missing folder: no error")
	}
}
