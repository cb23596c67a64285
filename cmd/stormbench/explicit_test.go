package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/stormbench/stormbench/loadgen"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// TestExplicitValuesRefused: a value the user typed is validated as given.
// Each of these was once silently replaced by a default (or, for
// --source-ips, started a run whose every attempt failed).
func TestExplicitValuesRefused(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--fault-fraction", "0"}, "--fault-fraction must be in (0, 1] (got 0)"},
		{[]string{"run", "--storms", "0"}, "--storms must be ≥ 1"},
		{[]string{"run", "--heartbeat-interval", "0s"}, "--heartbeat-interval 0s is only valid with --heartbeat none"},
		{[]string{"run", "--heartbeat-timeout", "0s"}, "--heartbeat-timeout must be > 0 (got 0s)"},
		{[]string{"run", "--workers", "0"}, "--workers must be ≥ 1 (got 0)"},
		{[]string{"run", "--workers", "-2"}, "--workers must be ≥ 1 (got -2)"},
		{[]string{"run", "--loops", "0"}, "--loops must be ≥ 1 (got 0)"},
		{[]string{"run", "--seed", "0"}, "--seed must be ≥ 1 (got 0)"},
		{[]string{"run", "--connect-timeout", "0s"}, "--connect-timeout must be > 0"},
		{[]string{"run", "--backoff-base", "0s"}, "--backoff-base must be > 0"},
		{[]string{"run", "--backoff-max", "0s"}, "--backoff-max must be > 0"},
		{[]string{"run", "--backoff-multiplier", "0"}, "--backoff-multiplier must be ≥ 1"},
		{[]string{"run", "--recover-timeout", "0s"}, "--recover-timeout must be > 0"},
		{[]string{"run", "--lateness-bound", "0s"}, "--lateness-bound must be > 0"},
		{[]string{"run", "--interval", "0s"}, "--interval must be ≥ 10ms"},
		{[]string{"run", "--fault-code", "0"}, "--fault-code must be 1000–1003"},
		{[]string{"run", "--ramp-rate", "0"}, "--ramp-rate must be > 0"},
		{[]string{"run", "--server-workers", "0"}, "--server-workers must be ≥ 1"},
		{[]string{"run", "--server-loops", "0"}, "--server-loops must be ≥ 1"},
		{[]string{"run", "--hold", "-1s"}, "--hold must be ≥ 0 (got -1s); 0 means no hold"},
		{[]string{"run", "--heartbeat-spread", "-1s"}, "--heartbeat-spread must be ≥ 0"},
		{[]string{"run", "--fault-duration", "-1s"}, "--fault-duration must be ≥ 0"},
		{[]string{"run", "--server-replay", "-1"}, "--server-replay must be ≥ 0"},
		{[]string{"run", "--fault", "blackhole", "--fault-duration", "0s"}, "--fault-duration must be > 0 for --fault blackhole"},
		{[]string{"run", "--fault", "partition", "--fault-duration", "0s"}, "--fault-duration must be > 0 for --fault partition"},
		{[]string{"run", "--heartbeat", "server", "--server-ping-interval", "0s"}, "--server-ping-interval 0s"},
		{[]string{"run", "--source-ips", "10.0.0.1"}, "--source-ips must be addresses of this machine"},
		{[]string{"run", "--url", "ws://127.0.0.1:1/ws", "--fault", "reset", "--server-max-conns", "5"}, "--server-max-conns sets the embedded server"},
		{[]string{"run", "--dialers", "512"}, "unknown flag: --dialers"},
		{[]string{"serve", "--accept-burst", "0"}, "--accept-burst must be ≥ 1"},
		{[]string{"serve", "--retry-after", "0s"}, "--retry-after must be ≥ 1s"},
		{[]string{"serve", "--retry-after", "500ms"}, "--retry-after must be ≥ 1s"},
		{[]string{"serve", "--loops", "0"}, "--loops must be ≥ 1"},
		{[]string{"serve", "--workers", "0"}, "--workers must be ≥ 1"},
		{[]string{"serve", "--seed", "0"}, "--seed must be ≥ 1"},
		{[]string{"serve", "--replay", "-1"}, "--replay must be ≥ 0"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := dispatch(context.Background(), tt.args, &stdout, &stderr)
			var ue usageError
			if !errors.As(err, &ue) || exitCode(err, io.Discard) != exitUsage {
				t.Fatalf("error %v, want exit 2", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
			if stdout.Len() > 0 {
				t.Fatalf("something ran: %s", stdout.String())
			}
		})
	}
}

