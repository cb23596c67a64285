package charts

import (
	"bytes"
	"strings"
	"testing"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Percentile files written by the HdrHistogram library itself (as
// stormbench writes them) parse: count, maximum, the "inf" last row.
func TestParseHgrm(t *testing.T) {
	tests := []struct {
		name      string
		values    []int64
		wantCount int64
		wantMax   float64
	}{
		{name: "empty", values: nil, wantCount: 0},
		{name: "one value", values: []int64{1500}, wantCount: 1, wantMax: 1.5},
		{name: "spread", values: []int64{1000, 2000, 3000, 40000, 900000}, wantCount: 5, wantMax: 900},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := hdrhistogram.New(1, 3600_000_000, 3)
			for _, v := range tc.values {
				if err := h.RecordValue(v); err != nil {
					t.Fatal(err)
				}
			}
			var b bytes.Buffer
			if _, err := h.PercentilesPrint(&b, 5, 1000); err != nil { // µs → ms
				t.Fatal(err)
			}
			got, err := parseHgrm(&b)
			if err != nil {
				t.Fatal(err)
			}
			if got.Count != tc.wantCount {
				t.Errorf("count %d, want %d", got.Count, tc.wantCount)
			}
			if tc.wantCount == 0 {
				if !got.Empty() {
					t.Error("an empty histogram is not Empty")
				}
				return
			}
			if rel := (got.Max - tc.wantMax) / tc.wantMax; rel > 0.001 || rel < -0.001 {
				t.Errorf("max %v, want %v (±0.1 %%)", got.Max, tc.wantMax)
			}
			last := got.Points[len(got.Points)-1]
			if last.Percentile != 1 || last.TotalCount != tc.wantCount {
				t.Errorf("last row %+v, want percentile 1 and count %d", last, tc.wantCount)
			}
		})
	}
}

// The Java tool's layout (header with more spaces, no blank line) reads
// the same.
func TestParseHgrmJavaLayout(t *testing.T) {
	in := "       Value     Percentile TotalCount 1/(1-Percentile)\n" +
		"       0.100 0.000000000000          1           1.00\n" +
		"       5.000 1.000000000000          2\t         inf\n" +
		"#[Mean    =        2.550, StdDeviation   =        2.450]\n" +
		"#[Max     =        5.000, Total count    =            2]\n"
	h, err := parseHgrm(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if h.Count != 2 || h.Max != 5 || len(h.Points) != 2 {
		t.Errorf("got count %d, max %v, %d rows; want 2, 5, 2", h.Count, h.Max, len(h.Points))
	}
}
