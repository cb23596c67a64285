package main

import (
	"context"
	"errors"
	"io"
	"net"

	"github.com/stormbench/stormbench/experiment"
	sut "github.com/stormbench/stormbench/server-under-test"
)

const serveUsage = `Usage: stormbench serve [flags]

Runs the server-under-test: a WebSocket server on epoll event loops that
answers RFC 6455 and application pings, broadcasts a numbered message stream
with replay for clients that resume (?client=ID&resume=SEQ), applies admission
control, and injects faults through a control API on a separate port
(POST /fault, GET /stats, GET /healthz; Authorization: Bearer <token>).
The control API listens on loopback unless --control says otherwise; beyond
loopback its token must come from $STORMBENCH_CONTROL_TOKEN or
--control-token-file (at least 16 characters), and --control-tls serves it
over HTTPS with the certificate of --tls-cert. Every client address is rate
limited (429 with Retry-After). It stops cleanly on SIGINT or SIGTERM,
closing clients with 1001.

Examples:
  # defaults: ws://127.0.0.1:8080/ws, control API on 127.0.0.1:8081
  stormbench serve

  # ping clients every 10s, close those silent for 30s, admit 500 upgrades/s
  stormbench serve --ping-interval 10s --idle-timeout 30s --accept-rate 500

  # then, from another terminal: abort half of the connections
  curl -H "Authorization: Bearer $TOKEN" -d '{"kind":"abort","fraction":0.5}' \
       http://127.0.0.1:8081/fault

  # wss://127.0.0.1:8443/ws, clients must present a certificate of client-ca.pem
  stormbench serve --listen 127.0.0.1:8443 --tls-cert cert.pem --tls-key key.pem \
      --tls-client-ca client-ca.pem

  # a server for load generators on other machines: control API on the
  # network, over HTTPS, its token from a file
  openssl rand -hex 16 > token
  stormbench serve --listen 0.0.0.0:8443 --control 0.0.0.0:8081 --control-token-file token \
      --control-tls --tls-cert cert.pem --tls-key key.pem
`

// serveOnly are serve's flags outside sut.Config.
type serveOnly struct {
	tokenFile string
}

func serveFlags(cmd *command, cfg *sut.Config, so *serveOnly) {
	fs := cmd.fs
	fs.StringVar(&cfg.Listen, "listen", sut.DefaultListen, "WebSocket listen address")
	fs.StringVar(&cfg.Path, "path", sut.DefaultPath, "URL path that accepts WebSocket upgrades")
	fs.StringVar(&cfg.Control, "control", sut.DefaultControl, "control API listen address; beyond loopback it needs a token from $"+experiment.TokenEnv+" or --control-token-file")
	fs.StringVar(&cfg.ControlToken, "control-token", "", "control API token, loopback only (default: $"+experiment.TokenEnv+", else generated and printed)")
	fs.StringVar(&so.tokenFile, "control-token-file", "", "read the control API token from this file (one line)")
	fs.BoolVar(&cfg.ControlTLS, "control-tls", false, "serve the control API over HTTPS with the certificate of --tls-cert and --tls-key")
	fs.DurationVar(&cfg.PingInterval, "ping-interval", 0, "send an RFC 6455 ping to every client this often (0 = off)")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", 0, "close a client from which nothing arrived for this long (0 = off)")
	fs.DurationVar(&cfg.BroadcastInterval, "broadcast-interval", sut.DefaultBroadcastInterval, "send {\"type\":\"msg\",\"seq\":N} to every client this often (0 = off)")
	fs.IntVar(&cfg.Replay, "replay", sut.DefaultReplay, "messages a resuming client can be sent again (0 = none)")
	fs.IntVar(&cfg.MaxConns, "max-conns", 0, "refuse upgrades with 503 while this many clients are open (0 = no limit)")
	fs.Float64Var(&cfg.AcceptRate, "accept-rate", 0, "admit at most this many upgrades per second, token bucket (0 = no limit)")
	fs.IntVar(&cfg.AcceptBurst, "accept-burst", 0, "token bucket size (default: accept-rate/10, at least 1)")
	fs.DurationVar(&cfg.RetryAfter, "retry-after", sut.DefaultRetryAfter, "Retry-After sent with a 503 (whole seconds)")
	fs.IntVar(&cfg.Loops, "loops", 0, "event loops (default: GOMAXPROCS)")
	fs.Float64Var(&cfg.DirectRate, "direct-rate", 0, "direct messages per second the server produces for each client's session, queued while it is away (0 = off)")
	fs.IntVar(&cfg.OfflineQueue, "offline-queue", sut.DefaultOfflineQueue, "direct messages a session keeps for its client; beyond it the oldest is dropped")
	fs.DurationVar(&cfg.SessionTTL, "session-ttl", sut.DefaultSessionTTL, "how long a client's session outlives its last connection")
	fs.Uint64Var(&cfg.Seed, "seed", sut.DefaultSeed, "seed for choosing the connections a partial fault hits")
	serveTLSFlags(fs, cfg)
}

