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

// fetchServerStats asks the server for its /stats. It runs after the
// run's context may have ended, with a deadline of its own.
func fetchServerStats(ctx context.Context, ctl *sut.ControlClient) (*sut.Stats, error) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	st, err := ctl.Stats(sctx, false)
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// serverView is the part of the server's stats the summary shows, with
// its series of takeovers and received messages on the wall clock when
// the stats say when the series started.
func serverView(st *sut.Stats) *reporter.ServerView {
	c := st.Counters
	v := &reporter.ServerView{MessagesReceived: c.MessagesReceived, MessagesDuplicate: c.MessagesDuplicate,
		Takeovers: c.Takeovers, TakeoverSilenceP99Ms: c.TakeoverSilence.P99, ZombiesTerminated: c.ZombiesTerminated,
		DirectProduced: c.DirectProduced, DirectDropped: c.DirectDropped}
	recv, takeovers := -1, -1
	for j, name := range st.Series.Columns {
		switch name {
		case "messages_received":
			recv = j
		case "takeovers":
			takeovers = j
		}
	}
	if st.IntervalMs <= 0 {
		return v
	}
	// perS is column j of row r as a rate, 0 when the row lacks it.
	perS := func(r []float64, j int) float64 {
		if j < 0 || j >= len(r) {
			return 0
		}
		return r[j] * 1000 / float64(st.IntervalMs)
	}
	for _, r := range st.Series.Rows {
		v.PeakReceivedPerS = max(v.PeakReceivedPerS, perS(r, recv))
	}
	if takeovers < 0 || st.StartedUnixNs == 0 {
		return v
	}
	// Row r covers (t−interval, t], t = r[0] seconds since the server started.
	started := time.Unix(0, st.StartedUnixNs)
	v.Series = &reporter.ServerSeries{Interval: time.Duration(st.IntervalMs) * time.Millisecond, Rows: []reporter.ServerInterval{}}
	for _, r := range st.Series.Rows {
		if len(r) <= takeovers {
			continue
		}
		v.Series.Rows = append(v.Series.Rows, reporter.ServerInterval{End: started.Add(time.Duration(r[0] * float64(time.Second))),
			Takeovers: int64(r[takeovers]), ReceivedPerS: perS(r, recv)})
	}
	return v
}

// writeServerStats saves the server's own view in the results folder dir:
// server.json and server_timeseries.csv.
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
