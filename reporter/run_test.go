package reporter

import (
	"encoding/csv"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stormbench/stormbench/internal/measure"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// assertNoTempFiles fails when dir holds a leftover temporary file.
func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestWriteRun(t *testing.T) {
	s, fed := tallyShard(t)
	sum := Summarize(s, SummaryOptions{})
	dir := filepath.Join(t.TempDir(), "results", "run")
	config := map[string]any{"clients": 120, "jitter": "full"}
	if err := WriteRun(dir, s, sum, config); err != nil {
		t.Fatal(err)
	}

	t.Run("files", func(t *testing.T) {
		want := []string{"config.json", "summary.json", "timeseries.csv", "histograms.hlog"}
		for _, m := range Metrics() {
			want = append(want, m+".hgrm")
		}
		for _, name := range want {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				t.Error(err)
			}
		}
		if len(Metrics()) != 8 {
			t.Errorf("%d metrics, want 8", len(Metrics()))
		}
		assertNoTempFiles(t, dir)
	})
	t.Run("hgrm counts", func(t *testing.T) {
		re := regexp.MustCompile(`Total count\s*=\s*(\d+)`)
		for _, m := range Metrics() {
			b, err := os.ReadFile(filepath.Join(dir, m+".hgrm"))
			if err != nil {
				t.Fatal(err)
			}
			match := re.FindSubmatch(b)
			if match == nil {
				t.Errorf("%s.hgrm has no total count", m)
				continue
			}
			n, _ := strconv.ParseInt(string(match[1]), 10, 64)
			if want := fed.hists[m]; n != want || n == 0 {
				t.Errorf("%s.hgrm total count %d, want the %d values fed", m, n, want)
			}
			if got := sum.Histograms[m].Count; got != fed.hists[m] {
				t.Errorf("summary %s count %d, want the %d values fed", m, got, fed.hists[m])
			}
		}
	})
	t.Run("timeseries", func(t *testing.T) {
		// Read back from disk and compare with what was fed, not with the
		// series the summary was computed from.
		f, err := os.Open(filepath.Join(dir, "timeseries.csv"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(recs[0], ","), strings.Join(TimeseriesHeader(), ","); got != want {
			t.Fatalf("header %s, want %s", got, want)
		}
		if len(recs)-1 != 81 || recs[1][0] != "0.1" || recs[81][0] != "8.1" {
			t.Errorf("%d rows from %s to %s, want 81 rows from 0.1 to 8.1", len(recs)-1, recs[1][0], recs[len(recs)-1][0])
		}
		sums := map[string]int64{}
		for _, r := range recs[1:] {
			for i, v := range r[1:] {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				sums[recs[0][i+1]] += n
			}
		}
		for name, want := range fed.columns {
			if sums[name] != want || want == 0 {
				t.Errorf("column %s sums to %d on disk, %d were fed", name, sums[name], want)
			}
		}
		c, hb := sum.Counters, sum.Heartbeat
		for name, got := range map[string]int64{
			"attempts": c.Get(measure.Attempts), "connects": c.Get(measure.Connects), "failures": c.Get(measure.Failures),
			"disconnects": c.Get(measure.Disconnects), "pings_sent": c.Get(measure.PingsSent), "pongs_received": c.Get(measure.PongsReceived),
			"bytes_sent": c.Get(measure.BytesSent), "bytes_received": c.Get(measure.BytesReceived),
			"messages_received": c.Get(measure.MessagesReceived), "gave_up": c.Get(measure.GaveUp), "messages_lost": c.Get(measure.MessagesLost),
			"messages_duplicated": c.Get(measure.MessagesDuplicated), "reconnects": c.Get(measure.Reconnects), "joins": c.Get(measure.Joins),
			"heartbeat_frames_sent": hb.FramesSent, "heartbeat_frames_received": hb.FramesReceived,
			"heartbeat_bytes_sent": hb.BytesSent, "heartbeat_bytes_received": hb.BytesReceived,
		} {
			if got != fed.columns[name] || got != sums[name] {
				t.Errorf("counter %s = %d, fed %d, column on disk %d", name, got, fed.columns[name], sums[name])
			}
		}
		// 18 counters and heartbeat figures checked above, and the loops'
		// busy and CPU time.
		if len(fed.columns) != 20 {
			t.Errorf("%d count columns fed, want 20: a counter is missing from the check", len(fed.columns))
		}
		if got, want := sum.Counters.Keys(measure.ProtocolErrors), fed.rules; !maps.Equal(got, want) || len(want) == 0 {
			t.Errorf("protocol errors %v, fed %v", got, want)
		}
	})
	t.Run("summary round trip", func(t *testing.T) {
		got, err := ReadSummary(dir)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := mustJSON(t, got), mustJSON(t, sum); g != w {
			t.Errorf("summary changed in a round trip:\n%s", firstDiff(g, w))
		}
	})
	t.Run("config", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(dir, "config.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "\n  \"jitter\": \"full\"") {
			t.Errorf("config.json not indented JSON:\n%s", b)
		}
	})
	t.Run("hlog", func(t *testing.T) {
		f, err := os.Open(filepath.Join(dir, "histograms.hlog"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r := hdr.NewHistogramLogReader(f)
		counts := map[string]int64{}
		intervals := 0
		for {
			h, err := r.NextIntervalHistogram()
			if err != nil {
				t.Fatal(err)
			}
			if h == nil {
				break
			}
			intervals++
			counts[h.Tag()] += h.TotalCount()
		}
		if want := len(s.Phases) * int(measure.NumMetrics); intervals != want {
			t.Errorf("%d intervals, want %d (one per phase per measure.Metric)", intervals, want)
		}
		for name, h := range sum.Histograms {
			if counts[name] != h.Count {
				t.Errorf("hlog %s holds %d values, want %d", name, counts[name], h.Count)
			}
		}
	})
}

func TestWriteRunNilSummary(t *testing.T) {
	dir := t.TempDir()
	if err := WriteRun(dir, scenarioShard(t), nil, nil); err != nil {
		t.Fatal(err)
	}
	sum, err := ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counters.Get(measure.Attempts) == 0 || sum.Harness.LatenessBoundMs != 5 {
		t.Errorf("summary not computed: attempts %d bound %v", sum.Counters.Get(measure.Attempts), sum.Harness.LatenessBoundMs)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")
	for _, content := range []string{"first", "second, longer"} {
		if err := WriteFileAtomic(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil || string(b) != content {
			t.Errorf("read %q, %v; want %q", b, err, content)
		}
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "f.txt"), nil); err == nil {
		t.Error("write into a missing directory succeeded")
	}
	assertNoTempFiles(t, dir)
}

func TestWriteCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server_timeseries.csv")
	if err := WriteCSV(path, []string{"t_s", "note"}, [][]string{{"0.1", "a,b"}}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "t_s,note\n0.1,\"a,b\"\n"; string(b) != want {
		t.Errorf("got %q, want %q", b, want)
	}
}
