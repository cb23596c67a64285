package mqtt

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
)

// live is a minimal client of the test's own: one WebSocket connection
// driven by a profile, recording what it did (profiletest.Conn) and
// writing what the profile sends to the wire.
type live struct {
	*profiletest.Conn
	t    *testing.T
	nc   net.Conn
	msgs chan wsMsg
	err  error // the connection's end, once msgs is closed
}

type wsMsg struct {
	op   ws.OpCode
	data []byte
}

// dial connects to url offering the profile's subprotocols.
func dial(t *testing.T, url string, p profile.Profile, client uint64) *live {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	nc, br, hs, err := ws.Dialer{Protocols: p.Subprotocols()}.Dial(ctx, url)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	if want := p.Subprotocols()[0]; hs.Protocol != want {
		t.Fatalf("server chose subprotocol %q, want %q", hs.Protocol, want)
	}
	l := &live{Conn: &profiletest.Conn{}, t: t, nc: nc, msgs: make(chan wsMsg, 1024)}
	l.V.Client = client
	var r io.Reader = nc
	if br != nil {
		r = io.MultiReader(br, nc)
	}
	go func() {
		rw := struct {
			io.Reader
			io.Writer
		}{bufio.NewReader(r), nc}
		for {
			data, op, err := wsutil.ReadServerData(rw)
			if err != nil {
				l.err = err
				close(l.msgs)
				return
			}
			l.msgs <- wsMsg{op, data}
		}
	}()
	t.Cleanup(func() { nc.Close() })
	return l
}

// Send implements profile.Conn: record, then write.
func (l *live) Send(kind profile.Traffic, op ws.OpCode, payload []byte) {
	if err := wsutil.WriteClientMessage(l.nc, op, payload); err != nil {
		l.t.Errorf("send: %v", err)
	}
	l.Conn.Send(kind, op, payload)
}

// drive hands the server's messages to p, pings every ping (0: never),
// until done says so (true) or d passes (false). closed reports whether
// the server ended the connection meanwhile.
func (l *live) drive(p profile.Profile, st *profile.State, ping, d time.Duration, done func() bool) (ok, closed bool) {
	end := time.NewTimer(d)
	defer end.Stop()
	var tick <-chan time.Time
	if ping > 0 {
		tk := time.NewTicker(ping)
		defer tk.Stop()
		tick = tk.C
	}
	for done == nil || !done() {
		select {
		case m, open := <-l.msgs:
			if !open {
				return false, true
			}
			p.Receive(l, st, m.op, m.data)
		case <-tick:
			p.Ping(l, st)
		case <-end.C:
			return false, false
		}
	}
	return true, false
}

// has reports whether an event of kind k was recorded.
func (l *live) has(k profile.EventKind) bool { return l.count(k) > 0 }

func (l *live) count(k profile.EventKind) int {
	n := 0
	for _, e := range l.Events {
		if e.Kind == k {
			n++
		}
	}
	return n
}

// freePorts returns n loopback ports free right now.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// waitPort waits until 127.0.0.1:port accepts connections, or the process
// exits, or d passes.
func waitPort(port int, d time.Duration, exited <-chan struct{}) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("the server exited")
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("127.0.0.1:%d not accepting after %v", port, d)
}

// startProcess starts name with args, ends it (and waits) when the test
// ends, and returns it with a channel closed when it exits.
func startProcess(t *testing.T, logf string, name string, args ...string) (*exec.Cmd, <-chan struct{}) {
	t.Helper()
	cmd := exec.Command(name, args...)
	out, err := os.Create(logf)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); out.Close(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			b, _ := os.ReadFile(logf)
			t.Logf("%s's output:\n%s", name, b)
		}
	})
	return cmd, exited
}

// writeConfig copies testdata/name into dir with the placeholders
// replaced.
func writeConfig(t *testing.T, name, dir string, repl ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(strings.NewReplacer(repl...).Replace(string(b))), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
