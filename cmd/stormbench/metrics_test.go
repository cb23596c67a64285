package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var metricsURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+/metrics`)

// scrape fetches the exposition at url.
func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %s\n%s", resp.Status, b)
	}
	return string(b)
}

// wantSamples fails unless every line is a sample of the exposition.
func wantSamples(t *testing.T, expo string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(expo, "\n"+l+"\n") {
			t.Errorf("no sample %q in\n%s", l, expo)
		}
	}
}

// TestRunMetrics scrapes a run's live view during its hold and its storm:
// the fleet, the phase, the storm and the embedded server's own figures.
func TestRunMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	w := &phaseStream{phases: make(chan string, 64)}
	done := make(chan error, 1)
	go func() {
		done <- dispatch(context.Background(), []string{"run", "--out", t.TempDir(), "--clients", "200", "--hold", "2s",
			"--fault", "restart", "--fault-duration", "1500ms", "--metrics-listen", "127.0.0.1:0"}, io.Discard, w)
	}()
	var url string
	for p := range w.phases {
		if url == "" {
			url = metricsURL.FindString(w.buf.String())
		}
		switch p {
		case "hold":
			wantSamples(t, scrape(t, url), `stormbench_clients{state="open"} 200`, `stormbench_phase_info{phase="hold"} 1`,
				`stormbench_connect_attempts_total 200`, `stormbench_connect_latency_seconds_count 200`, `stormbench_storm_number 0`,
				`stormbench_server_handshakes_total 200`)
		case "storm-1":
			// The phase begins just before the fault is applied: wait
			// for the storm to show.
			expo := scrape(t, url)
			for deadline := time.Now().Add(5 * time.Second); !strings.Contains(expo, "\nstormbench_storm_number 1\n") && time.Now().Before(deadline); {
				time.Sleep(20 * time.Millisecond)
				expo = scrape(t, url)
			}
			// The window is open until every client is back.
			wantSamples(t, expo, `stormbench_storm_number 1`, `stormbench_phase_info{phase="storm-1"} 1`, `stormbench_server_faults_total{kind="restart"} 1`)
			if !strings.Contains(expo, "\nstormbench_storm_window_open 1\n") && !strings.Contains(expo, "\nstormbench_storm_recovered_clients 200\n") {
				t.Errorf("storm window closed before every client was back:\n%s", expo)
			}
		}
		if p == "drain" {
			break
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("run: %v\n%s", err, w.buf.String())
	}
	if url == "" {
		t.Fatalf("no metrics address printed:\n%s", w.buf.String())
	}
}

// TestServeMetrics scrapes stormbench serve's /stats as metrics.
func TestServeMetrics(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- dispatch(ctx, []string{"serve", "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--control-token", "t",
			"--workers", "1", "--metrics-listen", "127.0.0.1:0"}, out, io.Discard)
	}()
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); {
		url = metricsURL.FindString(out.String())
		if url == "" {
			time.Sleep(10 * time.Millisecond) // polls for the serve command's first lines
		}
	}
	if url == "" {
		t.Fatalf("no metrics address printed:\n%s", out.String())
	}
	wantSamples(t, scrape(t, url), "stormbench_server_open_connections 0", "stormbench_server_workers 1",
		`stormbench_server_rejects_total{cause="max_conns"} 0`, `stormbench_server_faults_total{kind="abort"} 0`)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
