package stomp

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// rabbitServer is Debian's rabbitmq-server script.
const rabbitServer = "/usr/lib/rabbitmq/bin/rabbitmq-server"

// startRabbit starts a RabbitMQ node with web-STOMP on a free loopback
// port, everything it writes in a temporary directory, its own epmd on
// another free port; or skips the test. It returns the ws:// URL.
func startRabbit(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts RabbitMQ: not with -short")
	}
	if _, err := os.Stat(rabbitServer); err != nil {
		t.Skip("rabbitmq-server is not installed (apt-get install rabbitmq-server)")
	}
	epmd, err := exec.LookPath("epmd")
	if err != nil {
		t.Skip("epmd (Erlang) is not installed")
	}
	ports := freePorts(t, 3)
	dir := t.TempDir()
	conf := writeConfig(t, "rabbitmq.conf", dir, "@WS_PORT@", strconv.Itoa(ports[0]))
	plugins := writeConfig(t, "enabled_plugins", dir)
	cmd := exec.Command(rabbitServer)
	cmd.Env = append(os.Environ(),
		"HOME="+dir,
		"RABBITMQ_NODENAME=stormbench-test-"+strconv.Itoa(os.Getpid())+"@localhost",
		"RABBITMQ_NODE_IP_ADDRESS=127.0.0.1",
		"RABBITMQ_DIST_PORT="+strconv.Itoa(ports[1]),
		"RABBITMQ_CONFIG_FILE="+conf,
		"RABBITMQ_ENABLED_PLUGINS_FILE="+plugins,
		"RABBITMQ_MNESIA_BASE="+filepath.Join(dir, "mnesia"),
		"RABBITMQ_LOG_BASE="+filepath.Join(dir, "log"),
		"RABBITMQ_PID_FILE="+filepath.Join(dir, "rabbitmq.pid"),
		// epmd and Erlang distribution on loopback, epmd on a port of the
		// test's own so that it can be stopped with the node.
		"ERL_EPMD_ADDRESS=127.0.0.1",
		"ERL_EPMD_PORT="+strconv.Itoa(ports[2]),
		"RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}",
	)
	logf := filepath.Join(dir, "server.log")
	out, err := os.Create(logf)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start RabbitMQ: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the node's process group
		<-exited
		out.Close()
		// epmd refuses to stop while it still counts the node as alive,
		// for a moment after the kill.
		for range 50 {
			out, _ := exec.Command(epmd, "-port", strconv.Itoa(ports[2]), "-kill").CombinedOutput()
			if strings.Contains(string(out), "Killed") || strings.Contains(string(out), "Cannot connect") {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if t.Failed() {
			b, _ := os.ReadFile(logf)
			t.Logf("RabbitMQ's output:\n%s", b)
		}
	})
	// A cold start of the node takes 10-30 s on a loaded 2-core machine.
	if err := waitPort(ports[0], 90*time.Second, exited); err != nil {
		t.Fatalf("RabbitMQ: %v", err)
	}
	return fmt.Sprintf("ws://127.0.0.1:%d/ws", ports[0])
}