// TestExplicitZerosHonoured: a zero that means something does what --help
// says, instead of becoming the default.
func TestExplicitZerosHonoured(t *testing.T) {
	tests := []struct {
		args  []string
		check func(c loadgen.Config, s *sut.Config) string
	}{
		{[]string{"--hold", "0s"}, func(c loadgen.Config, _ *sut.Config) string { return want(c.Hold == 0, "hold %v, want none", c.Hold) }},
		{[]string{"--heartbeat-spread", "0s"}, func(c loadgen.Config, _ *sut.Config) string {
			return want(c.Heartbeat.Spread == 0, "spread %v, want none", c.Heartbeat.Spread)
		}},
		{[]string{"--heartbeat", "none", "--heartbeat-interval", "0s"}, func(c loadgen.Config, _ *sut.Config) string {
			return want(c.Heartbeat.Mode == loadgen.HeartbeatNone, "mode %s", c.Heartbeat.Mode)
		}},
		{[]string{"--fault", "restart", "--fault-duration", "0s"}, func(c loadgen.Config, _ *sut.Config) string {
			return want(c.Fault.Duration == 0, "fault duration %v, want 0 (back at once)", c.Fault.Duration)
		}},
		{[]string{"--fault", "crash", "--fault-duration", "0s"}, func(c loadgen.Config, _ *sut.Config) string {
			return want(c.Fault.Duration == 0, "fault duration %v, want 0", c.Fault.Duration)
		}},
		{[]string{"--max-retries", "0"}, func(c loadgen.Config, _ *sut.Config) string {
			return want(c.Policy.MaxRetries == 0, "max retries %d", c.Policy.MaxRetries)
		}},
		{[]string{"--server-replay", "0"}, func(_ loadgen.Config, s *sut.Config) string {
			return want(s.Replay == 0, "replay %d, want none", s.Replay)
		}},
		{[]string{"--server-broadcast-interval", "0s"}, func(_ loadgen.Config, s *sut.Config) string {
			return want(s.BroadcastInterval == 0, "broadcast %v, want off", s.BroadcastInterval)
		}},
		{[]string{"--server-accept-rate", "0", "--server-max-conns", "0"}, func(_ loadgen.Config, s *sut.Config) string {
			return want(s.AcceptRate == 0 && s.MaxConns == 0, "accept rate %v max conns %d, want no limits", s.AcceptRate, s.MaxConns)
		}},
		{[]string{"--heartbeat", "server"}, func(c loadgen.Config, s *sut.Config) string {
			return want(s.PingInterval == c.Heartbeat.Interval, "server ping %v, want the heartbeat interval %v", s.PingInterval, c.Heartbeat.Interval)
		}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := append([]string{"--out", t.TempDir(), "--clients", "100"}, tt.args...)
			plan, err := planRun(args, io.Discard, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if msg := tt.check(plan.Loadgen, plan.Server); msg != "" {
				t.Fatal(msg)
			}
		})
	}
}

func want(ok bool, format string, a ...any) string {
	if ok {
		return ""
	}
	return fmt.Sprintf(format, a...)
}

