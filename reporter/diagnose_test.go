package reporter

import (
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/loadgen"
)

// TestDiagnose: runs whose server did not understand the clients get a
// warning naming the protocol its messages and closes look like; healthy
// runs and losses inside a storm's window get none.
func TestDiagnose(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	connect := func(s events, at time.Duration, n int) {
		for range n {
			s.Attempt(at, 0)
			s.Connected(at, loadgen.ConnectTiming{Total: ms(1)})
		}
	}
	tests := []struct {
		name     string
		protocol string
		storm    bool
		play     func(s events)
		n        int      // warnings
		want     []string // what they say
	}{
		{"healthy", "stormbench", false, func(s events) {
			connect(s, ms(10), 10)
			for range 10 {
				s.Received(ms(500), loadgen.TrafficMessage, 20)
			}
		}, 0, nil},
		{"socket.io server, stormbench clients", "stormbench", false, func(s events) {
			connect(s, ms(10), 10)
			for range 10 {
				s.RecordText(ms(20), measure.Unrecognised, []byte(`0{"sid":"abc","upgrades":[],"pingInterval`))
				s.Received(ms(20), loadgen.TrafficUnrecognised, 90)
				s.RecordKey(ms(900), measure.CloseCodes, 1005)
				s.Disconnected(ms(900), measure.CauseCloseFrame)
			}
		}, 2, []string{"ended 10 of 10 connections", "matched no rule", "try --protocol socketio"}},
		{"graphql-ws server without init", "stormbench", false, func(s events) {
			connect(s, ms(10), 4)
			for range 4 {
				s.RecordKey(ms(3000), measure.CloseCodes, 4408)
				s.RecordText(ms(3000), measure.CloseReasons, []byte("4408 Connection initialisation timeout"))
				s.Disconnected(ms(3000), measure.CauseCloseFrame)
			}
		}, 1, []string{"ended 4 of 4", "try --protocol graphql-ws"}},
		{"losses in a storm's window", "stormbench", true, func(s events) {
			connect(s, ms(10), 10)
			for range 10 {
				s.Disconnected(ms(1500), measure.CauseReset)
			}
			connect(s, ms(1800), 10)
		}, 0, nil},
		{"already socketio: no suggestion of itself", "socketio", false, func(s events) {
			connect(s, ms(10), 2)
			for range 2 {
				s.RecordText(ms(20), measure.Unrecognised, []byte(`0{"sid"`))
				s.Received(ms(20), loadgen.TrafficUnrecognised, 10)
			}
		}, 1, []string{"matched no rule of --protocol socketio"}},
		{"never ready", "actioncable", false, func(s events) {
			for range 3 {
				s.Attempt(ms(10), 0)
				s.Record(ms(10), measure.Connects, 1)
				s.RecordText(ms(50), measure.JoinRefusals, []byte("rejected"))
			}
		}, 1, []string{"no client became ready", "refused: rejected ×3"}},
		{"joins that time out", "mqtt", false, func(s events) {
			connect(s, ms(10), 4)
			s.Record(ms(20), measure.Joins, 2)
			for range 2 {
				s.Disconnected(ms(2000), measure.CauseJoinTimeout)
			}
		}, 1, []string{"2 connections opened but their join did not finish within the connect timeout", "join_timeout"}},
		{"told not to reconnect", "actioncable", false, func(s events) {
			connect(s, ms(10), 4)
			for range 3 {
				s.RecordText(ms(50), measure.Goodbyes, []byte("unauthorized"+measure.NoReconnectMark))
			}
			s.RecordText(ms(50), measure.Goodbyes, []byte("server_restart"))
		}, 1, []string{"told clients 3 times not to reconnect", "unauthorized [no reconnect] ×3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTestRecorder()
			if tt.storm {
				r.StormInfo(0, loadgen.StormInfo{Fault: "abort", T0: time.Second, End: 2 * time.Second, Affected: 10})
			}
			tt.play(events{r.Sink(0)})
			sum := Summarize(r.Snapshot(3*time.Second), SummaryOptions{Protocol: tt.protocol})
			if len(sum.Warnings) != tt.n {
				t.Fatalf("warnings %q, want %d", sum.Warnings, tt.n)
			}
			all := strings.Join(sum.Warnings, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("warnings %q do not say %q", sum.Warnings, w)
				}
			}
		})
	}
}

// TestDiagnoseSaturatedHarness: losses while the harness was saturated
// are not blamed on a protocol mismatch (a loop that fell behind answers
// heartbeats late), and no --protocol is suggested.
func TestDiagnoseSaturatedHarness(t *testing.T) {
	r := newTestRecorder()
	s := events{r.Sink(0)}
	for range 10 {
		s.Attempt(10*time.Millisecond, 0)
		s.Connected(10*time.Millisecond, loadgen.ConnectTiming{Total: time.Millisecond})
		s.RecordKey(900*time.Millisecond, measure.CloseCodes, 1006)
		s.Disconnected(900*time.Millisecond, measure.CauseHeartbeatTimeout)
	}
	snap := r.Snapshot(3 * time.Second)
	sum := Summarize(snap, SummaryOptions{Protocol: "stormbench"})
	if w := strings.Join(sum.Warnings, "\n"); !strings.Contains(w, "do not seem to understand") {
		t.Fatalf("healthy harness: warnings %q, want the mismatch named", sum.Warnings)
	}
	sum.Harness.Saturated = true
	w := strings.Join(diagnose(snap, sum, "stormbench"), "\n")
	if strings.Contains(w, "understand") || strings.Contains(w, "--protocol") || !strings.Contains(w, "saturated or starved") {
		t.Fatalf("saturated harness: warnings %q, want the losses put down to late heartbeats, no mismatch", w)
	}
}
