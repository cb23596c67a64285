package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stormbench/stormbench/internal/measure"
)

// startSocketIO starts the Socket.IO 4.8 target (scripts/targets/socketio)
// on free loopback ports with a short heartbeat, or skips the test when
// its npm packages are not installed. It returns the target's ws:// URL.
func startSocketIO(t *testing.T, env ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end against a real server")
	}
	dir, err := filepath.Abs(filepath.Join("..", "..", "scripts", "targets"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: the Socket.IO target needs Node 20 (then scripts/targets/socketio/install)")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "socket.io")); err != nil {
		t.Skip("the Socket.IO target is not installed: run scripts/targets/socketio/install")
	}
	port, stats := freePort(t), freePort(t)
	env = append(os.Environ(), append([]string{"SOCKETIO_PORT=" + strconv.Itoa(port), "SOCKETIO_STATS_PORT=" + strconv.Itoa(stats),
		"TARGETS_RUN_DIR=" + t.TempDir()}, env...)...)
	start := exec.Command(filepath.Join(dir, "socketio", "start"))
	start.Env = env
	out, err := start.Output()
	if err != nil {
		t.Fatalf("start the Socket.IO target: %v", err)
	}
	t.Cleanup(func() {
		stop := exec.Command(filepath.Join(dir, "socketio", "stop"))
		stop.Env = env
		_ = stop.Run()
	})
	return strings.TrimSpace(string(out))
}

// TestMismatchWarning: clients that speak stormbench's protocol to a
// Socket.IO server are closed after every ping timeout; the run says so,
// with the close codes, and names --protocol socketio. With it, the same
// server keeps every client and nothing is said.
func TestMismatchWarning(t *testing.T) {
	url := startSocketIO(t, "SOCKETIO_PING_INTERVAL=500", "SOCKETIO_PING_TIMEOUT=300", "TICK_MS=100")
	for _, tt := range []struct {
		name  string
		extra []string
		warn  bool
	}{
		{"without --protocol", nil, true},
		{"with --protocol socketio", []string{"--protocol", "socketio"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			var so, se bytes.Buffer
			args := append([]string{"run", "--quiet", "--out", out, "--url", url, "--clients", "20", "--ramp-rate", "200",
				"--hold", "3s", "--fault", "none"}, tt.extra...)
			if err := dispatch(context.Background(), args, &so, &se); err != nil {
				t.Fatalf("run: %v\n%s", err, se.String())
			}
			_, sum := onlyResults(t, out)
			printed := so.String()
			if !tt.warn {
				if len(sum.Warnings) > 0 || strings.Contains(printed, "understand each other") {
					t.Fatalf("warnings %q with the right protocol", sum.Warnings)
				}
				if j := sum.Counters.Get(measure.Joins); j != 20 {
					t.Errorf("joins %d, want 20", j)
				}
				return
			}
			if len(sum.Counters.Keys(measure.CloseCodes)) == 0 {
				t.Errorf("no close codes recorded: %v", sum.Counters.Keys(measure.DisconnectCauses))
			}
			if !strings.Contains(printed, "WARNING") || !strings.Contains(printed, "--protocol socketio") || !strings.Contains(printed, "close codes") {
				t.Fatalf("no warning naming --protocol socketio and the close codes:\n%s", printed)
			}
		})
	}
}

// freePort returns a loopback port nobody listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
