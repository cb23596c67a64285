package loadgen

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// refuser answers every upgrade request with status (and Retry-After, when
// set) and records when each request arrived.
type refuser struct {
	ln     net.Listener
	status int
	retry  string
	mu     sync.Mutex
	at     []time.Time
}

func startRefuser(t *testing.T, status int, retry string) *refuser {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &refuser{ln: ln, status: status, retry: retry}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
					return
				}
				r.mu.Lock()
				r.at = append(r.at, time.Now())
				r.mu.Unlock()
				head := fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Length: 0\r\n", r.status, http.StatusText(r.status))
				if r.retry != "" {
					head += "Retry-After: " + r.retry + "\r\n"
				}
				_, _ = c.Write([]byte(head + "\r\n"))
			}()
		}
	}()
	return r
}

// retrySink counts refusals and Retry-After decisions.
type retrySink struct {
	countSink
	failures       []measure.FailCause
	seen, honoured int
}

func (s *retrySink) RecordKey(_ time.Duration, f measure.Family, k int) {
	if f == measure.FailureCauses {
		s.failures = append(s.failures, measure.FailCause(k))
	}
}

func (s *retrySink) Record(_ time.Duration, c measure.Column, v int64) {
	switch c {
	case measure.RetryAfterSeen:
		s.seen += int(v)
	case measure.RetryAfterHonoured:
		s.honoured += int(v)
	}
}

type retryRecorder struct{ sink *retrySink }

func (r *retryRecorder) Sink(int) Sink            { return r.sink }
func (r *retryRecorder) StormInfo(int, StormInfo) {}

// TestRefusedUpgrades: a refused upgrade fails with its status's cause,
// and a Retry-After on 429 or 503 is waited for only when asked.
func TestRefusedUpgrades(t *testing.T) {
	tests := []struct {
		status  int
		retry   string
		respect bool
		cause   measure.FailCause
	}{
		{401, "", false, measure.FailUnauthorized},
		{403, "", false, measure.FailForbidden},
		{500, "", false, measure.FailHTTPStatus},
		{503, "", false, measure.FailUnavailable},
		{429, "1", false, measure.FailTooManyRequests},
		{429, "1", true, measure.FailTooManyRequests},
		{503, "1", true, measure.FailUnavailable},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d retry %q respect %v", tt.status, tt.retry, tt.respect), func(t *testing.T) {
			srv := startRefuser(t, tt.status, tt.retry)
			cfg := Config{URL: "ws://" + srv.ln.Addr().String() + "/ws", Clients: 1, RampRate: 100, Loops: 1,
				Fault: Fault{Kind: FaultNone, RecoverTimeout: 2500 * time.Millisecond}, RespectRetryAfter: tt.respect,
				Policy: Policy{Base: 50 * time.Millisecond, Max: 100 * time.Millisecond, Jitter: JitterNone}, Heartbeat: Heartbeat{Mode: HeartbeatNone}}.Resolve()
			start := time.Now()
			clock := func() time.Duration { return time.Since(start) }
			rec := &retryRecorder{sink: &retrySink{}}
			f, err := NewFleet(cfg, rec, clock)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if _, err := Run(ctx, cfg, f, rec, Options{Start: start, Clock: clock}); err != ErrNoConnection {
				t.Fatalf("run: %v, want %v", err, ErrNoConnection)
			}
			s := rec.sink
			if len(s.failures) < 2 {
				t.Fatalf("%d failures", len(s.failures))
			}
			for _, c := range s.failures {
				if c != tt.cause && c != measure.FailCanceled {
					t.Fatalf("failure cause %v, want %v", c, tt.cause)
				}
			}
			srv.mu.Lock()
			at := append([]time.Time(nil), srv.at...)
			srv.mu.Unlock()
			minGap := time.Hour
			for i := 1; i < len(at); i++ {
				minGap = min(minGap, at[i].Sub(at[i-1]))
			}
			switch {
			case tt.retry == "":
				if s.seen != 0 {
					t.Fatalf("Retry-After seen %d times, none was sent", s.seen)
				}
			case tt.respect:
				// Every retry waited for the second the server asked for.
				if s.seen == 0 || s.honoured != s.seen {
					t.Fatalf("seen %d honoured %d", s.seen, s.honoured)
				}
				if minGap < time.Second-10*time.Millisecond || len(at) > 4 {
					t.Fatalf("%d requests, closest %v apart: Retry-After 1 not honoured", len(at), minGap)
				}
			default:
				if s.seen == 0 || s.honoured != 0 || minGap >= time.Second {
					t.Fatalf("seen %d honoured %d, closest requests %v apart: the policy's own delays should rule", s.seen, s.honoured, minGap)
				}
			}
		})
	}
}
