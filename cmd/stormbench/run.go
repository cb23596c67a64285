package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/stormbench/stormbench/experiment"
	"github.com/stormbench/stormbench/htmlreport"
	"github.com/stormbench/stormbench/internal/fault"
	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
	sut "github.com/stormbench/stormbench/server-under-test"
)

const runUsage = `Usage: stormbench run [flags]

Runs one reconnect-storm experiment: connects a fleet of WebSocket clients at a
controlled ramp, holds them, breaks their connections (--fault), measures how
they detect it and how fast the fleet recovers, then writes HDR histograms, CSV
and JSON to --out/<YYYYMMDD-HHMMSS>-<name>/ and prints a summary.

Without --url it starts the embedded server-under-test ("stormbench serve") as
a child process on free loopback ports, and saves its own view of the storm
(server.json, server_timeseries.csv). Its settings are the --server-* flags.

Examples:
  # the default experiment: 10 000 clients, an abort (RST) storm, full jitter
  stormbench run

  # a client-side network partition, detected by heartbeats
  stormbench run --clients 5000 --fault partition --fault-duration 10s \
      --heartbeat-interval 1s --heartbeat-timeout 3s

  # compare jitter modes on the same storm (same seed, same fleet)
  stormbench run --jitter none --name abort-none
  stormbench run --jitter full --name abort-full

  # a graceful restart of a server that admits 1000 upgrades/s
  stormbench run --fault restart --fault-duration 2s --server-accept-rate 1000

  # your own server, faults through a stormbench-compatible control API
  # (the token is read from $STORMBENCH_CONTROL_TOKEN when not given)
  STORMBENCH_CONTROL_TOKEN=… stormbench run --url ws://127.0.0.1:9000/ws \
      --control http://127.0.0.1:9001 --fault close
`

// runFlags holds what the flags set beyond loadgen.Config and sut.Config.
type runFlags struct {
	out, name      string
	control, token string
	tokenFile      string
	quiet          bool
	resume         bool
	faultKind      string
	threshold      float64
	window         time.Duration
	server         sut.Config
	workers        int
	serverWorkers  int
	sourceIPs      string
	noPreflight    bool
	shard, startAt string
	runID          string
	metricsListen  string
	formats        serverFormatFlags
	thresholds     []string
	send           sendFlags
	tls            tlsFlags
}

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	stderr = shareable(stderr)
	plan, err := planRun(args, stdout, stderr)
	if err != nil {
		return err
	}
	res, err := experiment.Run(ctx, plan)
	if res != nil && res.Summary != nil {
		printRun(stdout, stderr, res)
	}
	if res != nil {
		for _, w := range res.Warnings {
			fmt.Fprintf(stderr, "stormbench: %s\n", w)
		}
	}
	if err == nil && res != nil && res.Summary != nil {
		return brokenThresholds(res.Summary)
	}
	return err
}

