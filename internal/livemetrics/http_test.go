package livemetrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stormbench/stormbench/internal/measure"
)

// stopBound is how long a test waits for an event before it calls the
// server broken; nothing is asserted about the time itself.
const stopBound = 10 * time.Second

// startServer serves cs on 127.0.0.1:0 until the test ends.
func startServer(t *testing.T, cs ...prometheus.Collector) *Server {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(cs...)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Listen(ctx, "127.0.0.1:0", reg, Options{})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.Done():
		case <-time.After(stopBound):
			t.Error("metrics server did not stop")
		}
	})
	return s
}

var client = &http.Client{Timeout: stopBound}

// get fetches path from s and returns the status and body.
func get(t *testing.T, s *Server, path string) (int, string) {
	t.Helper()
	resp, err := client.Get("http://" + s.Addr() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// parse reads the text exposition as a scraper would.
func parse(t *testing.T, body string) map[string]float64 {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse exposition: %v\n%s", err, body)
	}
	mfs := make([]*dto.MetricFamily, 0, len(fams))
	for _, mf := range fams {
		mfs = append(mfs, mf)
	}
	return flatten(mfs)
}

// TestScrape serves a fixed run and server over real HTTP on loopback and
// checks what a scraper reads.
func TestScrape(t *testing.T) {
	s := startServer(t, NewRunCollector(fixedRun(runFixture())), NewServeCollector(fixedServe(serveFixture())))
	if host, port, err := net.SplitHostPort(s.Addr()); err != nil || host != "127.0.0.1" || port == "0" {
		t.Fatalf("Addr() = %q: want 127.0.0.1 and the port chosen", s.Addr())
	}
	code, body := get(t, s, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d\n%s", code, body)
	}
	got := parse(t, body)
	want := map[string]float64{
		"stormbench_connect_attempts_total":                        18000,
		`stormbench_connect_failures_total{cause="timeout"}`:       40,
		`stormbench_clients{state="open"}`:                         7100,
		`stormbench_phase_info{phase="storm-1"}`:                   1,
		"stormbench_storm_t0_seconds":                              10.107,
		`stormbench_connect_latency_seconds_bucket{le="0.001"}`:    2,
		`stormbench_connect_latency_seconds_bucket{le="+Inf"}`:     4,
		"stormbench_connect_latency_seconds_count":                 4,
		"stormbench_connect_latency_seconds_sum":                   0.043,
		`stormbench_heartbeat_rtt_seconds_bucket{le="0.256"}`:      2,
		`stormbench_server_rejects_total{cause="accept_rate"}`:     5,
		`stormbench_server_detect_latency_seconds{quantile="0.5"}`: 15,
		"stormbench_server_open_connections":                       7000,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	// Everything gathered reaches the scraper, with the same values.
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewRunCollector(fixedRun(runFixture())), NewServeCollector(fixedServe(serveFixture())))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	direct := flatten(mfs)
	if len(direct) != len(got) {
		t.Errorf("scraped %d samples, gathered %d", len(got), len(direct))
	}
	for k, v := range direct {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: scraped %v (present %v), gathered %v", k, g, ok, v)
		}
	}
}

func TestOnlyMetricsPath(t *testing.T) {
	s := startServer(t, NewRunCollector(fixedRun(runFixture())))
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/metrics", http.StatusOK},
		{"HEAD", "/metrics", http.StatusOK},
		{"GET", "/", http.StatusNotFound},
		{"GET", "/metrics/", http.StatusNotFound},
		{"GET", "/metricsx", http.StatusNotFound},
		{"GET", "/debug/pprof/", http.StatusNotFound},
		{"GET", "/stats", http.StatusNotFound},
		{"POST", "/metrics", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, "http://"+s.Addr()+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("%s %s = %d, want %d", tt.method, tt.path, resp.StatusCode, tt.want)
			}
		})
	}
}

// TestScrapeSourceError: a fleet whose loop died fails the scrape loudly
// (HTTP 500, the error in the body, no samples); once the source answers
// again, so does the endpoint.
func TestScrapeSourceError(t *testing.T) {
	var mu sync.Mutex
	srcErr := errors.New("worker 3: exited with status 2")
	c := NewRunCollector(RunSourceFunc(func() (RunSnapshot, error) {
		mu.Lock()
		defer mu.Unlock()
		return runFixture(), srcErr
	}))
	s := startServer(t, c)
	code, body := get(t, s, "/metrics")
	if code != http.StatusInternalServerError {
		t.Fatalf("GET /metrics with a failing source = %d, want 500\n%s", code, body)
	}
	if !strings.Contains(body, "stormbench run: worker 3: exited with status 2") {
		t.Errorf("body does not carry the source's error:\n%s", body)
	}
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "stormbench_") {
			t.Errorf("a failed scrape exposed a sample: %s", line)
		}
	}
	mu.Lock()
	srcErr = nil
	mu.Unlock()
	if code, body := get(t, s, "/metrics"); code != http.StatusOK {
		t.Fatalf("GET /metrics after recovery = %d\n%s", code, body)
	}
}

