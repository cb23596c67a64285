package signalr

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/livetest"
	"github.com/stormbench/stormbench/internal/profile/signalr/signalrtest"
	"github.com/stormbench/stormbench/internal/template"
)

// startServer starts the SignalR test hub (signalrtest: written to the
// hub protocol, since ASP.NET Core cannot be installed here) invoking
// "tick" every tick, pinging every keepAlive and closing a client silent
// for clientTimeout; it stops when the test ends.
func startServer(t *testing.T, tick, keepAlive, clientTimeout time.Duration) *signalrtest.Server {
	t.Helper()
	srv, err := signalrtest.Start("127.0.0.1:0", signalrtest.Options{Tick: tick, KeepAlive: keepAlive, ClientTimeout: clientTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// TestServer: the profile handshakes, receives invocations and server
// pings, and keeps the connection alive with its own pings for several
// times the server's client timeout; a silent client is closed; a refused
// handshake is Refused and a close message allowing a reconnect is
// Goodbye.
func TestServer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a server")
	}
	const clientTimeout = 600 * time.Millisecond
	srv := startServer(t, 20*time.Millisecond, 150*time.Millisecond, clientTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	p := mustNew(t, config(t, nil))

	c, err := livetest.Dial(ctx, p, srv.URL(), template.Vars{Client: 1}, profile.State{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stop := make(chan struct{})
	defer close(stop)
	go c.Heartbeats(clientTimeout/3, stop)
	// 90 ticks of 20 ms: three times the client timeout.
	s, ok := c.Wait(10*time.Second, func(s livetest.Snapshot) bool {
		return len(s.Datums) >= 90 && s.Count(profile.ServerPing) >= 3
	})
	if !ok {
		t.Fatalf("%d invocations, %d pings; closed %v %d: %+v", len(s.Datums), s.Count(profile.ServerPing), s.Closed, s.Code, s.Events[:min(len(s.Events), 5)])
	}
	if s.Events[0].Kind != profile.Ready || s.Count(profile.Ready)+s.Count(profile.ServerPing) != len(s.Events) {
		t.Errorf("events %+v: want ready, then server pings", s.Events)
	}
	if first, last := livetest.SeqOf(s.Datums[0].Payload), livetest.SeqOf(s.Datums[89].Payload); first < 1 || last != first+89 {
		t.Errorf("invocations %q … %q: want 90 in a row", s.Datums[0].Payload, s.Datums[89].Payload)
	}
	t.Logf("%d invocations, %d server pings, %d messages sent over %v of client timeout", len(s.Datums), s.Count(profile.ServerPing), len(s.Sent), clientTimeout)

	// Without pings the server closes the client: the rule is real.
	q, err := livetest.Dial(ctx, p, srv.URL(), template.Vars{Client: 2}, profile.State{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if s, _ := q.Wait(5*time.Second, func(s livetest.Snapshot) bool { return s.Closed }); !s.Closed || s.Count(profile.Goodbye) != 1 {
		t.Errorf("a silent client: closed %v, events %+v", s.Closed, s.Events)
	}

	r, err := livetest.Dial(ctx, p, srv.URL()+"?refuse=1", template.Vars{}, profile.State{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if s, ok := r.Wait(5*time.Second, func(s livetest.Snapshot) bool { return s.Count(profile.Refused) > 0 }); !ok || s.State.Ready {
		t.Errorf("refused handshake: %+v", s.Events)
	}

	b, err := livetest.Dial(ctx, p, srv.URL()+"?bye=5", template.Vars{}, profile.State{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, ok = b.Wait(5*time.Second, func(s livetest.Snapshot) bool { return s.Count(profile.Goodbye) > 0 })
	if e := s.Events[len(s.Events)-1]; !ok || e.Reconnect != 1 || string(e.Reason) != "Server is shutting down." || len(s.Datums) != 4 {
		t.Errorf("shutdown: %d invocations, events %+v", len(s.Datums), s.Events)
	}
}

// TestReferenceClient checks the test server against @microsoft/signalr
// itself: with STORMBENCH_NODE_MODULES naming a node_modules folder that
// holds @microsoft/signalr and ws (npm install @microsoft/signalr ws), the
// JavaScript client connects without negotiation, receives invocations
// and keeps the connection past the client timeout with its keep-alive.
func TestReferenceClient(t *testing.T) {
	mods := os.Getenv("STORMBENCH_NODE_MODULES")
	node, err := exec.LookPath("node")
	if mods == "" || err != nil {
		t.Skip("needs node and STORMBENCH_NODE_MODULES (a node_modules folder with @microsoft/signalr and ws)")
	}
	if _, err := os.Stat(filepath.Join(mods, "@microsoft", "signalr", "package.json")); err != nil {
		t.Skipf("no @microsoft/signalr package in %s", mods)
	}
	srv := startServer(t, 20*time.Millisecond, 150*time.Millisecond, 600*time.Millisecond)
	script := `
const WebSocket = require('ws');
const signalR = require('@microsoft/signalr');
const conn = new signalR.HubConnectionBuilder()
  .withUrl(process.argv[2].replace(/^ws/, 'http'), { skipNegotiation: true, transport: signalR.HttpTransportType.WebSockets, WebSocket })
  .configureLogging(signalR.LogLevel.Warning).build();
conn.keepAliveIntervalInMilliseconds = 200;
let ticks = 0, closed = false;
conn.on('tick', () => { ticks++; });
conn.onclose(() => { closed = true; });
conn.start();
const timer = setInterval(() => {
  if (ticks >= 90 && !closed) { console.log(JSON.stringify({ ticks, closed })); process.exit(0); }
}, 20);
setTimeout(() => { console.log(JSON.stringify({ ticks, closed })); process.exit(1); }, 8000);
`
	f := filepath.Join(t.TempDir(), "client.js")
	if err := os.WriteFile(f, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, f, srv.URL())
	cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("@microsoft/signalr against the test server: %v\n%s", err, out)
	}
	t.Logf("@microsoft/signalr: %s", out)
}
