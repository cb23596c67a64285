package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

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
  stormbench run --url ws://127.0.0.1:9000/ws --control http://127.0.0.1:9001 \
      --control-token "$TOKEN" --fault close
`

// runFlags holds what the flags set beyond loadgen.Config and sut.Config.
type runFlags struct {
	out, name          string
	control, token     string
	quiet              bool
	resume             bool
	policy             string
	jitter             string
	faultKind          string
	server             sut.Config
	serverPingExplicit bool
	workers            int
	serverWorkers      int
	sourceIPs          string
	noPreflight        bool
	shard, startAt     string
}

func defineRunFlags(cmd *command, cfg *loadgen.Config, rf *runFlags) {
	fs := cmd.fs
	fs.StringVar(&cfg.URL, "url", "", "WebSocket URL of the server under test (default: start the embedded server)")
	fs.IntVar(&cfg.Clients, "clients", 10000, "number of clients")
	fs.Float64Var(&cfg.RampRate, "ramp-rate", 2000, "new connections per second during the ramp")
	fs.DurationVar(&cfg.Hold, "hold", 5*time.Second, "steady time before the first fault and between storms")
	fs.DurationVar(&cfg.ConnectTimeout, "connect-timeout", 10*time.Second, "timeout of one dial + handshake")
	fs.StringVar(&rf.out, "out", "results", "folder that receives the run's results folder")
	fs.StringVar(&rf.name, "name", "", "run name, part of the results folder's name (default: <fault>-<jitter>)")

	fs.DurationVar(&cfg.Policy.Base, "backoff-base", 100*time.Millisecond, "first backoff delay")
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
	fs.DurationVar(&cfg.Heartbeat.Spread, "heartbeat-spread", 0, "delay a client's first ping by U(0, spread) after it connects (default: the interval; negative: no spread)")

	fs.StringVar(&rf.faultKind, "fault", "abort", "fault: close, restart, abort, crash, blackhole, reset, partition or none")
	fs.Float64Var(&cfg.Fault.Fraction, "fault-fraction", 1, "share of open connections the fault hits, in (0, 1]")
	fs.DurationVar(&cfg.Fault.Duration, "fault-duration", 5*time.Second, "how long restart, crash, blackhole and partition last")
	fs.IntVar(&cfg.Fault.Code, "fault-code", 0, "close code for close and restart (default: 1001, 1012)")
	fs.IntVar(&cfg.Fault.Storms, "storms", 1, "number of storms (fault + recovery)")
	fs.DurationVar(&cfg.Fault.RecoverTimeout, "recover-timeout", 60*time.Second, "a storm ends at T0 + this even if clients are still away")
	fs.StringVar(&rf.control, "control", "", "control API base URL of a server started with stormbench serve (with --url)")
	fs.StringVar(&rf.token, "control-token", "", "control API token (with --control)")

	fs.BoolVar(&rf.resume, "resume", true, "reconnect with ?resume=<last seq> and count lost and duplicated messages")
	fs.BoolVar(&rf.quiet, "quiet", false, "no live status line")
	fs.IntVar(&rf.workers, "workers", 0, "load-generator worker processes, each a shard of the clients (default: enough to keep each under 18 000 sockets)")
	fs.IntVar(&cfg.Loops, "loops", 0, "client event loops per process (default: GOMAXPROCS, 1 with workers)")
	fs.IntVar(&cfg.Dialers, "dialers", 512, "dials + handshakes in flight at once, per process")
	fs.StringVar(&rf.sourceIPs, "source-ips", "", "spread connections over these local addresses: a list and/or ranges, e.g. 127.0.0.2-127.0.0.40 (default on loopback: 127.0.0.2, 127.0.0.3, … one per 4096 clients)")
	fs.BoolVar(&rf.noPreflight, "no-preflight", false, "skip the check that the run fits this machine (file limit, ports, memory)")
	fs.StringVar(&rf.shard, "shard", "", "run only shard i/n of the fleet (client IDs ≡ i mod n), for runs spread over machines; with --url")
	fs.StringVar(&rf.startAt, "start-at", "", "with --shard: start the ramp at this instant (RFC 3339 or Unix seconds); every phase then follows a fixed timetable")
	fs.DurationVar(&cfg.LatenessBound, "lateness-bound", 5*time.Millisecond, "flag the run saturated when timer lateness p99 exceeds this")
	fs.DurationVar(&cfg.Interval, "interval", 100*time.Millisecond, "time-series interval")

	s := &rf.server
	fs.Float64Var(&s.AcceptRate, "server-accept-rate", 0, "embedded server: upgrades admitted per second (0 = no limit)")
	fs.IntVar(&s.MaxConns, "server-max-conns", 0, "embedded server: connections before 503 (0 = no limit)")
	fs.DurationVar(&s.PingInterval, "server-ping-interval", 0, "embedded server: ping every client this often (0 = off; --heartbeat server: the heartbeat interval)")
	fs.DurationVar(&s.IdleTimeout, "server-idle-timeout", 0, "embedded server: close clients silent this long (0 = off)")
	fs.DurationVar(&s.BroadcastInterval, "server-broadcast-interval", time.Second, "embedded server: broadcast a numbered message this often (0 = off)")
	fs.IntVar(&s.Replay, "server-replay", 1000, "embedded server: messages kept for resuming clients")
	fs.IntVar(&s.Loops, "server-loops", 0, "embedded server: event loops per process (default: GOMAXPROCS, 1 with workers)")
	fs.IntVar(&rf.serverWorkers, "server-workers", 0, "embedded server: worker processes sharing the port (default: enough to keep each under 15 000 clients)")
}

func joinPresets() string {
	s := ""
	for i, p := range loadgen.Presets() {
		if i > 0 {
			s += ", "
		}
		s += p
	}
	return s
}

var runNameRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// runConfig is what config.json holds: every resolved setting, the tool
// and the host.
type runConfig struct {
	Command  []string       `json:"command"`
	Started  time.Time      `json:"started"`
	Dir      string         `json:"dir"`
	Loadgen  loadgen.Config `json:"loadgen"`
	Server   *sut.Config    `json:"server,omitempty"`
	Embedded bool           `json:"embedded_server"`
	Workers  int            `json:"workers"`
	// ServerWorkers is the embedded server's worker processes.
	ServerWorkers int `json:"server_workers,omitempty"`
	// ServerRestarts counts restarts of the embedded server after crashes.
	ServerRestarts int             `json:"server_restarts,omitempty"`
	Outcome        loadgen.Outcome `json:"outcome"`
	Host           hostFacts       `json:"host"`
}

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	stderr = shareable(stderr)
	cmd := newCommand("stormbench run", runUsage, stdout)
	var cfg loadgen.Config
	var rf runFlags
	defineRunFlags(cmd, &cfg, &rf)
	if err := cmd.parse(args); err != nil {
		return err
	}
	if cmd.fs.NArg() > 0 {
		return usagef("run takes no arguments (got %q); see stormbench run --help", cmd.fs.Args())
	}
	cfg.Policy.Jitter = loadgen.Jitter(rf.jitter)
	cfg.Policy.Preset = rf.policy
	cfg.Fault.Kind = rf.faultKind
	cfg.Resume = &rf.resume
	if cfg.Clients == 0 {
		return usagef("--clients must be > 0 (got 0)")
	}
	if cfg.RampRate == 0 {
		return usagef("--ramp-rate must be > 0 connections per second (got 0)")
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	embed := cfg.URL == ""
	if err := checkRunCombination(cfg, rf, embed); err != nil {
		return err
	}
	if cmd.fs.Changed("server-ping-interval") {
		rf.serverPingExplicit = true
	}
	if rf.workers < 0 {
		return usagef("--workers must be ≥ 1 (got %d)", rf.workers)
	}
	var startAt time.Time
	if rf.shard != "" {
		sh, err := parseShard(rf.shard)
		if err != nil {
			return err
		}
		cfg.Shard = sh
		if cfg.URL == "" && sh.Count > 1 {
			return usagef("--shard %s needs --url: every shard must reach the same server", rf.shard)
		}
	}
	if rf.startAt != "" {
		if rf.shard == "" {
			return usagef("--start-at is for --shard runs")
		}
		t, err := parseStartAt(rf.startAt, time.Now())
		if err != nil {
			return err
		}
		startAt = t
	}
	if rf.sourceIPs != "" {
		ips, err := loadgen.ParseSourceIPs(rf.sourceIPs)
		if err != nil {
			return usageError{err}
		}
		cfg.SourceIPs = ips
	}
	if rf.workers == 0 {
		rc := cfg.Resolve()
		rf.workers = loadgenWorkersDefault((rc.Clients+rc.Shard.Count-1)/rc.Shard.Count, rc.Dialers)
	}
	if rf.workers > 1 && !cmd.fs.Changed("loops") {
		cfg.Loops = 1 // several processes already spread the work over the cores
	}
	cfg = cfg.Resolve()
	srvCfg := rf.server
	if embed {
		if cfg.Heartbeat.Mode == loadgen.HeartbeatServer && !rf.serverPingExplicit {
			srvCfg.PingInterval = cfg.Heartbeat.Interval
		}
		srvCfg.ControlToken = randomToken()
		if rf.serverWorkers < 0 {
			return usagef("--server-workers must be ≥ 1 (got %d)", rf.serverWorkers)
		}
		if rf.serverWorkers == 0 {
			rf.serverWorkers = serveWorkersDefault(cfg.Clients)
		}
		if rf.serverWorkers > 1 && !cmd.fs.Changed("server-loops") {
			srvCfg.Loops = 1
		}
		if err := srvCfg.Validate(); err != nil {
			return usageError{fmt.Errorf("%w (as --server-…)", err)}
		}
		srvCfg = srvCfg.Resolve()
	}
	name := rf.name
	if name == "" {
		name = cfg.Fault.Kind + "-" + string(cfg.Policy.Jitter)
		if cfg.Policy.Preset != "" {
			name = cfg.Fault.Kind + "-" + cfg.Policy.Preset
		}
		if cfg.Shard.Count > 1 {
			name += fmt.Sprintf("-shard-%d-of-%d", cfg.Shard.Index, cfg.Shard.Count)
		}
	}
	machine := loadgen.ReadMachine()
	if len(cfg.SourceIPs) == 0 {
		cfg.SourceIPs = loadgen.AutoSourceAddrs(targetAddr(cfg.URL), cfg.Clients, machine)
	}
	if !rf.noPreflight {
		plan := loadgen.Plan{Clients: (cfg.Clients + cfg.Shard.Count - 1) / cfg.Shard.Count, Workers: rf.workers, Dialers: cfg.Dialers, SourceAddrs: len(cfg.SourceIPs)}
		if embed {
			plan.ServerWorkers, plan.ServerHandshakes = rf.serverWorkers, srvCfg.Handshakes
		}
		if err := loadgen.Preflight(plan, machine); err != nil {
			return usageError{err}
		}
	}
	if !runNameRE.MatchString(name) {
		return usagef("--name must be 1–64 letters, digits, '.', '_' or '-' (got %q)", name)
	}
	if err := checkWritable(rf.out); err != nil {
		return usagef("--out %s: %v", rf.out, err)
	}

	started := time.Now()
	dir := filepath.Join(rf.out, started.Format("20060102-150405")+"-"+name)
	var emb *embedded
	inj := &injector{}
	if embed {
		var err error
		emb, err = startEmbedded(ctx, srvCfg, rf.serverWorkers, started, stderr)
		if err != nil {
			return err
		}
		defer emb.stop()
		cfg.URL = emb.URL()
		inj.emb = emb
		inj.ctl = emb.control
	} else if rf.control != "" && cfg.Shard.Index == 0 {
		// On a timetable only shard 0 applies server-side faults.
		ctl := &sut.ControlClient{Base: rf.control, Token: rf.token}
		inj.ctl = func() *sut.ControlClient { return ctl }
	}

	start := time.Now()
	if !startAt.IsZero() {
		fmt.Fprintf(stderr, "stormbench: shard %d/%d waits until %s\n", cfg.Shard.Index, cfg.Shard.Count, startAt.Format(time.RFC3339))
		select {
		case <-time.After(time.Until(startAt)):
		case <-ctx.Done():
			return errInterrupted
		}
		start = startAt
	}
	var fr *fleetRun
	var err error
	if rf.workers > 1 {
		fr, err = workerFleet(cfg, rf.workers, start, stderr)
	} else {
		fr, err = localFleet(cfg, start)
	}
	if err != nil {
		return err
	}
	opts := loadgen.Options{Start: start, Clock: fr.clock, TTY: isTerminal(stderr), Timetable: cfg.Shard.Count > 1}
	if inj.ctl != nil || inj.emb != nil {
		opts.Injector = inj
	}
	if !rf.quiet {
		opts.Status = stderr
	}
	outcome, runErr := loadgen.Run(ctx, cfg, fr.ctl, fr.rec, opts)

	shard, err := fr.finish()
	if err != nil {
		if shard == nil {
			return fmt.Errorf("collect results: %w", err)
		}
		fmt.Fprintf(stderr, "stormbench: some worker results are missing: %v\n", err)
	}
	sum := reporter.Summarize(shard, reporter.SummaryOptions{LatenessBound: cfg.LatenessBound, Interrupted: outcome.Interrupted})
	rc := runConfig{Command: append([]string{"stormbench", "run"}, args...), Started: start, Dir: dir, Loadgen: cfg, Embedded: embed, Outcome: outcome, Host: readHostFacts()}
	if embed {
		rc.Server = &srvCfg
	}
	rc.Workers = max(rf.workers, 1)
	rc.ServerWorkers = rf.serverWorkers
	if emb != nil {
		rc.ServerRestarts = emb.Restarts()
	}
	if err := reporter.WriteRun(dir, shard, sum, rc); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	// The raw partial result, so that shards of one run on several
	// machines can be merged exactly (stormbench merge).
	if err := reporter.WriteShard(filepath.Join(dir, shardFile), shard); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	if emb != nil || inj.ctl != nil {
		if err := writeServerStats(ctx, dir, inj); err != nil {
			fmt.Fprintf(stderr, "stormbench: server stats: %v\n", err)
		}
	}
	if err := reporter.PrintSummary(stdout, sum); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nresults: %s\n", dir)
	switch {
	case outcome.Interrupted:
		return errInterrupted
	case errors.Is(runErr, loadgen.ErrNoConnection):
		return fmt.Errorf("%w to %s (results written to %s)", runErr, cfg.URL, dir)
	case runErr != nil:
		return fmt.Errorf("run: %w (partial results written to %s)", runErr, dir)
	}
	return nil
}

// shardFile is the raw, mergeable result every run leaves in its folder.
const shardFile = "shard.json"

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

// targetAddr is the server's address when --url names an IP (the embedded
// server listens on 127.0.0.1), else the zero address.
func targetAddr(u string) netip.Addr {
	if u == "" {
		return netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	pu, err := url.Parse(u)
	if err != nil {
		return netip.Addr{}
	}
	if a, err := netip.ParseAddr(pu.Hostname()); err == nil {
		return a
	}
	if pu.Hostname() == "localhost" {
		return netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	return netip.Addr{}
}

// checkRunCombination rejects flag combinations that cannot work, before
// anything starts.
func checkRunCombination(cfg loadgen.Config, rf runFlags, embed bool) error {
	kind := cfg.Fault.Kind
	switch {
	case kind == loadgen.FaultCrash && !embed:
		return usagef("--fault crash kills the embedded server; it cannot be used with --url")
	case !embed && !loadgen.ClientSide(kind) && kind != loadgen.FaultNone && rf.control == "":
		return usagef("--fault %s is applied by the server: with --url, give its control API with --control (or use --fault reset, partition or none)", kind)
	case rf.control != "" && embed:
		return usagef("--control is for a server given with --url; the embedded server's control API is used automatically")
	case rf.control != "" && rf.token == "":
		return usagef("--control needs --control-token")
	}
	if rf.control != "" {
		if _, err := strconv.Unquote(strconv.Quote(rf.control)); err != nil {
			return usagef("--control must be a URL like http://127.0.0.1:8081")
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

// writeServerStats saves the server's own view: server.json and
// server_timeseries.csv.
func writeServerStats(ctx context.Context, dir string, inj *injector) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	st, err := inj.ctl().Stats(sctx, false)
	if err != nil {
		return err
	}
	b, err := jsonIndent(st)
	if err != nil {
		return err
	}
	if err := reporter.WriteFileAtomic(filepath.Join(dir, "server.json"), b); err != nil {
		return err
	}
	rows := make([][]string, len(st.Series.Rows))
	for i, r := range st.Series.Rows {
		row := make([]string, len(r))
		for j, v := range r {
			row[j] = strconv.FormatFloat(v, 'f', -1, 64)
		}
		rows[i] = row
	}
	return reporter.WriteCSV(filepath.Join(dir, "server_timeseries.csv"), st.Series.Columns, rows)
}
