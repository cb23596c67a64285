package experiment

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/loadgen"
)

// TestEnding: how the scenario ended decides the partial reason and what
// Run returns once the results are written.
func TestEnding(t *testing.T) {
	he := &HarnessError{Event: Event{Kind: EventWorkerExited, Process: "load-generator worker 1 (pid 7)", At: 3 * time.Second, Phase: "hold", Detail: "signal: killed"}}
	failedExec := []loadgen.StormInfo{{Exec: &loadgen.ExecResult{Command: "deploy", ExitCode: 2, Log: "fault-1.log"}}}
	tests := []struct {
		name       string
		cause      error // the run context's cause; nil: not cancelled
		runErr     error
		storms     []loadgen.StormInfo
		finishErr  error
		wantReason string // "" when the results are not partial for this reason
		wantErr    func(error) bool
	}{
		{"complete", nil, nil, nil, nil, "",
			func(err error) bool { return err == nil }},
		{"Ctrl-C", context.Canceled, nil, nil, nil, "interrupted at 4.2s during hold",
			func(err error) bool { return errors.Is(err, ErrInterrupted) }},
		{"harness failed", he, nil, nil, nil, "the run ended early: worker_exited: load-generator worker 1 (pid 7) at 3.0s during hold: signal: killed",
			func(err error) bool { var got *HarnessError; return errors.As(err, &got) && got == he }},
		{"no client connected", nil, loadgen.ErrNoConnection, nil, nil, "the run could not be carried out: no client ever connected",
			func(err error) bool {
				return errors.Is(err, loadgen.ErrNoConnection) && strings.Contains(err.Error(), "to ws://x/ws (results written to dir)")
			}},
		{"scenario failed", nil, errors.New("storm 1: inject close: refused"), nil, nil, "the run could not be carried out: storm 1: inject close: refused",
			func(err error) bool {
				return strings.HasPrefix(err.Error(), "run: storm 1") && strings.Contains(err.Error(), "partial results written to dir")
			}},
		{"results missing", nil, nil, nil, errors.New("worker 1 left no results"), "",
			func(err error) bool {
				return strings.HasPrefix(err.Error(), "some load-generator results are missing: worker 1")
			}},
		{"command failed", nil, nil, failedExec, nil, "",
			func(err error) bool {
				return errors.Is(err, ErrFaultCommand) && strings.Contains(err.Error(), `"deploy" exited with status 2`)
			}},
		{"Ctrl-C wins over a failed command", context.Canceled, nil, failedExec, nil, "interrupted at 4.2s during hold",
			func(err error) bool { return errors.Is(err, ErrInterrupted) && !errors.Is(err, ErrFaultCommand) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			if tt.cause != nil {
				cancel(tt.cause)
			}
			e := endingOf(ctx, tt.runErr)
			if got := e.partialReason(4200*time.Millisecond, "hold"); got != tt.wantReason {
				t.Errorf("partial reason %q, want %q", got, tt.wantReason)
			}
			if err := e.err(tt.storms, tt.finishErr, "ws://x/ws", "dir"); !tt.wantErr(err) {
				t.Errorf("err %v", err)
			}
		})
	}
}

func TestPartialReasonBeforeTheRamp(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got, want := endingOf(ctx, nil).partialReason(0, ""), fmt.Sprintf("interrupted at %.1fs during start-up", 0.0); got != want {
		t.Fatalf("%q, want %q", got, want)
	}
}
