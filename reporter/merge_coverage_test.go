package reporter

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/loadgen"
)

// serverInfo is scenarioInfo with the server's count of affected clients
// (every client the scenario's storm hits, over all loops).
var serverInfo = func() loadgen.StormInfo {
	i := scenarioInfo
	i.Affected = scenarioLoops * scenarioClients / 2
	return i
}()

// coveredShards records the scenario over len(cov) recorders of run id,
// recorder i covering cov[i]; every recorder gets the server's storm facts.
func coveredShards(t *testing.T, id string, cov ...ShardID) []*Shard {
	t.Helper()
	recs := make([]*Recorder, len(cov))
	for i := range recs {
		recs[i] = NewRecorder(Options{Start: testStart, RunID: id, Coverage: []ShardID{cov[i]}})
		recs[i].StormInfo(0, serverInfo)
	}
	feedAll(t, recs...)
	out := make([]*Shard, len(recs))
	for i, r := range recs {
		out[i] = r.Snapshot(scenarioEnd)
	}
	return out
}

func TestMergeCoverage(t *testing.T) {
	halves := func() []*Shard { return coveredShards(t, "run-1", ShardID{0, 2}, ShardID{1, 2}) }
	quarters := func() []*Shard {
		return coveredShards(t, "run-1", ShardID{0, 2}, ShardID{1, 4}, ShardID{3, 4})
	}
	legacy := func(s *Shard) *Shard { s.RunID, s.Coverage, s.Scope = "", nil, nil; return s }
	tests := []struct {
		name    string
		shards  func() []*Shard
		opts    MergeOptions
		wantErr string // "" = merges
		partial bool   // with the error: a partial merge would accept the set
		missing string // missing shards of the merged summary
		cover   string
	}{
		{name: "two halves", shards: halves, cover: "0/1"},
		{name: "mixed counts", shards: quarters, cover: "0/1"},
		{name: "same shard twice", shards: func() []*Shard { h := halves(); return []*Shard{h[0], h[1], h[1]} },
			opts: MergeOptions{Names: []string{"a", "b", "b-again"}}, wantErr: "shard 1/2 given twice (b and b-again)"},
		{name: "same shard twice, even partial", shards: func() []*Shard { h := halves(); return []*Shard{h[0], h[0]} },
			opts: MergeOptions{AllowPartial: true}, wantErr: "shard 0/2 given twice (shard 0 and shard 1)"},
		{name: "overlap", shards: func() []*Shard {
			return coveredShards(t, "run-1", ShardID{0, 2}, ShardID{2, 4}, ShardID{1, 2})
		}, wantErr: "shards 0/2 (shard 0) and 2/4 (shard 1) overlap"},
		{name: "one of two", shards: func() []*Shard { return halves()[:1] }, wantErr: "missing 1/2 (1 of 2 client-ID classes not covered)", partial: true},
		{name: "one of two, partial", shards: func() []*Shard { return halves()[1:] }, opts: MergeOptions{AllowPartial: true}, missing: "0/2", cover: "1/2"},
		{name: "missing 3/4, partial", shards: func() []*Shard { return quarters()[:2] }, opts: MergeOptions{AllowPartial: true}, missing: "3/4", cover: "0/2, 1/4"},
		{name: "different runs", shards: func() []*Shard {
			h := halves()
			h[1].RunID = "run-2"
			return h
		}, wantErr: `shard 1 belongs to run "run-2", shard 0 to run "run-1"`},
		{name: "legacy shards merge unchecked", shards: func() []*Shard { h := halves(); return []*Shard{legacy(h[0]), legacy(h[1])} }},
		{name: "mixed with a legacy shard", shards: func() []*Shard { h := halves(); legacy(h[1]); h[1].RunID = "run-1"; return h },
			wantErr: "no client coverage recorded in shard 1", partial: true},
		{name: "mixed with a legacy shard, partial", shards: func() []*Shard { h := halves(); legacy(h[1]); h[1].RunID = "run-1"; return h },
			opts: MergeOptions{AllowPartial: true}},
		{name: "coordinator without coverage", shards: func() []*Shard {
			c := NewRecorder(Options{Start: testStart, RunID: "run-1"})
			c.StormInfo(0, serverInfo)
			return append(halves(), c.Snapshot(scenarioEnd))
		}, cover: "0/1"},
		{name: "workers of machine 1/2", shards: func() []*Shard {
			return coveredShards(t, "run-1", ShardID{1, 4}, ShardID{3, 4})
		}, opts: MergeOptions{Want: []ShardID{{1, 2}}}, cover: "1/2"},
		{name: "machine 1/2 lost a worker", shards: func() []*Shard {
			return coveredShards(t, "run-1", ShardID{1, 4})
		}, opts: MergeOptions{Want: []ShardID{{1, 2}}}, wantErr: "missing 3/4", partial: true},
		{name: "a worker outside the machine", shards: func() []*Shard {
			return coveredShards(t, "run-1", ShardID{1, 4}, ShardID{3, 4}, ShardID{0, 4})
		}, opts: MergeOptions{Want: []ShardID{{1, 2}}, AllowPartial: true}, wantErr: "clients 0/4 are outside the shards wanted (1/2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := MergeWith(tt.opts, tt.shards()...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				var ce *CoverageError
				if errors.As(err, &ce) && ce.Partial() != tt.partial {
					t.Errorf("partial merge would accept: %v, want %v", ce.Partial(), tt.partial)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := joinShards(m.Coverage); got != tt.cover {
				t.Errorf("coverage %q, want %q", got, tt.cover)
			}
			sum := Summarize(m, SummaryOptions{})
			if got := strings.Join(sum.MissingShards, ", "); got != tt.missing {
				t.Errorf("missing shards %q, want %q", got, tt.missing)
			}
			wantPartial := tt.missing != "" || tt.opts.Want != nil
			if sum.Partial != wantPartial {
				t.Errorf("partial %v %q, want %v", sum.Partial, sum.PartialReasons, wantPartial)
			}
		})
	}
}

