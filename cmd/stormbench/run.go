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
	"github.com/stormbench/stormbench/internal/wsframe"
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
	quiet          bool
	resume         bool
	policy         string
	jitter         string
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

func defineRunFlags(cmd *command, cfg *loadgen.Config, rf *runFlags) {
	fs := cmd.fs
	fs.StringVar(&cfg.URL, "url", "", "WebSocket URL of the server under test; its path and query may use {{client}}, {{line FILE}}, … (default: start the embedded server)")
	fs.IntVar(&cfg.Clients, "clients", 10000, "number of clients")
	fs.Float64Var(&cfg.RampRate, "ramp-rate", 2000, "new connections per second during the ramp")
	fs.DurationVar(&cfg.Hold, "hold", 5*time.Second, "steady time before the first fault and between storms (0 = none)")
	fs.DurationVar(&cfg.ConnectTimeout, "connect-timeout", 10*time.Second, "timeout of one dial + handshake")
	fs.StringVar(&rf.out, "out", "results", "folder that receives the run's results folder")
	fs.StringVar(&rf.name, "name", "", "run name, part of the results folder's name (default: <fault>-<jitter>)")

	fs.DurationVar(&cfg.Policy.Base, "backoff-base", loadgen.DefaultBackoffBase, "first backoff delay")
	fs.DurationVar(&cfg.Policy.Max, "backoff-max", 30*time.Second, "largest backoff delay")
	fs.Float64Var(&cfg.Policy.Multiplier, "backoff-multiplier", 2, "backoff growth per retry")
	fs.StringVar(&rf.jitter, "jitter", "full", "jitter: none, full, equal or decorrelated")
	fs.StringVar(&rf.policy, "policy", "", "reconnect like a client library: "+joinPresets()+" (overrides the backoff flags)")
	fs.IntVar(&cfg.Policy.MaxRetries, "max-retries", 0, "give up after this many consecutive failed retries (0 = never)")
	fs.DurationVar(&cfg.Policy.ResetAfter, "reset-after", 0, "a connection must stay open this long to reset the retry count (0 = on connect)")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed: every client draws from its own RNG derived from (seed, client ID)")

	fs.StringVar(&cfg.Heartbeat.Mode, "heartbeat", "ws-ping", "heartbeat: ws-ping, app, server or none")
	fs.DurationVar(&cfg.Heartbeat.Interval, "heartbeat-interval", 5*time.Second, "time between a client's pings (server mode: the server's ping interval)")
	fs.DurationVar(&cfg.Heartbeat.Timeout, "heartbeat-timeout", 0, "dead when nothing was received for this long (server mode: no ping) (default 3 × interval)")
	fs.DurationVar(&cfg.Heartbeat.Spread, "heartbeat-spread", 0, "delay a client's first ping by U(0, spread) after it connects (default: the interval; 0 = no spread)")

	fs.StringVar(&rf.faultKind, "fault", "abort", "fault: close, restart, abort, crash, blackhole, reset, partition, exec:'CMD' (your command at T0: a deploy, a restart), observe (inject nothing, measure every mass disconnect) or none")
	fs.DurationSliceVar(&cfg.Fault.At, "fault-at", nil, "apply the fault at these times from the run's start (e.g. 30s,2m), one storm each, instead of hold-then-fault")
	fs.Float64Var(&rf.threshold, "storm-threshold", 0.1, "observe: a storm opens when at least this share of the open clients is lost within --storm-window, in (0, 1]")
	fs.DurationVar(&rf.window, "storm-window", time.Second, "observe: see --storm-threshold; observe and exec: the quiet time after the last loss before a storm can end")
	fs.Float64Var(&cfg.Fault.Fraction, "fault-fraction", 1, "share of open connections the fault hits, in (0, 1]")
	fs.DurationVar(&cfg.Fault.Duration, "fault-duration", 5*time.Second, "how long restart, crash, blackhole and partition last (restart and crash: 0 = back at once)")
	fs.IntVar(&cfg.Fault.Code, "fault-code", 0, "close code for close and restart (default: 1001, 1012)")
	fs.IntVar(&cfg.Fault.Storms, "storms", 1, "number of storms (fault + recovery)")
	fs.DurationVar(&cfg.Fault.RecoverTimeout, "recover-timeout", 60*time.Second, "a storm ends at T0 + this even if clients are still away")
	fs.StringVar(&rf.control, "control", "", "control API base URL of a server started with stormbench serve (with --url)")
	fs.StringVar(&rf.token, "control-token", "", "control API token (with --control; default: $"+experiment.TokenEnv+")")

	fs.BoolVar(&rf.resume, "resume", true, "reconnect with ?resume=<last seq> so that the server replays what the client missed (lost and duplicated messages are counted either way)")
	defineServerFormatFlags(fs, cfg, &rf.formats)
	defineThresholdFlag(fs, &rf.thresholds)
	defineSendFlags(fs, &cfg.Send, &rf.send)
	fs.StringVar(&rf.metricsListen, "metrics-listen", "", "serve the run's live figures (fleet, storm, latency histograms; the embedded server's too) as Prometheus metrics on this loopback address, e.g. 127.0.0.1:9100 (GET /metrics)")
	fs.BoolVar(&cfg.RespectRetryAfter, "respect-retry-after", false, "after a 429 or 503 with Retry-After, wait at least that long before the next attempt (counted in the summary)")
	fs.BoolVar(&rf.quiet, "quiet", false, "no live status line")
	fs.IntVar(&rf.workers, "workers", 0, "load-generator worker processes, each a shard of the clients (default: enough to keep each under 18 000 sockets)")
	fs.IntVar(&cfg.Loops, "loops", 0, "client event loops per process (default: GOMAXPROCS, 1 with workers)")
	fs.StringVar(&rf.sourceIPs, "source-ips", "", "spread connections over these local addresses: a list and/or ranges, e.g. 127.0.0.2-127.0.0.40 (default on loopback: 127.0.0.2, 127.0.0.3, … one per 4096 clients)")
	fs.BoolVar(&rf.noPreflight, "no-preflight", false, "skip the check that the run fits this machine (file limit, ports, memory, local addresses)")
	fs.StringVar(&rf.shard, "shard", "", "run only shard i/n of the fleet (client IDs ≡ i mod n), for runs spread over machines; with --url")
	fs.StringVar(&rf.startAt, "start-at", "", "with --shard: start the ramp at this instant (RFC 3339 or Unix seconds); every phase then follows a fixed timetable")
	fs.StringVar(&rf.runID, "run-id", "", "identifies the run the shards of --shard belong to, so that merge refuses shards of other runs (default: derived from --start-at and n)")
	fs.DurationVar(&cfg.LatenessBound, "lateness-bound", 5*time.Millisecond, "flag the run saturated when timer lateness p99 exceeds this")
	fs.DurationVar(&cfg.Interval, "interval", 100*time.Millisecond, "time-series interval")
	fs.Int64Var(&cfg.MaxMessage, "max-message-size", wsframe.DefaultMaxMessage, "largest message a client accepts, in bytes; a larger one fails the connection with 1009 (protocol_error message_too_big) (0 = no limit)")
	defineTLSFlags(fs, &rf.tls)

	s := &rf.server
	fs.Float64Var(&s.AcceptRate, "server-accept-rate", 0, "embedded server: upgrades admitted per second (0 = no limit)")
	fs.IntVar(&s.AcceptBurst, "server-accept-burst", 0, "embedded server: token bucket size of --server-accept-rate (default: the rate/10, at least 1)")
	fs.IntVar(&s.MaxConns, "server-max-conns", 0, "embedded server: connections before 503 (0 = no limit)")
	fs.DurationVar(&s.PingInterval, "server-ping-interval", 0, "embedded server: ping every client this often (0 = off; --heartbeat server: the heartbeat interval)")
	fs.DurationVar(&s.IdleTimeout, "server-idle-timeout", 0, "embedded server: close clients silent this long (0 = off)")
	fs.DurationVar(&s.BroadcastInterval, "server-broadcast-interval", time.Second, "embedded server: broadcast a numbered message this often (0 = off)")
	fs.IntVar(&s.Replay, "server-replay", 1000, "embedded server: messages kept for resuming clients (0 = none)")
	fs.Float64Var(&s.DirectRate, "server-direct-rate", 0, "embedded server: direct messages per second for each client, queued while it is away (0 = off)")
	fs.IntVar(&s.OfflineQueue, "server-offline-queue", 1000, "embedded server: direct messages kept per client; beyond it the oldest is dropped")
	fs.DurationVar(&s.SessionTTL, "server-session-ttl", 2*time.Minute, "embedded server: how long a client's session (its de-duplication window and offline queue) outlives its last connection")
	fs.DurationVar(&s.RetryAfter, "server-retry-after", time.Second, "embedded server: Retry-After sent with a 503 when --server-max-conns is reached (whole seconds; see --respect-retry-after)")
	fs.IntVar(&s.Loops, "server-loops", 0, "embedded server: event loops per process (default: GOMAXPROCS, 1 with workers)")
	fs.IntVar(&rf.serverWorkers, "server-workers", 0, "embedded server: worker processes sharing the port (default: enough to keep each under 15 000 clients, 5 000 with --server-tls)")
}

