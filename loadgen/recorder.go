package loadgen

import "time"

// Recorder is where a fleet sends its measurements. It hands out one Sink per
// event loop and takes the per-storm facts that only the coordinator knows.
// reporter.Recorder implements it; loadgen knows nothing of files or formats.
type Recorder interface {
	// Sink returns the sink of event loop i (0-based). It is called once per
	// loop before the loop starts.
	Sink(loop int) Sink
	// StormInfo sets the coordinator's facts of storm k (0-based). It may be
	// called several times for one storm (when T0 becomes known, and again
	// at its end); the last call wins. Safe for concurrent use.
	StormInfo(k int, info StormInfo)
}

// StormInfo is what the coordinator knows of one storm.
type StormInfo struct {
	// Fault is the fault kind, e.g. "abort".
	Fault FaultKind `json:"fault"`
	// T0 is when the fault was applied, as an offset from the run's start.
	T0 time.Duration `json:"t0"`
	// End is when the storm's recovery window closed (all affected clients
	// recovered, or the recover timeout passed).
	End time.Duration `json:"end"`
	// Affected is the number of connections the fault hit as reported by
	// the server's control API, or -1 when the clients' own count is used
	// (client-side faults and crashes, where the loops count them through
	// Sink.StormAffected).
	Affected int `json:"affected"`
	// TimedOut reports that the recover timeout ended the storm before
	// every affected client was back.
	TimedOut bool `json:"timed_out"`
	// Aborted reports that the run ended during the storm's window
	// (interrupted, or a process of the harness died): its figures cover
	// only part of the recovery.
	Aborted bool `json:"aborted,omitempty"`
	// Survived counts affected clients that never declared their
	// connection dead: the fault (a blackhole or partition shorter than
	// the heartbeat timeout, or no heartbeat at all) ended first and the
	// old connection carried on.
	Survived int `json:"survived"`
	// Scheduled is when --fault-at asked for the fault (offset from the
	// run's start); T0 later than it says the fault came late, and why is
	// printed. Zero when the fault followed a hold.
	Scheduled time.Duration `json:"scheduled,omitempty"`
	// Observed is set for a storm an observe run found by itself; Since is
	// then the start of the loss count that opened it.
	Observed bool `json:"observed,omitempty"`
	// Exec is what the command of an exec fault left.
	Exec *ExecResult `json:"exec,omitempty"`
}