// publish SENDs {"seq":n} to /topic/ticks every d over a STOMP connection
// of its own, until the test ends.
func publish(t *testing.T, url string, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	nc, _, _, err := ws.Dialer{Protocols: []string{"v12.stomp"}}.Dial(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	wsutil.WriteClientText(nc, []byte("CONNECT\naccept-version:1.2\nhost:/\nheart-beat:0,0\n\n\x00"))
	if msg, err := wsutil.ReadServerText(nc); err != nil || !strings.HasPrefix(string(msg), "CONNECTED") {
		t.Fatalf("publisher: %q %v", msg, err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	t.Cleanup(func() { close(stop); <-done; nc.Close() })
	go func() {
		defer close(done)
		tk := time.NewTicker(d)
		defer tk.Stop()
		for seq := 1; ; seq++ {
			select {
			case <-stop:
				return
			case <-tk.C:
			}
			f := fmt.Sprintf("SEND\ndestination:/topic/ticks\ncontent-type:application/json\n\n{\"seq\":%d}\x00", seq)
			if err := wsutil.WriteClientText(nc, []byte(f)); err != nil {
				return
			}
		}
	}()
}

// seqs reads the seq of every data message recorded.
func seqs(t *testing.T, l *live) []int {
	var out []int
	for _, d := range l.Datums {
		var v struct{ Seq int }
		if err := json.Unmarshal([]byte(d.Payload), &v); err != nil {
			t.Fatalf("data %q: %v", d.Payload, err)
		}
		out = append(out, v.Seq)
	}
	return out
}

// TestRabbitMQ runs the profile against RabbitMQ's web-STOMP: join, ready
// at the RECEIPT, data, heart-beats held past the broker's detection, a
// refused CONNECT and a refused SUBSCRIBE.
func TestRabbitMQ(t *testing.T) {
	url := startRabbit(t)
	publish(t, url, 100*time.Millisecond)
	ticks := []*template.Template{tmpl(t, "/topic/ticks")}

	t.Run("ready, data, heart-beats held", func(t *testing.T) {
		t.Parallel()
		p := mustNew(t, profile.Config{Join: ticks, HeartbeatInterval: time.Second, Auth: tmpl(t, "guest:guest")})
		l := dial(t, url, p, 1)
		st := &profile.State{}
		p.Open(l, st)
		if ok, closed := l.Drive(p, st, time.Second, 10*time.Second, func() bool { return st.Ready }); !ok {
			t.Fatalf("not ready (closed %v, %v):\n%s", closed, l.Err(), l)
		}
		if e := l.Events[0]; e.HeartbeatTimeout != 2*time.Second {
			t.Errorf("CONNECTED: %s, want timeout 2s (RabbitMQ agrees to 1000,1000)", describe(e))
		}
		if _, closed := l.Drive(p, st, time.Second, 6*time.Second, nil); closed {
			t.Fatalf("the broker closed the connection (%v):\n%s", l.Err(), l)
		}
		s := seqs(t, l)
		if len(s) < 20 {
			t.Errorf("%d ticks in 6 s, want about 60", len(s))
		}
		for i := 1; i < len(s); i++ {
			if s[i] != s[i-1]+1 {
				t.Errorf("ticks out of order: %v", s)
				break
			}
		}
		for _, e := range l.Events {
			if e.Kind != profile.Other && e.Kind != profile.Ready && e.Kind != profile.ServerPing {
				t.Errorf("event %s", describe(e))
			}
		}
	})

	t.Run("no heart-beats from the client: the broker closes (the control of the test above)", func(t *testing.T) {
		t.Parallel()
		p := mustNew(t, profile.Config{Join: ticks, HeartbeatInterval: time.Second})
		l := dial(t, url, p, 2)
		st := &profile.State{}
		p.Open(l, st)
		if ok, _ := l.Drive(p, st, 0, 10*time.Second, func() bool { return st.Ready }); !ok {
			t.Fatalf("not ready:\n%s", l)
		}
		start := time.Now()
		if _, closed := l.Drive(p, st, 0, 10*time.Second, nil); !closed {
			t.Fatalf("open 10 s after the last heart-beat of the client, want closed after a few")
		}
		t.Logf("closed %v after the SUBSCRIBE", time.Since(start).Round(time.Millisecond))
	})

	for _, tc := range []struct {
		name, join, auth, want string
	}{
		{"refused CONNECT: bad passcode", "/topic/ticks", "guest:nope", "refused Bad CONNECT"},
		{"refused SUBSCRIBE: unknown destination", "/bogus/x", "", "refused Unknown destination"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := profile.Config{Join: []*template.Template{tmpl(t, tc.join)}, HeartbeatInterval: 10 * time.Second}
			if tc.auth != "" {
				cfg.Auth = tmpl(t, tc.auth)
			}
			p := mustNew(t, cfg)
			l := dial(t, url, p, 3)
			st := &profile.State{}
			p.Open(l, st)
			if ok, _ := l.Drive(p, st, 0, 10*time.Second, func() bool { return l.Has(profile.Refused) }); !ok {
				t.Fatalf("not refused:\n%s", l)
			}
			if got := describe(l.Events[len(l.Events)-1]); got != tc.want {
				t.Errorf("%s, want %s", got, tc.want)
			}
		})
	}
}
