package reporter

import (
	"encoding/json"
	"io"
	"testing"
)

// FuzzDecodeSummary: whatever summary.json holds, reading it returns an
// error or a summary that prints.
func FuzzDecodeSummary(f *testing.F) {
	good, _ := json.Marshal(Summarize(scenarioShard(f), SummaryOptions{}))
	f.Add(good)
	f.Add([]byte("{}"))
	f.Add([]byte(`{"started_at":"2025-01-01T00:00:00Z","interval_s":0.1,"harness":{"processes":1},"events":[{"t_s":1,"kind":"worker_exited"}],"storms":[{"index":0,"recovery_ms":null,"incomplete":true}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sum, err := decodeSummary(b)
		if err != nil {
			return
		}
		if err := PrintSummary(io.Discard, sum); err != nil {
			t.Fatalf("a valid summary does not print: %v", err)
		}
	})
}

// FuzzDecodeShard: whatever shard.json holds, reading it returns an error
// or a shard that merges with itself and summarises.
func FuzzDecodeShard(f *testing.F) {
	r := NewRecorder(Options{Start: testStart, RunID: "r", Coverage: []ShardID{{Index: 0, Count: 2}}})
	events{r.Sink(0)}.Attempt(0, 0)
	events{r.Sink(0)}.StormRecovered(0, 1, 2, 1)
	r.Host(0, HostSample{TCPMemPages: 3})
	small, _ := json.Marshal(r.Snapshot(200 * 1e6))
	f.Add(small)
	f.Add([]byte(`{"format":1,"interval_ns":100000000,"columns":["open","attempts"],"series":[[1,2]]}`))
	f.Add([]byte(`{"format":2,"coverage":[{"index":1,"count":2}],"loops":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeShard(b)
		if err != nil {
			return
		}
		m, err := MergeWith(MergeOptions{AllowPartial: true}, s)
		if err != nil {
			return
		}
		_ = Summarize(m, SummaryOptions{})
	})
}

// FuzzCheckCoverage: for any set of shards with small counts, the check
// either refuses them or describes them consistently: the missing classes
// are disjoint, really missing, and as many as it counts.
func FuzzCheckCoverage(f *testing.F) {
	f.Add([]byte{0, 2, 1, 4, 3, 4})
	f.Add([]byte{0, 2, 0, 2})
	f.Add([]byte{5, 8})
	f.Fuzz(func(t *testing.T, b []byte) {
		var have []ShardID
		for i := 0; i+1 < len(b) && len(have) < 16; i += 2 {
			have = append(have, ShardID{Index: int(b[i]), Count: int(b[i+1]%64) + 1})
		}
		c, err := CheckCoverage(have, nil)
		if err != nil {
			return
		}
		if c.Complete() != (len(c.Problems()) == 0) {
			t.Fatalf("complete %v but problems %v", c.Complete(), c.Problems())
		}
		covered := make([]int, c.Classes)
		for _, s := range have {
			for r := s.Index; r < c.Classes; r += s.Count {
				covered[r]++
			}
		}
		seen := make([]bool, c.Classes)
		n := 0
		for _, m := range c.Missing {
			if c.Classes%m.Count != 0 {
				t.Fatalf("missing %v is not a class modulo %d", m, c.Classes)
			}
			for r := m.Index; r < c.Classes; r += m.Count {
				if seen[r] || covered[r] != 0 {
					t.Fatalf("missing %v overlaps another or is covered", m)
				}
				seen[r] = true
				n++
			}
		}
		if n != c.MissingClasses {
			t.Fatalf("missing classes cover %d residues, counted %d", n, c.MissingClasses)
		}
		dup := false
		for _, v := range covered {
			dup = dup || v > 1
		}
		if dup != (len(c.Overlaps) > 0) {
			t.Fatalf("residues covered twice: %v, overlaps %v", dup, c.Overlaps)
		}
	})
}