// TestPartialMergeBlamesNobody: with one of two load-generator shards lost,
// the server's count of affected clients covers clients the summary cannot
// see. The storm must not report a recovered share or recovery times.
func TestPartialMergeBlamesNobody(t *testing.T) {
	h := coveredShards(t, "run-1", ShardID{0, 2}, ShardID{1, 2})
	whole, err := Merge(h...)
	if err != nil {
		t.Fatal(err)
	}
	full := Summarize(whole, SummaryOptions{})
	if full.Partial || full.Storms[0].Incomplete || full.Storms[0].RecoveryMs == nil || full.Storms[0].RecoveryMs.P50 == nil {
		t.Fatalf("the whole run is not complete: partial %v %q, storm %+v", full.Partial, full.PartialReasons, full.Storms[0])
	}
	half, err := MergeWith(MergeOptions{AllowPartial: true}, h[0])
	if err != nil {
		t.Fatal(err)
	}
	sum := Summarize(half, SummaryOptions{})
	st := sum.Storms[0]
	if !sum.Partial || len(sum.MissingShards) != 1 || sum.MissingShards[0] != "1/2" {
		t.Errorf("partial %v, missing %v; want partial, missing 1/2", sum.Partial, sum.MissingShards)
	}
	if !st.Incomplete || st.RecoveryMs != nil || !strings.Contains(st.IncompleteReason, "1 of 2 load-generator shards lost") {
		t.Errorf("storm incomplete %v (%q), recovery %v; want incomplete and no recovery", st.Incomplete, st.IncompleteReason, st.RecoveryMs)
	}
	if st.Affected != full.Storms[0].Affected || st.Recovered >= st.Affected {
		t.Errorf("affected %d recovered %d", st.Affected, st.Recovered)
	}
}

// TestOneMachineOfARun: one machine's results of a run over two machines
// (scope 1/2) are partial, and a storm counted by the server is incomplete,
// but nothing is lost.
func TestOneMachineOfARun(t *testing.T) {
	s := coveredShards(t, "run-1", ShardID{1, 2})[0]
	sum := Summarize(s, SummaryOptions{})
	st := sum.Storms[0]
	if !sum.Partial || len(sum.MissingShards) != 0 || !strings.Contains(strings.Join(sum.PartialReasons, "\n"), "cover client shard(s) 1/2 of the run only") {
		t.Errorf("partial %v, missing %v, reasons %q", sum.Partial, sum.MissingShards, sum.PartialReasons)
	}
	if !st.Incomplete || st.RecoveryMs != nil || !strings.Contains(st.IncompleteReason, "1 of 2 client-ID classes") {
		t.Errorf("storm incomplete %v (%q)", st.Incomplete, st.IncompleteReason)
	}
	// A server-side fault that this machine did not apply: it does not
	// know the affected count at all.
	s.Storms[0].Info.Affected = -1
	if st := Summarize(s, SummaryOptions{}).Storms[0]; !st.Incomplete {
		t.Errorf("server-side storm of a machine that did not apply it: incomplete %v", st.Incomplete)
	}
	// A client-side fault's affected count is the loops' own: comparable.
	s.Storms[0].Info.Fault = loadgen.FaultReset
	if st := Summarize(s, SummaryOptions{}).Storms[0]; st.Incomplete || st.RecoveryMs == nil {
		t.Errorf("client-counted storm of one machine: incomplete %v", st.Incomplete)
	}
}

