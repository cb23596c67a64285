package experiment

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stormbench/stormbench/loadgen"
)

// ending is how the scenario ended. It decides what marks the results
// partial and what Run returns once they are written.
type ending struct {
	// harness is the failure of a process of the harness that ended the
	// run (the supervisor's cause).
	harness *HarnessError
	// interrupted is set when the user stopped the run (Ctrl-C).
	interrupted bool
	// runErr says why the scenario could not be carried out.
	runErr error
}

// endingOf reads the ending of a scenario that ran under ctx (the run's
// context, cancelled with a cause) and returned runErr.
func endingOf(ctx context.Context, runErr error) ending {
	e := ending{runErr: runErr}
	if ctx.Err() == nil {
		return e
	}
	if !errors.As(context.Cause(ctx), &e.harness) {
		e.interrupted = true
	}
	return e
}

// partialReason says why the results are partial, in words for the
// reader, or "" when they are not; at and phase are where the scenario
// stood when the run's context ended (stopPoint).
func (e ending) partialReason(at time.Duration, phase string) string {
	switch {
	case e.harness != nil:
		return "the run ended early: " + e.harness.Error()
	case e.interrupted:
		return fmt.Sprintf("interrupted at %.1fs during %s", at.Seconds(), orUnknown(phase))
	case e.runErr != nil:
		return "the run could not be carried out: " + e.runErr.Error()
	}
	return ""
}

// err is what Run returns once the results are written to dir: why the
// run ended early, which load-generator results are missing (finishErr),
// or which exec faults' commands failed; nil for a complete run. url is
// the server's, for a run in which no client ever connected.
func (e ending) err(storms []loadgen.StormInfo, finishErr error, url, dir string) error {
	switch {
	case e.harness != nil:
		return e.harness
	case e.interrupted:
		return ErrInterrupted
	case errors.Is(e.runErr, loadgen.ErrNoConnection):
		return fmt.Errorf("%w to %s (results written to %s)", e.runErr, url, dir)
	case e.runErr != nil:
		return fmt.Errorf("run: %w (partial results written to %s)", e.runErr, dir)
	case finishErr != nil:
		return fmt.Errorf("some load-generator results are missing: %w (partial results written to %s)", finishErr, dir)
	}
	if err := failedCommands(storms); err != nil {
		return fmt.Errorf("%w (results written to %s)", err, dir)
	}
	return nil
}

// ErrFaultCommand reports an exec fault whose command failed: the storm
// was measured, but it may not be the one the user meant to cause.
var ErrFaultCommand = errors.New("fault command failed")

// failedCommands names the storms whose command failed.
func failedCommands(storms []loadgen.StormInfo) error {
	var errs []error
	for k, st := range storms {
		if st.Exec == nil || !st.Exec.Failed() {
			continue
		}
		how := fmt.Sprintf("exited with status %d", st.Exec.ExitCode)
		if st.Exec.Error != "" {
			how = st.Exec.Error
		}
		errs = append(errs, fmt.Errorf("%w: storm %d: %q %s; its output is in %s", ErrFaultCommand, k+1, st.Exec.Command, how, st.Exec.Log))
	}
	return errors.Join(errs...)
}
