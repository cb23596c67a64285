package experiment

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/stormbench/stormbench/internal/livemetrics"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// TokenEnv is the environment variable through which a coordinator hands
// the control API token to the server processes it starts (and which
// "stormbench serve" and "run --control" read when no token flag is
// given). A command line is readable by every user of the machine in
// /proc/PID/cmdline; a process's environment only by its owner.
const TokenEnv = "STORMBENCH_CONTROL_TOKEN"

// announcement is the line a server child prints on stdout once it
// listens, for the parent that started it. It carries no secret.
type announcement struct {
	WS      string `json:"ws"`
	Control string `json:"control"`
	PID     int    `json:"pid"`
}

// serveSpec is what a server child reads from its stdin: the resolved
// server settings (the token comes through TokenEnv).
type serveSpec struct {
	Config sut.Config `json:"config"`
	// Workers is the number of worker processes of a group (≤ 1: one process).
	Workers int `json:"workers"`
	// SeriesStartUnixNs aligns the stats series of a group's workers.
	SeriesStartUnixNs int64 `json:"series_start_unix_ns,omitempty"`
	// TLS is the certificate and key of a wss server (Config.TLS keeps
	// only their paths): over the pipe, never through a file.
	TLS *sut.TLSMaterial `json:"tls,omitempty"`
}

// ServeOptions are the wiring of Serve.
type ServeOptions struct {
	// Workers is the number of processes sharing the port (SO_REUSEPORT);
	// ≤ 1 serves in this process.
	Workers int
	// Announce prints one JSON line with the addresses for a parent
	// process instead of the human-readable lines.
	Announce bool
	// Exe is the executable that worker processes run; empty means this one.
	Exe string
	// Stdout receives the listening lines (or the announcement).
	Stdout io.Writer
	// Stderr receives the workers' and the server's messages.
	Stderr io.Writer
	// MetricsListen, when set, serves the server's /stats as Prometheus
	// metrics on this loopback address (/metrics).
	MetricsListen string
	// TokenFrom says where the control token came from
	// ("$STORMBENCH_CONTROL_TOKEN", "--control-token-file F"), printed
	// instead of the token itself; empty prints the token, which must
	// then be one Serve generated or one the user typed.
	TokenFrom string
}

// controlLine is the human-readable line that says where the control API
// listens and how to authenticate: the token itself only when nobody
// else knows it (generated) or it is on the command line already, so
// that a token from the environment or a file does not end up in a log.
func controlLine(ctlURL, token, from string) string {
	if from != "" {
		token = "<the token of " + from + ">"
	}
	return fmt.Sprintf("control API: %s  (Authorization: Bearer %s)\n", ctlURL, token)
}

// serveMetrics starts the metrics listener of a server, when asked for.
func serveMetrics(ctx context.Context, o ServeOptions, src serveSource) error {
	if o.MetricsListen == "" {
		return nil
	}
	ms, err := listenMetrics(ctx, o.MetricsListen, livemetrics.NewServeCollector(src))
	if err != nil {
		return fmt.Errorf("serve: --metrics-listen: %w", err)
	}
	if !o.Announce {
		fmt.Fprintf(o.Stdout, "metrics: http://%s/metrics\n", ms.Addr())
	}
	return nil
}

// Serve runs the server-under-test until ctx is done: in this process, or
// as a group of worker processes sharing one port, with this process
// serving the control API for all of them.
func Serve(ctx context.Context, cfg sut.Config, o ServeOptions) error {
	if o.Workers > 1 {
		return serveGroup(ctx, cfg, o)
	}
	srv, err := sut.New(cfg, o.Stderr)
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := serveMetrics(ctx, o, serveSource{workers: 1, stats: func() (sut.Stats, error) { return srv.Stats(), nil }}); err != nil {
		_ = srv.Shutdown(context.Background())
		return err
	}
	rc := srv.Config()
	wsURL := rc.Scheme() + "://" + srv.Addr() + rc.Path
	ctlURL := rc.ControlScheme() + "://" + srv.ControlAddr()
	if o.Announce {
		announce(o.Stdout, announcement{WS: wsURL, Control: ctlURL, PID: os.Getpid()})
	} else {
		fmt.Fprintf(o.Stdout, "stormbench serve: listening on %s\n", wsURL)
		fmt.Fprint(o.Stdout, controlLine(ctlURL, rc.ControlToken, o.TokenFrom))
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}

// ServeChild is the body of a server process started by a coordinator
// (the embedded server, or a worker of a server group): it reads its
// settings as one JSON line from stdin, the token from TokenEnv, and
// announces itself on stdout. It also stops when stdin closes: its parent
// is gone.
func ServeChild(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer) error {
	br := bufio.NewReader(stdin)
	line, err := br.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("serve child: read settings: %w", err)
	}
	var spec serveSpec
	if err := json.Unmarshal(line, &spec); err != nil {
		return fmt.Errorf("serve child: settings: %w", err)
	}
	cfg := spec.Config
	cfg.ControlToken = os.Getenv(TokenEnv)
	if cfg.ControlToken == "" {
		return errors.New("serve child: no control token in " + TokenEnv)
	}
	if spec.SeriesStartUnixNs != 0 {
		cfg.SeriesStart = time.Unix(0, spec.SeriesStartUnixNs)
	}
	if err := withTLSMaterial(&cfg, spec.TLS); err != nil {
		return fmt.Errorf("serve child: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		// EOF on stdin: the parent exited (or closed it to stop us).
		_, _ = io.Copy(io.Discard, br)
		cancel()
	}()
	return Serve(ctx, cfg, ServeOptions{Workers: spec.Workers, Announce: true, Stdout: stdout, Stderr: stderr})
}

func announce(w io.Writer, a announcement) {
	b, _ := json.Marshal(a)
	fmt.Fprintln(w, string(b))
}
