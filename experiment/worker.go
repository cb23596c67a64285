package experiment

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
)

// Worker is the body of a load-generator worker process: one shard of a
// run's fleet in its own process (the file limit is per process), driven
// by the coordinator over stdin and stdout with loadgen's worker
// protocol. When told to close, it writes its partial result (a reporter
// shard) where the coordinator asked and returns. It returns when the
// coordinator goes away too (stdin closed), after writing what it has.
func Worker(stdin io.Reader, stdout io.Writer) error {
	br := bufio.NewReader(stdin)
	line, err := br.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("worker: read init: %w", err)
	}
	var in workerInit
	if err := json.Unmarshal(line, &in); err != nil {
		return fmt.Errorf("worker: init: %w", err)
	}
	in.Config.TLS.Material = in.TLS
	start := time.Unix(0, in.StartUnixNs)
	// One reading of the wall clock, then the monotonic clock: offsets agree
	// with the coordinator's without following wall-clock steps.
	base := time.Now()
	offset := base.Sub(start)
	clock := func() time.Duration { return offset + time.Since(base) }
	rec := reporter.NewRecorder(reporter.Options{Start: start, Interval: in.Config.Interval, RunID: in.RunID,
		Coverage: []reporter.ShardID{reporter.ShardOf(in.Config.Shard)}})
	fleet, err := loadgen.NewFleet(in.Config, rec, clock)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	serveErr := loadgen.Serve(br, stdout, fleet)
	_ = fleet.Close()
	if err := reporter.WriteShard(in.ShardPath, rec.Snapshot(clock())); err != nil {
		return fmt.Errorf("worker: write shard: %w", err)
	}
	return serveErr
}
