package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/reporter"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// TestShardsMerge runs one fleet as two shards on a shared timetable (as
// two machines would, with --shard i/n --start-at T) against one server,
// then merges them: the merged run is the whole fleet's.
func TestShardsMerge(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	srv, err := sut.New(sut.Config{Listen: "127.0.0.1:0", Control: "127.0.0.1:0", ControlToken: "tok", BroadcastInterval: 100 * time.Millisecond}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	out := t.TempDir()
	startAt := strconv.FormatInt(time.Now().Add(1500*time.Millisecond).Unix()+1, 10)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var so, se bytes.Buffer
			errs[i] = dispatch(context.Background(), []string{"run", "--quiet", "--out", out,
				"--url", "ws://" + srv.Addr() + "/ws", "--control", "http://" + srv.ControlAddr(), "--control-token", "tok",
				"--shard", strconv.Itoa(i) + "/2", "--start-at", startAt, "--clients", "1000", "--ramp-rate", "2000",
				"--connect-timeout", "2s", "--hold", "1s", "--fault", "abort", "--fault-fraction", "0.5", "--recover-timeout", "4s",
				"--backoff-base", "100ms", "--backoff-max", "1s"}, &so, &se)
			if errs[i] != nil {
				t.Logf("shard %d: %v\n%s\n%s", i, errs[i], so.String(), se.String())
			}
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal("a shard failed")
	}
	dirs, _ := filepath.Glob(filepath.Join(out, "*-shard-*-of-2"))
	if len(dirs) != 2 {
		t.Fatalf("shard folders %v", dirs)
	}
	var parts []*reporter.Summary
	for _, d := range dirs {
		s, err := reporter.ReadSummary(d)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, s)
	}
	merged := filepath.Join(out, "merged")
	var so, se bytes.Buffer
	if err := dispatch(context.Background(), append([]string{"merge", "--out", merged}, dirs...), &so, &se); err != nil {
		t.Fatalf("merge: %v\n%s", err, se.String())
	}
	sum, err := reporter.ReadSummary(merged)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counters.Get(measure.Connects) != parts[0].Counters.Get(measure.Connects)+parts[1].Counters.Get(measure.Connects) || sum.Counters.Get(measure.Connects) < 1500 {
		t.Fatalf("merged connects %d, shards %d + %d", sum.Counters.Get(measure.Connects), parts[0].Counters.Get(measure.Connects), parts[1].Counters.Get(measure.Connects))
	}
	for i, p := range parts {
		t.Logf("shard %d: storm %+v", i, p.Storms[0])
	}
	st := sum.Storms[0]
	if st.Affected != 500 || st.Recovered != 500 || st.Detected != 500 {
		t.Fatalf("merged storm: affected %d detected %d recovered %d, want 500 (half of 1000, counted by the server)", st.Affected, st.Detected, st.Recovered)
	}
	if parts[0].Storms[0].Detected+parts[1].Storms[0].Detected != 500 {
		t.Fatalf("shards detected %d + %d", parts[0].Storms[0].Detected, parts[1].Storms[0].Detected)
	}
	checkInvariants(t, merged, sum)
	if _, err := os.Stat(filepath.Join(merged, "shard.json")); err != nil {
		t.Fatal(err)
	}
}
