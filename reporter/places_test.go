package reporter

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// TestSummaryPlaces checks every column's place in summary.json
// (measure.ColumnDef.Summary) against a run that recorded every column: a
// count's place holds its total, a gauge's or peak's its largest value.
// So a definition cannot name a place the summary does not fill.
func TestSummaryPlaces(t *testing.T) {
	r := newTestRecorder()
	r.StormInfo(0, scenarioInfo)
	r.SetKernel(KernelLimits{TCPMemPages: [3]int64{100, 200, 300}, PageSize: 4096})
	for j := 0; j < scenarioLoops; j++ {
		s := events{r.Sink(j)}
		feed(j, s)
		feedExtras(j, s)
	}
	for i := 1; i <= 20; i++ {
		r.Host(time.Duration(i)*100*time.Millisecond-1, HostSample{TCPMemPages: int64(50 + i), TCPInUse: int64(100 + i), TCPOrphans: int64(i % 3),
			TCPTimeWait: int64(i % 5), TCPAbortOnMemory: int64(i % 2), TCPMemoryPressures: int64(i % 4 / 3), ListenOverflows: int64(i % 3), ListenDrops: 1})
	}
	sh := r.Snapshot(scenarioEnd)
	b, err := json.Marshal(Summarize(sh, SummaryOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range measure.Columns() {
		place := c.Def().Summary
		if place == "" {
			continue
		}
		var v any = doc
		for _, key := range strings.Split(place, ".") {
			m, ok := v.(map[string]any)
			if !ok {
				v = nil
				break
			}
			v = m[key]
		}
		got, ok := v.(float64)
		if !ok {
			t.Errorf("%s: summary.json has no number at %s", c, place)
			continue
		}
		var want int64
		for _, x := range sh.column(c) {
			if c.Kind() == measure.Count {
				want += x
			} else {
				want = max(want, x)
			}
		}
		if int64(got) != want || want == 0 {
			t.Errorf("%s: %s = %v, the column gives %d (and must not be 0 here)", c, place, got, want)
		}
	}
}
