package experiment

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"time"

	"github.com/stormbench/stormbench/reporter"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// writeServerStats saves the server's own view: server.json and
// server_timeseries.csv. It runs after the run's context may have ended,
// with a deadline of its own.
func fetchServerStats(ctx context.Context, ctl *sut.ControlClient) (*sut.Stats, error) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	st, err := ctl.Stats(sctx, false)
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// serverView is the part of the server's stats the summary shows.
func serverView(st *sut.Stats) *reporter.ServerView {
	c := st.Counters
	v := &reporter.ServerView{MessagesReceived: c.MessagesReceived, MessagesDuplicate: c.MessagesDuplicate,
		Takeovers: c.Takeovers, TakeoverSilenceP99Ms: c.TakeoverSilence.P99, ZombiesTerminated: c.ZombiesTerminated,
		DirectProduced: c.DirectProduced, DirectDropped: c.DirectDropped}
	for j, name := range st.Series.Columns {
		if name != "messages_received" || st.IntervalMs <= 0 {
			continue
		}
		for _, r := range st.Series.Rows {
			if j < len(r) {
				v.PeakReceivedPerS = max(v.PeakReceivedPerS, r[j]*1000/float64(st.IntervalMs))
			}
		}
	}
	return v
}

func writeServerStats(dir string, st *sut.Stats) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := reporter.WriteFileAtomic(filepath.Join(dir, "server.json"), append(b, '\n')); err != nil {
		return err
	}
	rows := make([][]string, len(st.Series.Rows))
	for i, r := range st.Series.Rows {
		row := make([]string, len(r))
		for j, v := range r {
			row[j] = strconv.FormatFloat(v, 'f', -1, 64)
		}
		rows[i] = row
	}
	return reporter.WriteCSV(filepath.Join(dir, "server_timeseries.csv"), st.Series.Columns, rows)
}

// stormTakeovers attributes the server's takeovers to the storms whose
// window holds them, aligning its series (seconds since it started) with
// the run's clock by wall time.
func stormTakeovers(sum *reporter.Summary, st *sut.Stats) {
	col, recv := -1, -1
	for j, name := range st.Series.Columns {
		switch name {
		case "takeovers":
			col = j
		case "messages_received":
			recv = j
		}
	}
	if col < 0 || st.StartedUnixNs == 0 || st.IntervalMs <= 0 {
		return
	}
	runStart := float64(sum.StartedAt.UnixNano())
	for k := range sum.Storms {
		storm := &sum.Storms[k]
		from := runStart + storm.T0*1e9
		to := runStart + storm.End*1e9
		var n int64
		for _, r := range st.Series.Rows {
			if len(r) <= col {
				continue
			}
			// Row r covers (t−interval, t] since the server started.
			end := float64(st.StartedUnixNs) + r[0]*1e9
			if end > from && end-float64(st.IntervalMs)*1e6 < to {
				n += int64(r[col])
				if recv >= 0 && recv < len(r) {
					storm.ServerPeakReceivedPerS = max(storm.ServerPeakReceivedPerS, r[recv]*1000/float64(st.IntervalMs))
				}
			}
		}
		storm.ServerTakeovers = &n
	}
}
