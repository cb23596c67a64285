package livemetrics

import (
	"bytes"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	"github.com/stormbench/stormbench/internal/measure"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// exposition gathers c from a pedantic registry (which also checks that
// Describe and Collect agree) in the text format: metric families sorted
// by name, series by labels.
func exposition(t *testing.T, cs ...prometheus.Collector) []byte {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			t.Fatal(err)
		}
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	// Encoded by hand: testutil.GatherAndFormat of this client_golang
	// version keeps only the families it is given names of.
	var out bytes.Buffer
	enc := expfmt.NewEncoder(&out, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("exposition differs from %s (go test -update rewrites it):\n%s", path, got)
	}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		c    []prometheus.Collector
	}{
		{"run.golden", []prometheus.Collector{NewRunCollector(fixedRun(runFixture()))}},
		{"run_zero.golden", []prometheus.Collector{NewRunCollector(fixedRun(RunSnapshot{}))}},
		{"serve.golden", []prometheus.Collector{NewServeCollector(fixedServe(serveFixture()))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := exposition(t, tt.c...)
			checkGolden(t, tt.name, first)
			// A second scrape of the same state shows the same figures:
			// nothing is accumulated between scrapes.
			if again := exposition(t, tt.c...); !bytes.Equal(first, again) {
				t.Fatalf("second scrape differs:\n%s", again)
			}
		})
	}
}

// TestLint runs client_golang's linter (names, units, suffixes, help)
// over everything the collectors emit.
func TestLint(t *testing.T) {
	tests := []struct {
		name string
		c    prometheus.Collector
	}{
		{"run", NewRunCollector(fixedRun(runFixture()))},
		{"run zero", NewRunCollector(fixedRun(RunSnapshot{}))},
		{"serve", NewServeCollector(fixedServe(serveFixture()))},
		{"serve zero", NewServeCollector(fixedServe(ServeSnapshot{}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems, err := testutil.CollectAndLint(tt.c)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				t.Errorf("%s: %s", p.Metric, p.Text)
			}
		})
	}
}

// TestRunAndServeTogether: `run` with the embedded server registers both
// collectors in one registry; their names must not collide.
func TestRunAndServeTogether(t *testing.T) {
	out := exposition(t, NewRunCollector(fixedRun(runFixture())), NewServeCollector(fixedServe(serveFixture())))
	for _, name := range []string{"stormbench_connects_total 17100", "stormbench_server_handshakes_total 20000"} {
		if !bytes.Contains(out, []byte(name)) {
			t.Errorf("exposition lacks %q", name)
		}
	}
}

// TestDescribedFamilies checks that every family is described with a
// help text and that names are unique within and across the collectors.
func TestDescribedFamilies(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range append(runFamilies(), serveFamilies()...) {
		if seen[f.name] {
			t.Errorf("%s described twice", f.name)
		}
		seen[f.name] = true
		if !strings.HasPrefix(f.name, "stormbench_") {
			t.Errorf("%s is outside the stormbench_ namespace", f.name)
		}
		if !strings.Contains(f.desc.String(), `help: "`) || strings.Contains(f.desc.String(), `help: ""`) {
			t.Errorf("%s has no help text", f.name)
		}
	}
}

// TestContractViolations: a snapshot that breaks the contract fails the
// whole scrape with an error naming the metric, and emits nothing else.
func TestContractViolations(t *testing.T) {
	run := func(mod func(*RunSnapshot)) prometheus.Collector {
		s := runFixture()
		mod(&s)
		return NewRunCollector(fixedRun(s))
	}
	serve := func(mod func(*ServeSnapshot)) prometheus.Collector {
		s := serveFixture()
		mod(&s)
		return NewServeCollector(fixedServe(s))
	}
	many := map[string]int64{}
	for i := range MaxLabelValues + 1 {
		many[string(rune('a'+i%26))+strings.Repeat("x", i)] = 1
	}
	tests := []struct {
		name string
		c    prometheus.Collector
		want string
	}{
		{"negative counter", run(func(s *RunSnapshot) { s.Counts[measure.Attempts] = -1 }), "stormbench_connect_attempts_total: counter is -1"},
		{"negative labelled counter", run(func(s *RunSnapshot) { s.Keys[measure.FailureCauses]["refused"] = -2 }), "stormbench_connect_failures_total: counter is -2"},
		{"label not a name", run(func(s *RunSnapshot) { s.Keys[measure.DisconnectCauses]["Reset!"] = 1 }), `stormbench_disconnects_total: label value "Reset!"`},
		{"empty label", run(func(s *RunSnapshot) { s.Keys[measure.ProtocolErrors][""] = 1 }), `stormbench_protocol_errors_total: label value ""`},
		{"too many label values", run(func(s *RunSnapshot) { s.Keys[measure.FailureCauses] = many }), "65 label values: at most 64"},
		{"phase with newline", run(func(s *RunSnapshot) { s.Phase = "storm\n1" }), "stormbench_phase_info: phase"},
		{"negative storm", run(func(s *RunSnapshot) { s.Storm.Number = -1 }), "stormbench_storm_number: storm number -1"},
		{"histogram shape", run(func(s *RunSnapshot) { s.Latency[measure.Outage].Counts = s.Latency[measure.Outage].Counts[:3] }), "stormbench_outage_seconds: 3 counts for 19 bounds"},
		{"histogram layout", run(func(s *RunSnapshot) {
			s.Latency[measure.ConnectLatency] = Histogram{Upper: []float64{1}, Counts: []uint64{0, 0}}
		}), "stormbench_connect_latency_seconds: bucket bounds [1]: a run's latency histograms use LatencyBuckets"},
		{"server negative counter", serve(func(s *ServeSnapshot) { s.Rejects["max_conns"] = -1 }), "stormbench_server_rejects_total: counter is -1"},
		{"server bad kind", serve(func(s *ServeSnapshot) { s.Faults["Abort"] = 1 }), `stormbench_server_faults_total: label value "Abort"`},
		{"server negative detection", serve(func(s *ServeSnapshot) { s.Detection.Count = -1 }), "stormbench_server_detect_latency_seconds: count -1"},
		{"server negative cpu", serve(func(s *ServeSnapshot) { s.Process.CPUSeconds = -1 }), "stormbench_server_cpu_seconds_total: CPU time -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewPedanticRegistry()
			reg.MustRegister(tt.c)
			mfs, err := reg.Gather()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Gather error = %v, want one containing %q", err, tt.want)
			}
			if len(mfs) != 0 {
				t.Fatalf("a broken snapshot still emitted %d families", len(mfs))
			}
		})
	}
}

