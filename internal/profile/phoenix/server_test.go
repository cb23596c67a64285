package phoenix

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/livetest"
	"github.com/stormbench/stormbench/internal/profile/phoenix/phoenixtest"
	"github.com/stormbench/stormbench/internal/template"
)

// startServer starts the Phoenix test endpoint (phoenixtest: written to
// the protocol, since Phoenix itself cannot be installed here) with
// room:lobby broadcast every tick and sockets dropped after timeout of
// silence; it stops when the test ends.
func startServer(t *testing.T, tick, timeout time.Duration) *phoenixtest.Server {
	t.Helper()
	srv, err := phoenixtest.Start("127.0.0.1:0", phoenixtest.Options{Tick: tick, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// TestServer: the profile joins, receives broadcasts and keeps the
// connection alive with its heartbeat for several times the server's
// timeout; a client that does not beat is dropped; a refused join is
// Refused; after a lost connection the client rejoins.
func TestServer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a server")
	}
	const timeout = 600 * time.Millisecond
	srv := startServer(t, 20*time.Millisecond, timeout)
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
	go c.Heartbeats(timeout/3, stop)
	// 90 ticks of 20 ms: three times the server's timeout.
	s, ok := c.Wait(10*time.Second, func(s livetest.Snapshot) bool {
		return len(s.Datums) >= 90 && s.Count(profile.Pong) >= 6
	})
	if !ok {
		t.Fatalf("%d broadcasts, %d pongs; closed %v %d: %+v", len(s.Datums), s.Count(profile.Pong), s.Closed, s.Code, s.Events[:min(len(s.Events), 5)])
	}
	if s.Events[0].Kind != profile.Ready || s.Count(profile.Ready) != 1 || s.Count(profile.Other) > 1 {
		t.Errorf("events %+v: want ready, then pongs (a late reply at most)", s.Events)
	}
	if first, last := livetest.SeqOf(s.Datums[0].Payload), livetest.SeqOf(s.Datums[89].Payload); first < 1 || last != first+89 {
		t.Errorf("broadcasts %q … %q: want 90 in a row", s.Datums[0].Payload, s.Datums[89].Payload)
	}
	t.Logf("%d broadcasts, %d heartbeats answered over %v of server timeout", len(s.Datums), s.Count(profile.Pong), timeout)

	// Without heartbeats the server drops the client: the rule is real.
	q, err := livetest.Dial(ctx, p, srv.URL(), template.Vars{Client: 2}, profile.State{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if s, _ := q.Wait(5*time.Second, func(s livetest.Snapshot) bool { return s.Closed }); !s.Closed || !s.State.Ready {
		t.Errorf("a silent client: closed %v, ready %v", s.Closed, s.State.Ready)
	}

	// Refusals.
	for topic, want := range map[string]string{"room:secret": `{"reason":"unauthorized"}`, "room:none": `{"reason":"unmatched topic"}`} {
		r, err := livetest.Dial(ctx, mustNew(t, config(t, func(c *profile.Config) { c.Join[0] = tmpl(t, topic) })), srv.URL(), template.Vars{}, profile.State{})
		if err != nil {
			t.Fatal(err)
		}
		s, ok := r.Wait(5*time.Second, func(s livetest.Snapshot) bool { return s.Count(profile.Refused) > 0 })
		r.Close()
		if !ok || string(s.Events[0].Reason) != want {
			t.Errorf("%s: events %+v, want refused %s", topic, s.Events, want)
		}
	}
	sec := mustNew(t, config(t, func(c *profile.Config) {
		c.Join[0] = tmpl(t, "room:secret")
		c.Auth = tmpl(t, `{"token":"sesame"}`)
	}))
	a, err := livetest.Dial(ctx, sec, srv.URL(), template.Vars{}, profile.State{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if s, ok := a.Wait(5*time.Second, func(s livetest.Snapshot) bool { return s.State.Ready }); !ok {
		t.Errorf("join with the token: %+v", s.Events)
	}

	// The connection is lost; the next one joins again.
	c.Drop()
	c2, err := livetest.Dial(ctx, p, srv.URL(), template.Vars{Client: 1}, c.State())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if s, ok := c2.Wait(5*time.Second, func(s livetest.Snapshot) bool { return s.State.Ready && len(s.Datums) > 0 }); !ok {
		t.Errorf("after a reconnect: %+v", s.Events)
	} else if s.Sent[0].Payload != joinSent {
		t.Errorf("rejoin sent %q", s.Sent[0].Payload)
	}
}

// TestReferenceClient checks the test server against phoenix.js itself:
// with STORMBENCH_NODE_MODULES naming a node_modules folder that holds
// phoenix and ws (npm install phoenix ws), phoenix.js joins room:lobby,
// receives broadcasts and gets its heartbeats answered.
func TestReferenceClient(t *testing.T) {
	mods := os.Getenv("STORMBENCH_NODE_MODULES")
	node, err := exec.LookPath("node")
	if mods == "" || err != nil {
		t.Skip("needs node and STORMBENCH_NODE_MODULES (a node_modules folder with phoenix and ws)")
	}
	if _, err := os.Stat(filepath.Join(mods, "phoenix", "package.json")); err != nil {
		t.Skipf("no phoenix package in %s", mods)
	}
	srv := startServer(t, 20*time.Millisecond, time.Second)
	script := `
const WebSocket = require('ws'); global.WebSocket = WebSocket;
const { Socket } = require('phoenix');
const socket = new Socket(process.argv[2], { heartbeatIntervalMs: 200 });
let beats = 0, ticks = 0, joined = false;
socket.onMessage((m) => { if (m.topic === 'phoenix' && m.event === 'phx_reply') beats++; });
socket.connect();
const ch = socket.channel('room:lobby', {});
ch.on('tick', () => { ticks++; });
ch.join().receive('ok', () => { joined = true; });
const timer = setInterval(() => {
  if (joined && ticks >= 20 && beats >= 3) { console.log(JSON.stringify({ joined, ticks, beats })); process.exit(0); }
}, 20);
setTimeout(() => { console.log(JSON.stringify({ joined, ticks, beats })); process.exit(1); }, 5000);
`
	f := filepath.Join(t.TempDir(), "client.js")
	if err := os.WriteFile(f, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, f, srv.URL())
	cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("phoenix.js against the test server: %v\n%s", err, out)
	}
	t.Logf("phoenix.js: %s", out)
}
