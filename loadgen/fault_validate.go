package loadgen

import (
	"math"
	"strings"

	"github.com/stormbench/stormbench/internal/fault"
	"github.com/stormbench/stormbench/internal/fielderr"
)

// validateOwn checks the settings that belong to one kind of fault: the
// command of exec, the schedule of At, observe's detection rule. Values a
// kind has no use for are refused rather than ignored.
func (f Fault) validateOwn() []error {
	var errs []error
	bad := func(field, format string, a ...any) { errs = append(errs, fielderr.New(field, format, a...)) }
	switch {
	case f.Kind == fault.Exec && strings.TrimSpace(f.Command) == "":
		bad("Fault.Command", "must name the command to run after exec:, e.g. exec:'systemctl restart nginx' (got an empty command)")
	case f.Kind != fault.Exec && f.Command != "":
		bad("Fault.Command", "is for {Fault.Kind} exec only (got kind %q)", f.orDefault())
	}
	for i, at := range f.At {
		switch {
		case at <= 0:
			bad("Fault.At", "must be offsets > 0 from the run's start (got %v)", at)
		case i > 0 && at <= f.At[i-1]:
			bad("Fault.At", "must be increasing (got %v after %v)", at, f.At[i-1])
		}
	}
	if len(f.At) > 0 && f.Kind.Known() && !f.Kind.Injects() {
		bad("Fault.At", "schedules faults; {Fault.Kind} %s injects none", f.Kind)
	}
	if f.Threshold < 0 || f.Threshold > 1 || math.IsNaN(f.Threshold) {
		bad("Fault.Threshold", "must be in (0, 1] (got %v)", f.Threshold)
	} else if f.Threshold != 0 && f.Kind != fault.Observe {
		bad("Fault.Threshold", "is for {Fault.Kind} observe only (got kind %q)", f.orDefault())
	}
	if f.Window < 0 {
		bad("Fault.Window", "must be > 0 (got %v)", f.Window)
	} else if f.Window != 0 && !f.Kind.Unattributed() {
		bad("Fault.Window", "is for {Fault.Kind} observe and exec only (got kind %q)", f.orDefault())
	}
	if f.Kind == fault.Observe && f.Storms > 1 {
		bad("Fault.Storms", "must not be given with {Fault.Kind} observe: every storm the run sees is measured (got %d)", f.Storms)
	}
	return errs
}
