package main

import (
	"context"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stormbench/stormbench/experiment"
	"github.com/stormbench/stormbench/internal/fault"
	"github.com/stormbench/stormbench/loadgen"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// runFlagSet returns run's flag set and table, bound to fresh settings.
func runFlagSet() (*pflag.FlagSet, []runFlag) {
	var cfg loadgen.Config
	var rf runFlags
	cmd := newCommand("run", "", io.Discard)
	defineRunFlags(cmd, &cfg, &rf)
	return cmd.fs, runFlagTable(&cfg, &rf)
}

// planArgs plans run with args in a temporary results folder, with a
// fleet small enough for any machine.
func planArgs(t *testing.T, args ...string) (*experiment.Plan, error) {
	t.Helper()
	return planRun(append([]string{"--out", t.TempDir(), "--clients", "100"}, args...), io.Discard, io.Discard)
}

// needs are the flags a flag's value needs to mean something.
var needs = map[string][]string{
	"server-accept-burst":       {"--server-accept-rate", "100"},
	"heartbeat-interval":        {"--heartbeat", "none"},
	"send-size":                 {"--send-rate", "1"},
	"flush-rate":                {"--send-rate", "1"},
	"fault-duration":            {"--fault", "restart"},
	"server-tls-new-ticket-key": {"--server-tls"},
}

// TestRunFlagTable checks each row on its own: a name, a help text, a
// zero rule for exactly the numeric flags, a field that exists.
func TestRunFlagTable(t *testing.T) {
	fs, table := runFlagSet()
	seen := map[string]bool{}
	for _, f := range table {
		if seen[f.name] {
			t.Errorf("--%s: twice in the table", f.name)
		}
		seen[f.name] = true
		fl := fs.Lookup(f.name)
		if fl == nil || fl.Usage != f.help || fl.Shorthand != f.short || f.help == "" {
			t.Errorf("--%s: not defined as the table says", f.name)
			continue
		}
		hasRule := f.zero.refuse != "" || f.zero.means != ""
		if hasRule != isNumeric(fl) {
			t.Errorf("--%s (%s): a zero rule is for exactly the numeric flags", f.name, fl.Value.Type())
		}
		if f.zero.apply != nil && !f.zero.negative {
			t.Errorf("--%s: a zero written as a negative value must refuse typed negatives", f.name)
		}
		for _, field := range append([]string{f.field}, f.also...) {
			if field != "" && !fieldExists(field) {
				t.Errorf("--%s: field %s is not a setting", f.name, field)
			}
		}
	}
	if n := fs.NFlag(); n != 0 {
		t.Errorf("%d flags set before parsing", n)
	}
	count := 0
	fs.VisitAll(func(*pflag.Flag) { count++ })
	if count != len(table) {
		t.Errorf("run has %d flags, the table %d", count, len(table))
	}
}

// fieldExists reports whether path names a field of loadgen.Config,
// sut.Config (Server.*), experiment.Spec or the preflight plan.
func fieldExists(path string) bool {
	roots := []any{loadgen.Config{}, experiment.Spec{}, loadgen.Plan{}}
	if p, ok := strings.CutPrefix(path, "Server."); ok {
		path, roots = p, []any{sut.Config{}}
	}
	for _, r := range roots {
		t := reflect.TypeOf(r)
		ok := true
		for _, name := range strings.Split(path, ".") {
			sf, found := t.FieldByName(name)
			if !found {
				ok = false
				break
			}
			t = sf.Type
		}
		if ok {
			return true
		}
	}
	return false
}

// sweepValues are two values of each sweepable flag that plan.
var sweepValues = map[string]string{
	"jitter": "none,full", "policy": "socketio,grpc", "heartbeat": "ws-ping,app", "heartbeat-interval": "1s,2s",
	"heartbeat-timeout": "20s,30s", "heartbeat-spread": "0s,1s", "backoff-base": "1s,2s", "backoff-max": "10s,20s",
	"backoff-multiplier": "1.5,2", "max-retries": "0,3", "clients": "50,100", "ramp-rate": "100,200",
	"fault": "abort,exec:true", "fault-duration": "1s,2s", "fault-fraction": "0.5,1", "server-accept-rate": "100,200",
	"server-accept-burst": "5,10", "server-max-conns": "0,1000", "server-ping-interval": "1s,2s",
	"server-idle-timeout": "10s,20s", "server-broadcast-interval": "0s,1s", "protocol": "stormbench,json",
}

// TestEverySweepableFlagSweeps: sweep takes each sweepable flag as a
// comma list and plans a run per value; the list in sweep --help is
// numbered without gaps.
func TestEverySweepableFlagSweeps(t *testing.T) {
	_, table := runFlagSet()
	var nums []int
	for _, f := range table {
		if f.sweep > 0 {
			nums = append(nums, f.sweep)
		}
	}
	slices.Sort(nums)
	for i, n := range nums {
		if n != i+1 {
			t.Fatalf("sweep positions %v: want 1…%d", nums, len(nums))
		}
	}
	for _, flag := range sweepable {
		vals, ok := sweepValues[flag]
		if !ok {
			t.Errorf("--%s is sweepable: give two values in sweepValues", flag)
			continue
		}
		t.Run(flag, func(t *testing.T) {
			sa, err := parseSweepArgs(append([]string{"--" + flag, vals}, needs[flag]...))
			if err != nil {
				t.Fatal(err)
			}
			if sa.axes[0].Flag != flag || len(sa.axes[0].Values) != 2 {
				t.Fatalf("axes %v", sa.axes)
			}
			for _, c := range combos(sa.axes) {
				args := append([]string{}, sa.base...)
				for i, ax := range sa.axes {
					args = append(args, "--"+ax.Flag+"="+c[i])
				}
				if _, err := planArgs(t, args...); err != nil {
					t.Errorf("%v: %v", args, err)
				}
			}
		})
	}
	for flag := range sweepValues {
		if !slices.Contains(sweepable, flag) {
			t.Errorf("sweepValues has --%s, which is not sweepable", flag)
		}
	}
}

// exampleValue is a valid non-zero value of fl.
func exampleValue(fl *pflag.Flag) string {
	switch fl.Value.Type() {
	case "bool":
		return "true"
	case "duration":
		return "2s"
	}
	return "5"
}

// TestEmbeddedOnlyFlagsRefusedWithURL: every flag of the embedded server
// is accepted without --url and refused with it.
func TestEmbeddedOnlyFlagsRefusedWithURL(t *testing.T) {
	fs, table := runFlagSet()
	n := 0
	for _, f := range table {
		if !f.embedded {
			if strings.HasPrefix(f.name, "server-") {
				t.Errorf("--%s sets the embedded server but is not marked embedded", f.name)
			}
			continue
		}
		n++
		arg := "--" + f.name + "=" + exampleValue(fs.Lookup(f.name))
		t.Run(f.name, func(t *testing.T) {
			if _, err := planArgs(t, append(needs[f.name], arg)...); err != nil {
				t.Fatalf("without --url: %v", err)
			}
			var stdout, stderr strings.Builder
			err := dispatch(context.Background(), []string{"run", "--url", "ws://127.0.0.1:1/ws", "--fault", "reset", arg}, &stdout, &stderr)
			var ue usageError
			if !errors.As(err, &ue) || exitCode(err, io.Discard) != exitUsage || !strings.Contains(err.Error(), "--"+f.name) {
				t.Fatalf("with --url: %v, want a usage error naming --%s", err, f.name)
			}
		})
	}
	if n != len(embeddedOnly) || n < 14 {
		t.Errorf("%d embedded-server flags, list of %d", n, len(embeddedOnly))
	}
}

// TestZeroRules: an explicit 0 is refused naming what is allowed, or
// accepted and planned; a typed negative of a flag whose 0 the library
// writes as a negative is refused.
func TestZeroRules(t *testing.T) {
	fs, table := runFlagSet()
	for _, f := range table {
		r := f.zero
		if r.refuse == "" && r.means == "" {
			continue
		}
		zero := "0"
		if fs.Lookup(f.name).Value.Type() == "duration" {
			zero = "0s"
		}
		t.Run(f.name, func(t *testing.T) {
			_, err := planArgs(t, append(needs[f.name], "--"+f.name, zero)...)
			switch {
			case r.refuse != "":
				if want := "--" + f.name + " must be " + r.refuse; err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("explicit 0: %v, want %q", err, want)
				}
			case err != nil:
				t.Errorf("explicit 0 (%s): %v", r.means, err)
			}
			if r.negative {
				_, err := planArgs(t, "--"+f.name, "-"+strings.TrimPrefix(exampleValue(fs.Lookup(f.name)), "-"))
				if want := "--" + f.name + " must be ≥ 0"; err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("negative: %v, want %q", err, want)
				}
			}
		})
	}
}