// runZeroRules classifies what an explicit zero means for every numeric
// flag of run.
func runZeroRules(cfg *loadgen.Config, rf *runFlags) []zeroRule {
	return []zeroRule{
		{flag: "clients", refuse: "> 0"},
		{flag: "ramp-rate", refuse: "> 0 connections per second"},
		{flag: "hold", means: "no hold", apply: func() { cfg.Hold = -1 }, negative: true},
		{flag: "connect-timeout", refuse: "> 0"},
		{flag: "backoff-base", refuse: "> 0"},
		{flag: "backoff-max", refuse: "> 0"},
		{flag: "backoff-multiplier", refuse: "≥ 1"},
		{flag: "max-retries", means: "never give up"},
		{flag: "reset-after", means: "reset on every connect"},
		{flag: "seed", refuse: "≥ 1"},
		{flag: "heartbeat-interval", means: "no pings (only with --heartbeat none)"},
		{flag: "heartbeat-timeout", refuse: "> 0"},
		{flag: "heartbeat-spread", means: "no spread", apply: func() { cfg.Heartbeat.Spread = -1 }, negative: true},
		{flag: "fault-fraction", refuse: "in (0, 1]"},
		{flag: "fault-duration", means: "back at once (restart and crash only)", apply: func() { cfg.Fault.Duration = -1 }, negative: true},
		{flag: "fault-code", refuse: "1000–1003, 1007–1014 or 3000–4999 (RFC 6455 §7.4)"},
		{flag: "storms", refuse: "≥ 1 (--fault none runs without a storm)"},
		{flag: "recover-timeout", refuse: "> 0"},
		{flag: "storm-threshold", refuse: "in (0, 1]"},
		{flag: "storm-window", refuse: "> 0"},
		{flag: "workers", refuse: "≥ 1"},
		{flag: "loops", refuse: "≥ 1"},
		{flag: "lateness-bound", refuse: "> 0"},
		{flag: "interval", refuse: "≥ 10ms"},
		{flag: "max-message-size", means: "no limit", apply: func() { cfg.MaxMessage = -1 }, negative: true},
		{flag: "server-accept-rate", means: "no limit"},
		{flag: "server-accept-burst", refuse: "≥ 1"},
		{flag: "send-rate", means: "the clients send no messages of their own"},
		{flag: "send-size", means: "no padding"},
		{flag: "send-queue", refuse: "≥ 1"},
		{flag: "flush-rate", means: "the backlog is sent as fast as the socket takes it"},
		{flag: "server-max-conns", means: "no limit"},
		{flag: "server-ping-interval", means: "the server does not ping"},
		{flag: "server-idle-timeout", means: "the server never closes idle clients"},
		{flag: "server-broadcast-interval", means: "no broadcast"},
		{flag: "server-replay", means: "no replay for resuming clients", apply: func() { rf.server.Replay = -1 }, negative: true},
		{flag: "server-loops", refuse: "≥ 1"},
		{flag: "server-direct-rate", means: "no direct messages"},
		{flag: "server-offline-queue", refuse: "≥ 1"},
		{flag: "server-session-ttl", refuse: "≥ 10ms"},
		{flag: "server-retry-after", refuse: "≥ 1s"},
		{flag: "server-workers", refuse: "≥ 1"},
	}
}