// planRun turns run's command line into a plan: every value the user gave
// is validated as given, then the rest is derived. Nothing has started
// when it returns.
func planRun(args []string, stdout, stderr io.Writer) (*experiment.Plan, error) {
	cmd := newCommand("stormbench run", runUsage, stdout)
	var cfg loadgen.Config
	var rf runFlags
	defineRunFlags(cmd, &cfg, &rf)
	if err := cmd.parse(args); err != nil {
		return nil, err
	}
	fs := cmd.fs
	if fs.NArg() > 0 {
		return nil, usagef("run takes no arguments (got %q); see stormbench run --help", fs.Args())
	}
	rules := runZeroRules(&cfg, &rf)
	if err := checkExplicit(fs, rules); err != nil {
		return nil, err
	}
	applyZeroMeanings(fs, rules)
	kind, command, hasCommand := strings.Cut(rf.faultKind, ":")
	cfg.Fault.Kind, cfg.Fault.Command = fault.Kind(kind), command
	if cfg.Fault.Kind.By() != fault.ByCommand && hasCommand {
		return nil, usagef("--fault %q: only exec takes a command (exec:'CMD')", rf.faultKind)
	}
	if cfg.Fault.Kind.By() == fault.ByCommand && !hasCommand {
		return nil, usagef("--fault exec needs the command to run: --fault exec:'systemctl restart nginx'")
	}
	if fs.Changed("storm-threshold") {
		cfg.Fault.Threshold = rf.threshold
	}
	if fs.Changed("storm-window") {
		cfg.Fault.Window = rf.window
	}
	if len(cfg.Fault.At) > 0 {
		if fs.Changed("storms") {
			return nil, usagef("--storms with --fault-at: the schedule says how many storms (one per time)")
		}
		cfg.Fault.Storms = 0
	}
	if fs.Changed("resume") {
		// Unset, it is the protocol's default (loadgen.Config.Resolve):
		// a framework that cannot resume does not.
		cfg.Resume = &rf.resume
	}
	if err := applyServerFormatFlags(fs, &cfg, &rf.formats); err != nil {
		return nil, err
	}
	if err := applySendFlags(fs, &cfg, &rf.send); err != nil {
		return nil, err
	}
	if err := applyProtocolFlags(fs, &cfg, runFlagTable(new(loadgen.Config), new(runFlags))); err != nil {
		return nil, err
	}
	if fs.Changed("heartbeat-interval") && cfg.Heartbeat.Interval == 0 && cfg.Heartbeat.Mode.Detects() {
		return nil, usagef("--heartbeat-interval 0s is only valid with --heartbeat none (got --heartbeat %s)", cfg.Heartbeat.Mode)
	}
	if fs.Changed("server-ping-interval") && rf.server.PingInterval == 0 && cfg.Heartbeat.Mode.ServerPings() {
		return nil, usagef("--server-ping-interval 0s: with --heartbeat server the clients wait for the server's pings; give an interval or leave it unset (the heartbeat interval)")
	}
	if err := applyTLSFlags(fs, &cfg, rf.tls); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, usageError{flagError(err, runFlagNames)}
	}
	embed := cfg.URL == ""
	if embed && cfg.Pin != "" {
		return nil, usagef("--resolve pins the addresses of --url's host: give --url (the embedded server is reached on 127.0.0.1)")
	}
	token, tokenFrom, err := controlToken(fs, rf.token, rf.tokenFile)
	if err != nil {
		return nil, err
	}
	rf.token = token
	if err := checkRunCombination(cfg, rf, embed, fs); err != nil {
		return nil, err
	}
	var startAt time.Time
	if rf.shard != "" {
		sh, err := parseShard(rf.shard)
		if err != nil {
			return nil, err
		}
		cfg.Shard = sh
		if cfg.URL == "" && sh.Count > 1 {
			return nil, usagef("--shard %s needs --url: every shard must reach the same server", rf.shard)
		}
	}
	if rf.startAt != "" {
		if rf.shard == "" {
			return nil, usagef("--start-at is for --shard runs")
		}
		t, err := parseStartAt(rf.startAt, time.Now())
		if err != nil {
			return nil, err
		}
		startAt = t
	}
	if rf.sourceIPs != "" {
		ips, err := loadgen.ParseSourceIPs(rf.sourceIPs)
		if err != nil {
			return nil, usageError{err}
		}
		cfg.SourceIPs = ips
	}
	spec := experiment.Spec{
		Loadgen: cfg, Workers: rf.workers, LoopsSet: fs.Changed("loops"),
		ServerWorkers: rf.serverWorkers, ServerLoopsSet: fs.Changed("server-loops"), ServerPingSet: fs.Changed("server-ping-interval"),
		Control: rf.control, ControlToken: rf.token, Out: rf.out, Name: rf.name, StartAt: startAt,
		RunID: runID(rf, cfg, startAt), Args: args, NoPreflight: rf.noPreflight, Stderr: stderr, MetricsListen: rf.metricsListen,
	}
	thresholds, err := parseThresholds(rf.thresholds)
	if err != nil {
		return nil, err
	}
	spec.Thresholds = thresholds
	if embed {
		srv := rf.server
		spec.Server = &srv
		spec.ServerTLS = rf.tls.serverTLS
		spec.ServerTicketKeyPerStart = rf.tls.newTicketKey
	}
	if !rf.quiet {
		spec.Status = stderr
	}
	plan, err := experiment.Prepare(spec)
	if err != nil {
		var ie *experiment.InputError
		if errors.As(err, &ie) {
			return nil, usageError{flagError(ie.Err, runFlagNames)}
		}
		return nil, err
	}
	if rf.control != "" && tokenFrom == "" && !controlURLOnLoopback(rf.control) {
		plan.Warnings = append(plan.Warnings, fmt.Sprintf("--control-token with --control %s, beyond loopback: every user of this machine can read a command line; $%s or --control-token-file keep the token off it", rf.control, experiment.TokenEnv))
	}
	if err := checkWritable(rf.out); err != nil {
		return nil, usagef("--out %s: %v", rf.out, err)
	}
	return plan, nil
}

