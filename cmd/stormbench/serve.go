package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	sut "github.com/stormbench/stormbench/server-under-test"
)

const serveUsage = `Usage: stormbench serve [flags]

Runs the server-under-test: a WebSocket server on epoll event loops that
answers RFC 6455 and application pings, broadcasts a numbered message stream
with replay for clients that resume (?client=ID&resume=SEQ), applies admission
control, and injects faults through a control API on a separate loopback port
(POST /fault, GET /stats, GET /healthz; Authorization: Bearer <token>).
It stops cleanly on SIGINT or SIGTERM, closing clients with 1001.

Examples:
  # defaults: ws://127.0.0.1:8080/ws, control API on 127.0.0.1:8081
  stormbench serve

  # ping clients every 10s, close those silent for 30s, admit 500 upgrades/s
  stormbench serve --ping-interval 10s --idle-timeout 30s --accept-rate 500

  # then, from another terminal: abort half of the connections
  curl -H "Authorization: Bearer $TOKEN" -d '{"kind":"abort","fraction":0.5}' \
       http://127.0.0.1:8081/fault
`

// announcement is the line "serve --announce" prints for a parent process.
type announcement struct {
	WS      string `json:"ws"`
	Control string `json:"control"`
	Token   string `json:"token"`
	PID     int    `json:"pid"`
}

func serveFlags(cmd *command, cfg *sut.Config) {
	fs := cmd.fs
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:8080", "WebSocket listen address")
	fs.StringVar(&cfg.Path, "path", "/ws", "URL path that accepts WebSocket upgrades")
	fs.StringVar(&cfg.Control, "control", "127.0.0.1:8081", "control API listen address (loopback only)")
	fs.StringVar(&cfg.ControlToken, "control-token", "", "control API token (default: generated and printed)")
	fs.DurationVar(&cfg.PingInterval, "ping-interval", 0, "send an RFC 6455 ping to every client this often (0 = off)")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", 0, "close a client from which nothing arrived for this long (0 = off)")
	fs.DurationVar(&cfg.BroadcastInterval, "broadcast-interval", time.Second, "send {\"type\":\"msg\",\"seq\":N} to every client this often (0 = off)")
	fs.IntVar(&cfg.Replay, "replay", 1000, "messages a resuming client can be sent again")
	fs.IntVar(&cfg.MaxConns, "max-conns", 0, "refuse upgrades with 503 while this many clients are open (0 = no limit)")
	fs.Float64Var(&cfg.AcceptRate, "accept-rate", 0, "admit at most this many upgrades per second, token bucket (0 = no limit)")
	fs.IntVar(&cfg.AcceptBurst, "accept-burst", 0, "token bucket size (default: accept-rate/10, at least 1)")
	fs.DurationVar(&cfg.RetryAfter, "retry-after", time.Second, "Retry-After sent with a 503")
	fs.IntVar(&cfg.Loops, "loops", 0, "event loops (default: GOMAXPROCS)")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed for choosing the connections a partial fault hits")
}

// serveWorkersDefault is how many worker processes keep each under the
// per-process file limit for maxConns connections (15 000 each leaves room
// for handshakes in flight and connections still closing).
func serveWorkersDefault(maxConns int) int {
	return max(1, (maxConns+perServerWorker-1)/perServerWorker)
}

const perServerWorker = 15000

func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	stderr = shareable(stderr)
	cmd := newCommand("stormbench serve", serveUsage, stdout)
	var cfg sut.Config
	serveFlags(cmd, &cfg)
	var epochNs, seriesNs int64
	var announce bool
	var workers int
	cmd.fs.IntVar(&workers, "workers", 0, "worker processes sharing the port with SO_REUSEPORT (default: enough to keep each under 15 000 of --max-conns)")
	cmd.fs.Int64Var(&epochNs, "epoch-unix-ns", 0, "start of the broadcast stream (for restarts and workers)")
	cmd.fs.Int64Var(&seriesNs, "series-start-unix-ns", 0, "start of the stats series (workers of one group share it)")
	cmd.fs.BoolVar(&announce, "announce", false, "print one JSON line with the addresses and token, for a parent process")
	cmd.fs.BoolVar(&cfg.ReusePort, "reuse-port", false, "set SO_REUSEPORT (worker processes)")
	for _, h := range []string{"epoch-unix-ns", "series-start-unix-ns", "announce", "reuse-port"} {
		_ = cmd.fs.MarkHidden(h)
	}
	if err := cmd.parse(args); err != nil {
		return err
	}
	if cmd.fs.NArg() > 0 {
		return usagef("serve takes no arguments (got %q)", cmd.fs.Args())
	}
	if epochNs > 0 {
		cfg.Epoch = time.Unix(0, epochNs)
	}
	if seriesNs > 0 {
		cfg.SeriesStart = time.Unix(0, seriesNs)
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	if workers < 0 {
		return usagef("--workers must be ≥ 1 (got %d)", workers)
	}
	if workers == 0 {
		workers = serveWorkersDefault(cfg.MaxConns)
	}
	if workers > 1 {
		return serveGroup(ctx, cfg, workers, announce, stdout, stderr)
	}
	srv, err := sut.New(cfg, stderr)
	if err != nil {
		return usageError{err}
	}
	if err := srv.Start(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	rc := srv.Config()
	wsURL := "ws://" + srv.Addr() + rc.Path
	ctlURL := "http://" + srv.ControlAddr()
	if announce {
		b, _ := json.Marshal(announcement{WS: wsURL, Control: ctlURL, Token: rc.ControlToken, PID: pidOf()})
		fmt.Fprintln(stdout, string(b))
	} else {
		fmt.Fprintf(stdout, "stormbench serve: listening on %s\n", wsURL)
		fmt.Fprintf(stdout, "control API: %s  (Authorization: Bearer %s)\n", ctlURL, rc.ControlToken)
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}