// runFlagNames maps the fields of loadgen.Config, sut.Config (as Server.*)
// and the preflight plan to run's flags.
var runFlagNames = map[string]string{
	"URL": "--url", "Clients": "--clients", "RampRate": "--ramp-rate", "Hold": "--hold", "ConnectTimeout": "--connect-timeout",
	"Policy.Base": "--backoff-base", "Policy.Max": "--backoff-max", "Policy.Multiplier": "--backoff-multiplier",
	"Policy.Jitter": "--jitter", "Policy.Preset": "--policy", "Policy.MaxRetries": "--max-retries", "Policy.ResetAfter": "--reset-after",
	"Seed": "--seed", "Heartbeat.Mode": "--heartbeat", "Heartbeat.Interval": "--heartbeat-interval",
	"Heartbeat.Timeout": "--heartbeat-timeout", "Heartbeat.Spread": "--heartbeat-spread",
	"Fault.Kind": "--fault", "Fault.Fraction": "--fault-fraction", "Fault.Duration": "--fault-duration", "Fault.Code": "--fault-code",
	"Fault.Storms": "--storms", "Fault.RecoverTimeout": "--recover-timeout",
	"Fault.Command": "--fault", "Fault.At": "--fault-at", "Fault.Threshold": "--storm-threshold", "Fault.Window": "--storm-window",
	"MaxMessage": "--max-message-size", "MetricsListen": "--metrics-listen",
	"Loops": "--loops", "SourceIPs": "--source-ips", "LatenessBound": "--lateness-bound", "Interval": "--interval", "Shard": "--shard",
	"Workers": "--workers", "ServerWorkers": "--server-workers", "SourceAddrs": "--source-ips",
	"Server.AcceptRate": "--server-accept-rate", "Server.AcceptBurst": "--server-accept-burst", "Server.MaxConns": "--server-max-conns", "Server.PingInterval": "--server-ping-interval",
	"Server.IdleTimeout": "--server-idle-timeout", "Server.BroadcastInterval": "--server-broadcast-interval",
	"Server.Replay": "--server-replay", "Server.Loops": "--server-loops",
	"Server.DirectRate": "--server-direct-rate", "Server.OfflineQueue": "--server-offline-queue",
	"Server.SessionTTL": "--server-session-ttl", "Server.RetryAfter": "--server-retry-after",
}