func TestShardFormat1Upgrade(t *testing.T) {
	// A format-1 shard: 20 columns, no coverage; it reads, and merges with
	// itself like any legacy shard.
	const old = `{"format":1,"start":"2025-03-14T15:09:26.535Z","interval_ns":100000000,"end_ns":200000000,"loops":1,
"columns":["open","connecting","waiting","attempts","connects","failures","disconnects","pings_sent","pongs_received","bytes_sent","bytes_received","messages_received","gave_up","messages_lost","messages_duplicated","heartbeat_frames_sent","heartbeat_frames_received","heartbeat_bytes_sent","heartbeat_bytes_received","reconnects"],
"series":[[3,0,0,3,3,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],[3,0,0,1,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0]],
"failure_causes":{"refused":1},"disconnect_causes":{},"phases":[{"name":"start","start_ns":0,"end_ns":200000000,"histograms":{}}],"storms":[],
"harness":{"processes":1,"peak_rss_bytes":1,"cpu_seconds":0.1}}`
	path := t.TempDir() + "/shard.json"
	if err := WriteFileAtomic(path, []byte(old)); err != nil {
		t.Fatal(err)
	}
	s, err := ReadShard(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Format != shardFormat || len(s.Columns) != int(measure.NumColumns) || s.Series[1][measure.Failures] != 1 || s.Series[1][measure.LoopBusy] != 0 {
		t.Fatalf("upgraded shard: format %d, %d columns, row %v", s.Format, len(s.Columns), s.Series[1])
	}
	m, err := Merge(s, s)
	if err != nil {
		t.Fatal(err)
	}
	if sum := Summarize(m, SummaryOptions{}); sum.Counters.Get(measure.Attempts) != 8 || sum.Partial {
		t.Errorf("legacy merge: attempts %d, partial %v", sum.Counters.Get(measure.Attempts), sum.Partial)
	}
	if err := WriteFileAtomic(path, []byte(strings.Replace(old, `"reconnects"]`, `"reconnects","from_the_future"]`, 1))); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadShard(path); err == nil || !strings.Contains(err.Error(), "from_the_future") {
		t.Errorf("unknown column: error %v", err)
	}
}

func TestMergeEventsAndReasons(t *testing.T) {
	a := NewRecorder(Options{Start: testStart, RunID: "r", Coverage: []ShardID{{0, 2}}})
	b := NewRecorder(Options{Start: testStart, RunID: "r", Coverage: []ShardID{{1, 2}}})
	events{a.Sink(0)}.Cut(time.Second, "hold")
	events{b.Sink(0)}.Cut(time.Second, "hold")
	b.Event(Event{At: 3 * time.Second, Kind: EventLoopStopped, Process: "worker 1", Detail: "loop 0 panicked"})
	a.Event(Event{At: 2 * time.Second, Kind: EventServerExited, Process: "server", Detail: "exit status 2"})
	a.MarkPartial("the server exited during the run")
	a.MarkPartial("the server exited during the run")
	m, err := Merge(a.Snapshot(4*time.Second), b.Snapshot(4*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	sum := Summarize(m, SummaryOptions{
		PartialReasons: []string{"a reason from the caller"},
		Events:         []Event{{At: 500 * time.Millisecond, Kind: EventWorkerExited, Process: "worker 3"}},
	})
	var got []string
	for _, e := range sum.Events {
		got = append(got, e.Kind.String()+"/"+e.Phase)
	}
	if want := "worker_exited/start server_exited/hold loop_stopped/hold"; strings.Join(got, " ") != want {
		t.Errorf("events %v, want %s", got, want)
	}
	if !sum.Partial || strings.Join(sum.PartialReasons, "|") != "the server exited during the run|a reason from the caller" {
		t.Errorf("partial %v reasons %q", sum.Partial, sum.PartialReasons)
	}
}
