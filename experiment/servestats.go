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
func writeServerStats(ctx context.Context, dir string, ctl *sut.ControlClient) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	st, err := ctl.Stats(sctx, false)
	if err != nil {
		return err
	}
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
