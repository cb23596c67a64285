package experiment

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// skewedServer serves /healthz on loopback with its clock skew off this
// machine's (say false: no time at all) and returns its base URL.
func skewedServer(t *testing.T, skew time.Duration, say bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := map[string]any{"status": "ok"}
		if say {
			body["now_unix_ns"] = time.Now().Add(skew).UnixNano()
		}
		_ = json.NewEncoder(w).Encode(body)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// TestClockWarning: a timetable shard warns when its clock is off the
// server's by more than ClockWarn, either way, and when it cannot tell;
// within it, or without a timetable, it says nothing.
func TestClockWarning(t *testing.T) {
	start := time.Now().Add(10 * time.Second)
	tests := []struct {
		name    string
		skew    time.Duration
		say     bool
		startAt time.Time
		want    string // "" = no warning
	}{
		{"in step", 0, true, start, ""},
		{"within the bound", ClockWarn / 4, true, start, ""},
		{"server ahead", 2 * time.Second, true, start, "this machine's clock is 2s behind the server's"},
		{"server behind", -800 * time.Millisecond, true, start, "this machine's clock is 800ms ahead of the server's"},
		{"no time", 0, false, start, "could not compare this machine's clock with the server's"},
		{"no timetable", 5 * time.Second, true, time.Time{}, ""},
		{"no time left before the start", 5 * time.Second, true, time.Now().Add(clockProbeMin / 2), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Plan{Spec: Spec{Control: skewedServer(t, tt.skew, tt.say), ControlToken: "t", StartAt: tt.startAt}}
			got := clockWarning(context.Background(), p)
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Fatalf("warning %q, want %q", got, tt.want)
			}
		})
	}
	// Nobody listening: said, and within the probes' time bound.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	began := time.Now()
	p := &Plan{Spec: Spec{Control: "http://" + addr, ControlToken: "t", StartAt: start}}
	if got := clockWarning(context.Background(), p); !strings.Contains(got, "could not compare") {
		t.Fatalf("no server: %q", got)
	}
	if d := time.Since(began); d > clockProbeTime+time.Second {
		t.Fatalf("probes took %v, over their bound %v", d, clockProbeTime)
	}
}
