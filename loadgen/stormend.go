package loadgen

import (
	"fmt"
	"time"
)

// stormEnd is the rule that closes a storm's window before its recover
// timeout: every affected client is back, and for faults that hit
// clients nobody named (exec, observe) or that may go unnoticed
// (blackhole, partition), no more losses are coming.
type stormEnd struct {
	k      int
	t0     time.Duration
	kind   FaultKind
	want   int64         // affected clients, -1: count them from the status
	minEnd time.Duration // the fault itself lasts until then
	// quiet, when ≥ 0, is when a blackhole or partition is over by more
	// than a heartbeat timeout: no detection can come after it.
	quiet time.Duration
	// window is the quiet time after the last loss (exec, observe).
	window time.Duration
	// silent is how long a storm with nothing lost yet waits for the first
	// detection after its command exited: a fault nobody's socket reports
	// shows only when heartbeats time out.
	silent time.Duration
	proc   FaultProcess

	lastDetected int64
	lastChange   time.Duration
	exitedAt     time.Duration
}

func (r *runner) endRule(k int, info StormInfo, proc FaultProcess) *stormEnd {
	f := r.cfg.Fault
	e := &stormEnd{k: k, t0: info.T0, kind: f.Kind, want: int64(info.Affected), minEnd: info.T0, quiet: -1,
		window: f.Window, proc: proc, lastDetected: -1, exitedAt: -1}
	if f.Kind.Lasts() {
		e.minEnd += f.Duration
	}
	// A blackhole or partition that ends before the heartbeat timeout may
	// leave affected clients that never notice. Once the fault is over by
	// more than a timeout, no more detections can come: the storm is over
	// when everyone who detected is back.
	if f.Kind.Silent() {
		e.quiet = e.minEnd + 500*time.Millisecond
		if r.cfg.Heartbeat.Mode.Detects() {
			e.quiet += r.cfg.Heartbeat.Timeout
		}
	}
	e.silent = e.window
	if r.cfg.Heartbeat.Mode.Detects() {
		e.silent += r.cfg.Heartbeat.Timeout
	}
	return e
}

// over reports whether the storm is over at now, given the fleet's status.
func (e *stormEnd) over(s Status, now time.Duration) bool {
	if s.Detected != e.lastDetected {
		e.lastDetected, e.lastChange = s.Detected, now
	}
	if now < e.minEnd || s.Storm != int64(e.k) {
		return false
	}
	if !e.kind.Unattributed() {
		want := e.want
		if want < 0 {
			want = s.Affected
		}
		return s.Recovered >= want || e.quiet >= 0 && now >= e.quiet && s.Recovered >= s.Detected
	}
	if e.proc != nil {
		select {
		case <-e.proc.Done():
		default:
			return false
		}
	}
	if e.exitedAt < 0 {
		e.exitedAt = now
	}
	if s.Recovered < s.Detected || now-e.lastChange < e.window {
		return false
	}
	if s.Detected == 0 {
		return now-e.exitedAt >= e.silent
	}
	return true
}

// describeExec says in a few words how a fault command ended.
func describeExec(r ExecResult) string {
	switch {
	case r.Error != "":
		return fmt.Sprintf("%q failed: %s", r.Command, r.Error)
	case r.ExitCode != 0:
		return fmt.Sprintf("%q exited with status %d (output in %s)", r.Command, r.ExitCode, r.Log)
	}
	return fmt.Sprintf("%q succeeded", r.Command)
}
