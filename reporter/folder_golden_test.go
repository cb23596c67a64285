package reporter

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/loadgen"
)

// feedExtras plays, into loop's sink, the measurements the storm scenario
// leaves out: a wss connect, Retry-After refusals, a sequence restart, an
// untimed pong, the clients' own messages and the server's direct
// messages, the process's CPU time, an affected client's attempts.
func feedExtras(loop int, s events) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	s.Attempt(ms(50), ms(1))
	s.Connected(ms(50), loadgen.ConnectTiming{Total: ms(9 + loop), DNS: ms(1), Resolved: true, TCP: ms(1), TLS: ms(5 + loop), Upgrade: ms(2)})
	s.count(ms(50), measure.TLSHandshakesFull, 1, -1)
	s.RecordText(ms(50), measure.ConnectAddresses, []byte("127.0.0.2:443"))
	s.count(ms(3250), measure.TLSHandshakesResumed, 2, 0)
	s.RetryAfter(ms(300), time.Second, loop%2 == 0)
	s.RetryAfter(ms(400), 2*time.Second, false)
	s.SeqRestart(ms(3200), 0)
	s.PongUntimed(ms(1500))
	s.Received(ms(1600), loadgen.TrafficUnrecognised, 30+loop)
	for i := 0; i < 5+loop; i++ {
		at := ms(1000 + 100*i)
		s.AppProduced(at)
		s.AppSent(at+ms(1), ms(1+i), i%3 == 0)
		s.AppAcked(at+ms(5), -1, ms(5+i), ms(1+i), false)
	}
	s.AppAcked(ms(3100), 0, 0, 0, true)
	s.AppAcked(ms(3150), 0, ms(900), ms(850), true)
	s.AppDropped(ms(3300), 0)
	s.AppLost(ms(3400), 0, 2)
	s.AppLost(ms(6400), -1, 1)
	s.AppQueue(ms(3299), 4+loop)
	s.AppQueue(ms(3399), 1)
	s.DirectReceived(ms(2000), ms(3+loop))
	s.DirectReceived(ms(3500), ms(400))
	s.DirectLost(ms(3500), 0, 3)
	s.DirectDuplicated(ms(3600), 0)
	s.DirectDuplicated(ms(6600), -1)
	s.StormAttempt(0)
	// A framework server's words: a refused join, a goodbye, a close
	// with a reason.
	s.RecordText(ms(3700), measure.JoinRefusals, []byte("4403 forbidden"))
	s.RecordText(ms(3800), measure.Goodbyes, []byte("server_restart"))
	s.RecordKey(ms(3900), measure.CloseCodes, 1012)
	s.RecordText(ms(3900), measure.CloseReasons, []byte("1012 restarting"))
	s.Storm(0, loadgen.StormEvent{Kind: loadgen.StormCounted, Column: measure.JoinsRefused, N: 1})
	for k := 1; k <= 80; k++ {
		s.ProcessCPU(ms(100*k)-1, ms(20+loop+k%5))
	}
}

// extrasShard records the storm scenario plus the extras in one recorder.
func extrasShard(t testing.TB) *Shard {
	t.Helper()
	r := newTestRecorder()
	r.StormInfo(0, scenarioInfo)
	for j := 0; j < scenarioLoops; j++ {
		s := events{r.Sink(j)}
		feed(j, s)
		feedExtras(j, s)
	}
	s := r.Snapshot(scenarioEnd)
	s.Harness = HarnessUsage{Processes: 1, PeakRSSBytes: 48 << 20, CPUSeconds: 1.25}
	return s
}

// canonicalJSON re-encodes a JSON document with sorted keys, so that a
// golden file compares values, not the order of fields.
func canonicalJSON(t testing.TB, b []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode: %v", err)
	}
	out, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// TestRunFolderGolden pins every file a run writes, for a scenario that
// uses every measurement, so that a change to how measurements are
// recorded shows any change to what the results files say. JSON files are
// compared with their keys sorted; the shard round-trips through its file
// and a merge of two recorders first, as a run over workers does.
func TestRunFolderGolden(t *testing.T) {
	one := extrasShard(t)
	// The same events split over two recorders, written, read and merged.
	a, b := newTestRecorder(), newTestRecorder()
	a.StormInfo(0, scenarioInfo)
	recs := []*Recorder{a, b}
	for j := 0; j < scenarioLoops; j++ {
		s := events{recs[j%2].Sink(j / 2)}
		feed(j, s)
		feedExtras(j, s)
	}
	dir := t.TempDir()
	var parts []*Shard
	for i, r := range recs {
		path := filepath.Join(dir, "shard"+string(rune('0'+i))+".json")
		if err := WriteShard(path, r.Snapshot(scenarioEnd)); err != nil {
			t.Fatal(err)
		}
		p, err := ReadShard(path)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
	}
	merged, err := Merge(parts...)
	if err != nil {
		t.Fatal(err)
	}
	merged.Harness = one.Harness

	for _, tt := range []struct {
		name  string
		shard *Shard
	}{{"one", one}, {"merged", merged}} {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			sum := Summarize(tt.shard, SummaryOptions{})
			if err := WriteRun(out, tt.shard, sum, map[string]any{"clients": scenarioClients * scenarioLoops}); err != nil {
				t.Fatal(err)
			}
			entries, err := os.ReadDir(out)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			slices.Sort(names)
			golden(t, "folder/files.golden", []byte(strings.Join(names, "\n")+"\n"))
			for _, name := range names {
				b, err := os.ReadFile(filepath.Join(out, name))
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case strings.HasSuffix(name, ".json"):
					b = canonicalJSON(t, b)
				case name == "histograms.hlog":
					// Its header carries the time of writing.
					b = dropLines(b, "#[StartTime", "#[BaseTime")
				}
				golden(t, "folder/"+name, b)
			}
		})
	}
}

// dropLines removes the lines that start with any of prefixes.
func dropLines(b []byte, prefixes ...string) []byte {
	var out bytes.Buffer
	for _, l := range strings.SplitAfter(string(b), "\n") {
		keep := true
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				keep = false
			}
		}
		if keep {
			out.WriteString(l)
		}
	}
	return out.Bytes()
}