// printRun prints the summary and where the results are. The results are
// already on disk: a reader that went away (stormbench run | head -1)
// costs the output, nothing else.
func printRun(stdout, stderr io.Writer, res *experiment.Result) {
	err := reporter.PrintSummary(stdout, res.Summary)
	if err == nil {
		_, err = fmt.Fprintf(stdout, "\nresults: %s\n", res.Dir)
	}
	if report := filepath.Join(res.Dir, htmlreport.ReportFile); err == nil && fileExists(report) {
		_, err = fmt.Fprintf(stdout, "report:  %s (open it in a browser, offline)\n", report)
	}
	if err != nil && !errors.Is(err, syscall.EPIPE) {
		fmt.Fprintf(stderr, "stormbench: print summary: %v (results written to %s)\n", err, res.Dir)
	}
}

// runID is the identity shards of this run carry: the user's, or for a
// timetable run one every shard derives alike from --start-at and n, or a
// new random one.
func runID(rf runFlags, cfg loadgen.Config, startAt time.Time) string {
	switch {
	case rf.runID != "":
		return rf.runID
	case !startAt.IsZero():
		return fmt.Sprintf("t%d-n%d", startAt.UnixNano(), cfg.Shard.Count)
	}
	return experiment.NewToken()[:12]
}

// parseShard reads --shard i/n.
func parseShard(s string) (loadgen.Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return loadgen.Shard{}, usagef("--shard must be i/n with 0 ≤ i < n, e.g. 0/4 (got %q)", s)
	}
	return loadgen.Shard{Index: i, Count: n}, nil
}

// parseStartAt reads --start-at: RFC 3339 or Unix seconds, in the future.
func parseStartAt(s string, now time.Time) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		sec, err2 := strconv.ParseFloat(s, 64)
		if err2 != nil {
			return t, usagef("--start-at must be an RFC 3339 time (2026-11-22T10:00:00Z) or Unix seconds (got %q)", s)
		}
		t = time.Unix(0, int64(sec*1e9))
	}
	if t.Before(now.Add(-time.Second)) {
		return t, usagef("--start-at %s is in the past", t.Format(time.RFC3339))
	}
	if t.After(now.Add(24 * time.Hour)) {
		return t, usagef("--start-at %s is more than a day away", t.Format(time.RFC3339))
	}
	return t, nil
}

// checkRunCombination rejects flag combinations that cannot work, before
// anything starts.
func checkRunCombination(cfg loadgen.Config, rf runFlags, embed bool, fs interface{ Changed(string) bool }) error {
	kind := cfg.Fault.Kind
	if kind.Unattributed() {
		for _, f := range []string{"fault-fraction", "fault-duration", "fault-code"} {
			if fs.Changed(f) {
				return usagef("--%s has no meaning with --fault %s: what the fault does is up to %s", f, kind, kind.By())
			}
		}
	}
	switch {
	case kind == fault.Observe && rf.shard != "":
		return usagef("--fault observe with --shard: each machine would find storms of its own; observe from one process (--workers spreads the clients)")
	case kind == fault.Observe && fs.Changed("storms"):
		return usagef("--storms with --fault observe: every storm seen during --hold is measured")
	case kind.By() == fault.ByEmbedded && !embed:
		return usagef("--fault %s kills the embedded server; it cannot be used with --url", kind)
	case !embed && kind.By() == fault.ByServer && rf.control == "":
		return usagef("--fault %s is applied by the server: with --url, give its control API with --control (or use --fault reset, partition or none)", kind)
	case rf.control != "" && embed:
		return usagef("--control is for a server given with --url; the embedded server's control API is used automatically")
	case rf.control != "" && rf.token == "":
		return usagef("--control needs the control API's token: --control-token-file, $%s or --control-token", experiment.TokenEnv)
	case embed && cfg.Protocol.Framework():
		return usagef("--protocol %s needs --url: the embedded server speaks stormbench's own messages (scripts/targets starts real %s servers)", cfg.Protocol, cfg.Protocol)
	}
	if fs.Changed("server-accept-burst") && rf.server.AcceptRate == 0 {
		return usagef("--server-accept-burst sizes the token bucket of --server-accept-rate, which is not set")
	}
	if !embed {
		for _, f := range embeddedOnly {
			if fs.Changed(f) {
				return usagef("--%s sets the embedded server; with --url the server is yours and this flag would do nothing", f)
			}
		}
	}
	return nil
}

// checkWritable makes sure results can be written before the run starts.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".stormbench-write-test-*")
	if err != nil {
		return fmt.Errorf("not writable: %w", err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// fileExists reports whether path names an existing file.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
