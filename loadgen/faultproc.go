package loadgen

import "time"

// FaultProcess is a fault that goes on after Inject returned: the command
// of an exec fault, which may take minutes (a rolling deploy). The storm
// does not end before it exits; the recover timeout stops it.
type FaultProcess interface {
	// Done is closed when the command exited.
	Done() <-chan struct{}
	// Stop ends the command if it still runs (its whole process group)
	// and returns what it left.
	Stop() ExecResult
}

// ExecResult is what the command of an exec fault left: the storm's info
// carries it into the summary, so that a deploy that failed is reported
// beside the storm it caused, not hidden.
type ExecResult struct {
	// Command is the command as given to sh -c.
	Command string `json:"command"`
	// Log is the file in the results folder that holds its output.
	Log string `json:"log,omitempty"`
	// ExitCode is its exit status; -1 when it did not exit by itself
	// (killed by a signal, stopped at the recover timeout, not started).
	ExitCode int `json:"exit_code"`
	// Duration is how long it ran.
	Duration time.Duration `json:"duration"`
	// Error says why it failed to start or was stopped.
	Error string `json:"error,omitempty"`
}

// Failed reports whether the command did not succeed.
func (e ExecResult) Failed() bool { return e.ExitCode != 0 || e.Error != "" }
