package experiment

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// twoStorms is the shard of a 5 s run with storms in [1 s, 2 s] and
// [3 s, 4 s].
func twoStorms(start time.Time) *reporter.Shard {
	rec := reporter.NewRecorder(reporter.Options{Start: start, Interval: 100 * time.Millisecond})
	rec.StormInfo(0, loadgen.StormInfo{Fault: loadgen.FaultClose, T0: time.Second, End: 2 * time.Second, Affected: -1})
	rec.StormInfo(1, loadgen.StormInfo{Fault: loadgen.FaultClose, T0: 3 * time.Second, End: 4 * time.Second, Affected: -1})
	return rec.Snapshot(5 * time.Second)
}

// serverStats is the /stats of a server that started 0.5 s before the run
// and counted, in its 1 s intervals, 1, 2, 4 … takeovers and 10, 20, 30 …
// received messages. Storm 1 overlaps the intervals ending at 2 s and 3 s
// of the server's clock (1.5 s and 2.5 s of the run's), storm 2 those
// ending at 4 s and 5 s.
func serverStats(start time.Time) *sut.Stats {
	st := &sut.Stats{StartedUnixNs: start.Add(-500 * time.Millisecond).UnixNano(), IntervalMs: 1000,
		Series: sut.Series{Columns: sut.SeriesColumns}}
	st.Counters.MessagesReceived, st.Counters.Takeovers, st.Counters.ZombiesTerminated = 210, 63, 5
	takeovers := 1.0
	for i := 1; i <= 6; i++ {
		row := make([]float64, len(sut.SeriesColumns))
		for j, name := range sut.SeriesColumns {
			switch name {
			case "t_s":
				row[j] = float64(i)
			case "takeovers":
				row[j] = takeovers
			case "messages_received":
				row[j] = float64(10 * i)
			}
		}
		takeovers *= 2
		st.Series.Rows = append(st.Series.Rows, row)
	}
	return st
}

// TestSummariseServerView: the summary is built with the server's view
// when the server answered (its totals, and each storm's takeovers and
// peak of received messages in the storm's window), and holds none when
// it did not.
func TestSummariseServerView(t *testing.T) {
	start := time.Date(2026, 11, 23, 6, 16, 16, 0, time.UTC)
	noStart := serverStats(start)
	noStart.StartedUnixNs = 0
	older := serverStats(start) // a server whose series has no takeovers column
	older.Series.Columns = []string{"t_s", "accepts", "handshakes", "rejects", "disconnects", "open", "messages_received", "x"}
	tests := []struct {
		name          string
		srv           *sut.Stats
		wantView      bool
		wantTakeovers []int64 // nil: the storms have none
		wantPeaks     []float64
	}{
		{"server answered", serverStats(start), true, []int64{6, 24}, []float64{30, 50}},
		{"server did not answer", nil, false, nil, []float64{0, 0}},
		{"series without its start", noStart, true, nil, []float64{0, 0}},
		{"series without takeovers", older, true, nil, []float64{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th, err := reporter.ParseThreshold("recovery_p99<10s")
			if err != nil {
				t.Fatal(err)
			}
			sum := summarise(twoStorms(start), 5*time.Millisecond, false, tt.srv, []reporter.Threshold{th}, "")
			if len(sum.Thresholds) != 1 {
				t.Errorf("thresholds %+v", sum.Thresholds)
			}
			if (sum.Server != nil) != tt.wantView {
				t.Fatalf("server view %+v, want one: %v", sum.Server, tt.wantView)
			}
			if tt.wantView {
				v := sum.Server
				if v.MessagesReceived != 210 || v.Takeovers != 63 || v.ZombiesTerminated != 5 || v.PeakReceivedPerS != 60 {
					t.Errorf("server view %+v", v)
				}
			}
			for k, st := range sum.Storms {
				switch {
				case tt.wantTakeovers == nil && st.ServerTakeovers != nil:
					t.Errorf("storm %d: server takeovers %d, want none", k+1, *st.ServerTakeovers)
				case tt.wantTakeovers != nil && (st.ServerTakeovers == nil || *st.ServerTakeovers != tt.wantTakeovers[k]):
					t.Errorf("storm %d: server takeovers %v, want %d", k+1, st.ServerTakeovers, tt.wantTakeovers[k])
				}
				if st.ServerPeakReceivedPerS != tt.wantPeaks[k] {
					t.Errorf("storm %d: server peak %v/s, want %v/s", k+1, st.ServerPeakReceivedPerS, tt.wantPeaks[k])
				}
			}
			b, err := json.Marshal(sum)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(string(b), `"server":{`); got != tt.wantView {
				t.Errorf("summary.json has a server view: %v, want %v", got, tt.wantView)
			}
		})
	}
}