// TestConcurrentScrapes has scrapers race a producer that keeps changing
// the state (run with -race): every scrape parses, counters never go back,
// and every histogram's +Inf bucket is its count.
func TestConcurrentScrapes(t *testing.T) {
	const scrapers, scrapes = 4, 15
	var (
		mu       sync.Mutex
		attempts int64
		hist     AtomicHistogram
	)
	src := RunSourceFunc(func() (RunSnapshot, error) {
		s := runFixture()
		mu.Lock()
		s.Counts[measure.Attempts] = attempts
		mu.Unlock()
		s.Latency[measure.ConnectLatency] = hist.Snapshot()
		return s, nil
	})
	s := startServer(t, NewRunCollector(src))

	// The producer changes the state while scrapes run: a bounded number
	// of updates, yielding between them as an event loop between events.
	done := make(chan struct{})
	var producer sync.WaitGroup
	producer.Add(1)
	go func() {
		defer producer.Done()
		for i := range 20000 {
			select {
			case <-done:
				return
			default:
			}
			mu.Lock()
			attempts++
			mu.Unlock()
			hist.Observe(time.Duration(i%5000) * time.Millisecond)
			runtime.Gosched()
		}
	}()

	var wg sync.WaitGroup
	errs := make(chan error, scrapers)
	for range scrapers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := -1.0
			for range scrapes {
				resp, err := client.Get("http://" + s.Addr() + "/metrics")
				if err != nil {
					errs <- err
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("scrape: %d %v\n%s", resp.StatusCode, err, b)
					return
				}
				p := expfmt.NewTextParser(model.UTF8Validation)
				fams, err := p.TextToMetricFamilies(strings.NewReader(string(b)))
				if err != nil {
					errs <- err
					return
				}
				a := fams["stormbench_connect_attempts_total"].GetMetric()[0].GetCounter().GetValue()
				if a < last {
					errs <- fmt.Errorf("attempts went back from %v to %v", last, a)
					return
				}
				last = a
				h := fams["stormbench_connect_latency_seconds"].GetMetric()[0].GetHistogram()
				bs := h.GetBucket()
				if inf := bs[len(bs)-1]; inf.GetUpperBound() <= 1e300 || inf.GetCumulativeCount() != h.GetSampleCount() {
					errs <- fmt.Errorf("+Inf bucket %v, count %d", inf, h.GetSampleCount())
					return
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	producer.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestStopsOnContext: the server stops when its context ends, and its
// port then refuses connections.
func TestStopsOnContext(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewRunCollector(fixedRun(RunSnapshot{})))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := Serve(ctx, "127.0.0.1:0", reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	// Listen is what Serve does; use it to wait for the stop.
	ctx2, cancel2 := context.WithCancel(context.Background())
	s, err := Listen(ctx2, "127.0.0.1:0", reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cancel2()
	select {
	case <-s.Done():
	case <-time.After(stopBound):
		t.Fatal("server did not stop after its context ended")
	}
	if err := s.Err(); err != nil {
		t.Fatalf("Err() after a stop by context = %v", err)
	}
	if c, err := net.Dial("tcp", s.Addr()); err == nil {
		c.Close()
		t.Fatalf("%s still accepts connections after the stop", s.Addr())
	}
}

// TestListenRefusesNonLoopback: addresses outside loopback are refused
// before anything listens.
func TestListenRefusesNonLoopback(t *testing.T) {
	reg := prometheus.NewRegistry()
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0", "192.0.2.1:9100", "[2001:db8::1]:9100", "metrics.example:9100", "[::ffff:192.0.2.1]:0"} {
		t.Run(addr, func(t *testing.T) {
			s, err := Listen(context.Background(), addr, reg, Options{})
			if !errors.Is(err, ErrNotLoopback) {
				if s != nil {
					t.Errorf("listening on %s", s.Addr())
				}
				t.Fatalf("Listen(%q) = %v, want ErrNotLoopback", addr, err)
			}
		})
	}
	if _, err := Listen(context.Background(), "127.0.0.1", reg, Options{}); err == nil || errors.Is(err, ErrNotLoopback) {
		t.Fatalf("an address without a port: %v", err)
	}
}

func TestCheckListenAddr(t *testing.T) {
	tests := []struct {
		addr  string
		allow bool
		ok    bool
	}{
		{"127.0.0.1:9100", false, true},
		{"127.1.2.3:0", false, true},
		{"[::1]:0", false, true},
		{"[::ffff:127.0.0.1]:0", false, true},
		{"localhost:9100", false, true},
		{"LOCALHOST:9100", false, true},
		{":9100", false, false},
		{"0.0.0.0:9100", false, false},
		{"10.0.0.1:9100", false, false},
		{"metrics.example:9100", false, false},
		{":9100", true, true},
		{"10.0.0.1:9100", true, true},
		{"no-port", true, false},
	}
	for _, tt := range tests {
		err := checkListenAddr(tt.addr, tt.allow)
		if (err == nil) != tt.ok {
			t.Errorf("checkListenAddr(%q, allow %v) = %v, want ok %v", tt.addr, tt.allow, err, tt.ok)
		}
	}
}

// TestListenLocalhost: "localhost" is accepted and ends up on loopback.
func TestListenLocalhost(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := Listen(ctx, "localhost:0", prometheus.NewRegistry(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := checkBound(mustTCPAddr(t, s.Addr()), false); err != nil {
		t.Fatal(err)
	}
}

func mustTCPAddr(t *testing.T, s string) net.Addr {
	t.Helper()
	a, err := net.ResolveTCPAddr("tcp", s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestListenPortInUse(t *testing.T) {
	s := startServer(t, NewRunCollector(fixedRun(RunSnapshot{})))
	if _, err := Listen(context.Background(), s.Addr(), prometheus.NewRegistry(), Options{}); err == nil {
		t.Fatalf("a second Listen on %s succeeded", s.Addr())
	}
}