// TestEveryNumericFlagHasAZeroRule: every number or duration flag of run
// and serve says what an explicit 0 does (refused, or its meaning), so
// that no future flag silently turns a typed 0 into a default.
func TestEveryNumericFlagHasAZeroRule(t *testing.T) {
	var cfg loadgen.Config
	var rf runFlags
	run := newCommand("run", "", io.Discard)
	defineRunFlags(run, &cfg, &rf)
	var scfg sut.Config
	serve := newCommand("serve", "", io.Discard)
	serveFlags(serve, &scfg, new(serveOnly))
	serve.fs.Int("workers", 0, "")
	for _, c := range []struct {
		fs    *pflag.FlagSet
		rules []zeroRule
	}{{run.fs, runZeroRules(&cfg, &rf)}, {serve.fs, serveZeroRules(&scfg)}} {
		have := map[string]bool{}
		for _, r := range c.rules {
			if c.fs.Lookup(r.flag) == nil {
				t.Errorf("%s: rule for --%s, which does not exist", c.fs.Name(), r.flag)
			}
			if (r.refuse == "") == (r.means == "") {
				t.Errorf("%s --%s: a rule either refuses 0 or says what it means", c.fs.Name(), r.flag)
			}
			have[r.flag] = true
		}
		c.fs.VisitAll(func(f *pflag.Flag) {
			if isNumeric(f) && !have[f.Name] && !f.Hidden {
				t.Errorf("%s --%s takes a number but has no zero rule", c.fs.Name(), f.Name)
			}
		})
	}
}

// TestFlagNamesExist: every flag an error can name exists (a library error
// names a field; the command renames it).
func TestFlagNamesExist(t *testing.T) {
	var cfg loadgen.Config
	var rf runFlags
	run := newCommand("run", "", io.Discard)
	defineRunFlags(run, &cfg, &rf)
	for field, flag := range runFlagNames {
		if run.fs.Lookup(strings.TrimPrefix(flag, "--")) == nil {
			t.Errorf("run: field %s maps to %s, which is not a flag", field, flag)
		}
	}
	var scfg sut.Config
	serve := newCommand("serve", "", io.Discard)
	serveFlags(serve, &scfg, new(serveOnly))
	for field, flag := range serveFlagNames {
		if serve.fs.Lookup(strings.TrimPrefix(flag, "--")) == nil {
			t.Errorf("serve: field %s maps to %s, which is not a flag", field, flag)
		}
	}
	// Every field a bad config reports is mapped.
	bad := loadgen.Config{URL: "ftp://x", Clients: -1, RampRate: -1, ConnectTimeout: -1, Seed: 0,
		Policy:    loadgen.Policy{Base: -1, Max: -1, Multiplier: 0.5, Jitter: "x", MaxRetries: -1, ResetAfter: -1},
		Heartbeat: loadgen.Heartbeat{Mode: "x", Interval: -1, Timeout: -1},
		Fault:     loadgen.Fault{Kind: "x", Fraction: 2, Duration: -1, Code: 1, Storms: -1, RecoverTimeout: -1},
		Loops:     -1, LatenessBound: -1, Interval: -1, Shard: loadgen.Shard{Index: 5, Count: 2}}
	checkMapped(t, bad.Validate(), runFlagNames)
	sbad := sut.Config{Listen: "x", Control: "x", Path: "x", PingInterval: -1, IdleTimeout: -1, BroadcastInterval: -1,
		MaxConns: -1, AcceptRate: -1, AcceptBurst: -1, RetryAfter: -1, Loops: -1}
	checkMapped(t, sbad.Validate(), serveFlagNames)
	_ = time.Second
}

func checkMapped(t *testing.T, err error, names map[string]string) {
	t.Helper()
	if err == nil {
		t.Fatal("bad config validated")
	}
	var n int
	for _, line := range strings.Split(flagError(err, names).Error(), "\n") {
		n++
		if !strings.HasPrefix(line, "--") {
			t.Errorf("error line names no flag: %q", line)
		}
	}
	if n < 8 {
		t.Errorf("only %d problems reported", n)
	}
}