// TestKindsAndModesReachTheirFlags: every fault kind, heartbeat mode and
// preset is named in its flag's help and planned from its name.
func TestKindsAndModesReachTheirFlags(t *testing.T) {
	fs, _ := runFlagSet()
	for _, k := range fault.Kinds() {
		if !strings.Contains(fs.Lookup("fault").Usage, string(k)) {
			t.Errorf("--fault help does not name %s", k)
		}
		arg := string(k)
		if k.By() == fault.ByCommand {
			arg += ":true"
		}
		p, err := planArgs(t, "--fault", arg)
		if err != nil || p.Loadgen.Fault.Kind != k {
			t.Errorf("--fault %s: %v", arg, err)
		}
	}
	for _, m := range loadgen.HeartbeatModes() {
		if !strings.Contains(fs.Lookup("heartbeat").Usage, string(m)) {
			t.Errorf("--heartbeat help does not name %s", m)
		}
		p, err := planArgs(t, "--heartbeat", string(m))
		if err != nil || p.Loadgen.Heartbeat.Mode != m {
			t.Errorf("--heartbeat %s: %v", m, err)
		}
	}
	for _, name := range loadgen.Presets() {
		if !strings.Contains(fs.Lookup("policy").Usage, string(name)) {
			t.Errorf("--policy help does not name %s", name)
		}
		p, err := planArgs(t, "--policy", string(name))
		if err != nil || p.Loadgen.Policy.Preset != name {
			t.Errorf("--policy %s: %v", name, err)
		}
	}
}