// serveZeroRules classifies what an explicit zero means for every numeric
// flag of serve.
func serveZeroRules(cfg *sut.Config) []zeroRule {
	return []zeroRule{
		{flag: "ping-interval", means: "the server does not ping"},
		{flag: "idle-timeout", means: "idle clients are never closed"},
		{flag: "broadcast-interval", means: "no broadcast"},
		{flag: "replay", means: "no replay for resuming clients", apply: func() { cfg.Replay = -1 }, negative: true},
		{flag: "max-conns", means: "no limit"},
		{flag: "accept-rate", means: "no limit"},
		{flag: "direct-rate", means: "no direct messages"},
		{flag: "offline-queue", refuse: "≥ 1"},
		{flag: "session-ttl", refuse: "≥ 10ms"},
		{flag: "accept-burst", refuse: "≥ 1"},
		{flag: "retry-after", refuse: "≥ 1s"},
		{flag: "loops", refuse: "≥ 1"},
		{flag: "seed", refuse: "≥ 1"},
		{flag: "workers", refuse: "≥ 1"},
	}
}

// serveFlagNames maps the fields of sut.Config to serve's flags.
var serveFlagNames = map[string]string{
	"Listen": "--listen", "Path": "--path", "Control": "--control", "PingInterval": "--ping-interval",
	"IdleTimeout": "--idle-timeout", "BroadcastInterval": "--broadcast-interval", "Replay": "--replay",
	"MaxConns": "--max-conns", "AcceptRate": "--accept-rate", "AcceptBurst": "--accept-burst",
	"RetryAfter": "--retry-after", "Loops": "--loops", "Seed": "--seed",
	"ControlToken": "--control-token", "ControlTLS": "--control-tls",
	"DirectRate": "--direct-rate", "OfflineQueue": "--offline-queue", "SessionTTL": "--session-ttl",
}

func serveCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	stderr = shareable(stderr)
	cmd := newCommand("stormbench serve", serveUsage, stdout)
	var cfg sut.Config
	var so serveOnly
	serveFlags(cmd, &cfg, &so)
	var workers int
	var child bool
	var metricsListen string
	cmd.fs.IntVar(&workers, "workers", 0, "worker processes sharing the port with SO_REUSEPORT (default: enough to keep each under 15 000 of --max-conns)")
	cmd.fs.StringVar(&metricsListen, "metrics-listen", "", "serve the server's /stats as Prometheus metrics on this loopback address, e.g. 127.0.0.1:9100 (GET /metrics)")
	cmd.fs.BoolVar(&child, "child", false, "run as a child of a coordinator: settings as JSON on stdin, token in "+experiment.TokenEnv)
	_ = cmd.fs.MarkHidden("child")
	if err := cmd.parse(args); err != nil {
		return err
	}
	if child {
		return experiment.ServeChild(ctx, stdin, stdout, stderr)
	}
	if cmd.fs.NArg() > 0 {
		return usagef("serve takes no arguments (got %q)", cmd.fs.Args())
	}
	rules := serveZeroRules(&cfg)
	if err := checkExplicit(cmd.fs, rules); err != nil {
		return err
	}
	applyZeroMeanings(cmd.fs, rules)
	if err := finishServeTLS(cmd.fs, &cfg); err != nil {
		return err
	}
	token, from, err := controlToken(cmd.fs, cfg.ControlToken, so.tokenFile)
	if err != nil {
		return err
	}
	cfg.ControlToken = token
	if _, _, err := net.SplitHostPort(cfg.Control); err == nil {
		if err := checkRemoteControl(&cfg, from, stderr); err != nil {
			return err
		}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{flagError(err, serveFlagNames)}
	}
	if err := cfg.TLS.Load(); err != nil {
		return usageError{flagError(err, serveFlagNames)}
	}
	if !cmd.fs.Changed("workers") {
		workers = experiment.ServerWorkers(cfg.MaxConns)
	}
	if cmd.fs.Changed("metrics-listen") {
		if err := experiment.CheckMetricsAddr(metricsListen); err != nil {
			return usagef("--metrics-listen: %v", err)
		}
	}
	err = experiment.Serve(ctx, cfg, experiment.ServeOptions{Workers: workers, Stdout: stdout, Stderr: stderr, MetricsListen: metricsListen, TokenFrom: from})
	var fe *sut.FieldError
	if errors.As(err, &fe) {
		return usageError{flagError(err, serveFlagNames)}
	}
	return err
}