func joinPresets() string { return strings.Join(loadgen.Presets(), ", ") }

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
	cfg.Policy.Jitter = loadgen.Jitter(rf.jitter)
	cfg.Policy.Preset = rf.policy
	cfg.Fault.Kind, cfg.Fault.Command, _ = strings.Cut(rf.faultKind, ":")
	if cfg.Fault.Kind != loadgen.FaultExec && strings.Contains(rf.faultKind, ":") {
		return nil, usagef("--fault %q: only exec takes a command (exec:'CMD')", rf.faultKind)
	}
	if cfg.Fault.Kind == loadgen.FaultExec && !strings.Contains(rf.faultKind, ":") {
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
	cfg.Resume = &rf.resume
	if err := applyServerFormatFlags(fs, &cfg, &rf.formats); err != nil {
		return nil, err
	}
	if err := applySendFlags(fs, &cfg, &rf.send); err != nil {
		return nil, err
	}
	if fs.Changed("heartbeat-interval") && cfg.Heartbeat.Interval == 0 && cfg.Heartbeat.Mode != loadgen.HeartbeatNone {
		return nil, usagef("--heartbeat-interval 0s is only valid with --heartbeat none (got --heartbeat %s)", cfg.Heartbeat.Mode)
	}
	if fs.Changed("server-ping-interval") && rf.server.PingInterval == 0 && cfg.Heartbeat.Mode == loadgen.HeartbeatServer {
		return nil, usagef("--server-ping-interval 0s: with --heartbeat server the clients wait for the server's pings; give an interval or leave it unset (the heartbeat interval)")
	}
	if err := applyTLSFlags(fs, &cfg, rf.tls); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, usageError{flagError(err, runFlagNames)}
	}
	embed := cfg.URL == ""
	if rf.token == "" {
		rf.token = os.Getenv(experiment.TokenEnv)
	}
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
	if loadgen.Unattributed(kind) {
		for _, f := range []string{"fault-fraction", "fault-duration", "fault-code"} {
			if fs.Changed(f) {
				return usagef("--%s has no meaning with --fault %s: what the fault does is up to %s", f, kind,
					map[string]string{loadgen.FaultExec: "your command", loadgen.FaultObserve: "whatever breaks the connections"}[kind])
			}
		}
	}
	switch {
	case kind == loadgen.FaultObserve && rf.shard != "":
		return usagef("--fault observe with --shard: each machine would find storms of its own; observe from one process (--workers spreads the clients)")
	case kind == loadgen.FaultObserve && fs.Changed("storms"):
		return usagef("--storms with --fault observe: every storm seen during --hold is measured")
	case kind == loadgen.FaultCrash && !embed:
		return usagef("--fault crash kills the embedded server; it cannot be used with --url")
	case !embed && !loadgen.ClientSide(kind) && !loadgen.Unattributed(kind) && kind != loadgen.FaultNone && rf.control == "":
		return usagef("--fault %s is applied by the server: with --url, give its control API with --control (or use --fault reset, partition or none)", kind)
	case rf.control != "" && embed:
		return usagef("--control is for a server given with --url; the embedded server's control API is used automatically")
	case rf.control != "" && rf.token == "":
		return usagef("--control needs --control-token (or $%s)", experiment.TokenEnv)
	}
	if fs.Changed("server-accept-burst") && rf.server.AcceptRate == 0 {
		return usagef("--server-accept-burst sizes the token bucket of --server-accept-rate, which is not set")
	}
	if !embed {
		for _, f := range []string{"server-accept-rate", "server-accept-burst", "server-max-conns", "server-ping-interval", "server-idle-timeout",
			"server-broadcast-interval", "server-replay", "server-loops", "server-workers", "server-direct-rate", "server-offline-queue",
			"server-session-ttl", "server-retry-after"} {
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