// TestSourceError: a source's error fails the scrape, whatever snapshot
// came with it, and the next scrape of a healthy source is whole again.
func TestSourceError(t *testing.T) {
	fail := true
	dead := errors.New("loop 1: event loop stopped: epoll_wait: bad file descriptor")
	c := NewRunCollector(RunSourceFunc(func() (RunSnapshot, error) {
		if fail {
			return runFixture(), dead
		}
		return runFixture(), nil
	}))
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if !errors.Is(err, dead) || len(mfs) != 0 {
		t.Fatalf("Gather = %d families, %v; want none and an error wrapping %v", len(mfs), err, dead)
	}
	fail = false
	if _, err := reg.Gather(); err != nil {
		t.Fatalf("healthy source: %v", err)
	}
}

// TestValues reads the gathered families back and checks the mapping of
// snapshot fields to values and units.
func TestValues(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewRunCollector(fixedRun(runFixture())), NewServeCollector(fixedServe(serveFixture())))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := flatten(mfs)
	want := map[string]float64{
		"stormbench_run_start_time_seconds":                         float64(runStartFixture.Unix()),
		"stormbench_run_elapsed_seconds":                            10.6,
		`stormbench_phase_info{phase="storm-1"}`:                    1,
		"stormbench_fleet_clients":                                  10000,
		`stormbench_clients{state="waiting"}`:                       1990,
		`stormbench_clients{state="gave_up"}`:                       10,
		`stormbench_connect_failures_total{cause="refused"}`:        850,
		`stormbench_connect_failures_total{cause="unreachable"}`:    0,
		`stormbench_disconnects_total{cause="reset"}`:               10000,
		`stormbench_protocol_errors_total{rule="reserved_bits"}`:    1,
		"stormbench_storm_number":                                   1,
		"stormbench_storm_window_open":                              1,
		"stormbench_storm_t0_seconds":                               10.107,
		"stormbench_storm_recovered_clients":                        7100,
		"stormbench_harness_timer_lateness_p99_seconds":             0.0145,
		"stormbench_harness_loop_busy_ratio":                        0.75,
		`stormbench_outage_seconds_bucket{le="0.512"}`:              0,
		`stormbench_outage_seconds_bucket{le="1.024"}`:              1,
		`stormbench_outage_seconds_bucket{le="2.048"}`:              2,
		`stormbench_outage_seconds_bucket{le="131.072"}`:            2,
		`stormbench_outage_seconds_bucket{le="+Inf"}`:               3,
		"stormbench_outage_seconds_count":                           3,
		"stormbench_outage_seconds_sum":                             201.907,
		`stormbench_server_detect_latency_seconds{quantile="0.99"}`: 16.5,
		"stormbench_server_detect_latency_seconds_sum":              46.5,
		"stormbench_server_detect_latency_seconds_count":            3,
		"stormbench_server_detect_latency_max_seconds":              16.5,
		`stormbench_server_disconnects_total{cause="fault"}`:        10000,
		"stormbench_server_resident_memory_bytes":                   19 << 20,
		"stormbench_server_cpu_seconds_total":                       5.5,
		"stormbench_server_max_fds":                                 20000,
	}
	for k, v := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s missing", k)
			continue
		}
		if math.Abs(g-v) > 1e-9*math.Max(1, math.Abs(v)) {
			t.Errorf("%s = %v, want %v", k, g, v)
		}
	}
}

// TestOptionalFigures: figures the producer does not know yet are absent,
// not zero (a zero would read as a measurement).
func TestOptionalFigures(t *testing.T) {
	s := runFixture()
	s.Start, s.Phase = time.Time{}, ""
	s.Storm.T0, s.Storm.Affected = -1, -1
	s.Harness.Sampled = false
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewRunCollector(fixedRun(s)))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := flatten(mfs)
	for _, k := range []string{"stormbench_run_start_time_seconds", "stormbench_storm_t0_seconds", "stormbench_storm_affected_clients",
		"stormbench_harness_timer_lateness_p99_seconds", "stormbench_harness_loop_busy_ratio"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s present although unknown", k)
		}
	}
	for k := range got {
		if strings.HasPrefix(k, "stormbench_phase_info") {
			t.Errorf("%s present without a phase", k)
		}
	}
}
