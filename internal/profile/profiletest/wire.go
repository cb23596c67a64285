package profiletest

import (
	"bufio"
	"context"
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
)

// Wire is a minimal client of a test's own, for a profile's tests against
// a real server: one WebSocket connection driven by the profile, in the
// test's goroutine, recording what it did (Conn) and writing what the
// profile sends to the wire.
type Wire struct {
	*Conn
	t    *testing.T
	nc   net.Conn
	msgs chan wireMsg
	err  error // the connection's end, once msgs is closed
}

// Drop closes the connection without a close frame or a goodbye, as a
// network failure does.
func (l *Wire) Drop() { l.nc.Close() }

// Err is how the connection ended, once Drive reported it closed.
func (l *Wire) Err() error { return l.err }

type wireMsg struct {
	op   ws.OpCode
	data []byte
}

// DialWire connects to url offering the profile's subprotocols, as
// client number client; the connection is closed when the test ends.
func DialWire(t *testing.T, url string, p profile.Profile, client uint64) *Wire {
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
	l := &Wire{Conn: &Conn{}, t: t, nc: nc, msgs: make(chan wireMsg, 1024)}
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
			l.msgs <- wireMsg{op, data}
		}
	}()
	t.Cleanup(func() { nc.Close() })
	return l
}

// Send implements profile.Conn: record, then write.
func (l *Wire) Send(kind profile.Traffic, op ws.OpCode, payload []byte) {
	if err := wsutil.WriteClientMessage(l.nc, op, payload); err != nil {
		l.t.Errorf("send: %v", err)
	}
	l.Conn.Send(kind, op, payload)
}

// Drive hands the server's messages to p, pings every ping (0: never),
// until done says so (true) or d passes (false). closed reports whether
// the server ended the connection meanwhile.
func (l *Wire) Drive(p profile.Profile, st *profile.State, ping, d time.Duration, done func() bool) (ok, closed bool) {
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

// Has reports whether an event of kind k was recorded.
func (l *Wire) Has(k profile.EventKind) bool { return l.Count(k) > 0 }

// Count returns how many events of kind k were recorded.
func (l *Wire) Count(k profile.EventKind) int { return countKind(l.Events, k) }

// FreePorts returns n loopback ports free right now.
func FreePorts(t *testing.T, n int) []int {
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

// StartProcess starts name with args, ends it (and waits) when the test
// ends, and returns it with a channel closed when it exits.
func StartProcess(t *testing.T, logf string, name string, args ...string) (*exec.Cmd, <-chan struct{}) {
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

// WriteConfig copies testdata/name into dir with the placeholders
// replaced.
func WriteConfig(t *testing.T, name, dir string, repl ...string) string {
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
