package phoenix

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/livetest"
	"github.com/stormbench/stormbench/internal/template"
)

// testServer is a Phoenix endpoint reduced to what the profile meets,
// written to the protocol (Phoenix itself cannot be installed here): a
// socket at /socket/websocket that speaks only the V2 serializer (an
// upgrade without vsn=2.0.0 is refused), a channel on room:lobby that
// broadcasts [null,null,"room:lobby","tick",{"seq":n}] every tick to the
// sockets that joined it, room:secret refusing joins without
// {"token":"sesame"} with {"reason":"unauthorized"}, "unmatched topic"
// for any other topic, heartbeat replies, and the transport's rule that
// drops a socket the client was silent on for timeout.
type testServer struct {
	tick, timeout time.Duration
	url           string
}

func startServer(t *testing.T, tick, timeout time.Duration) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{tick: tick, timeout: timeout, url: "ws://" + ln.Addr().String() + "/socket"}
	srv := &http.Server{Handler: http.HandlerFunc(s.serve)}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *testServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/socket/websocket" || r.URL.Query().Get("vsn") != "2.0.0" {
		http.Error(w, "want /socket/websocket?vsn=2.0.0", http.StatusBadRequest)
		return
	}
	nc, _, _, err := ws.UpgradeHTTP(r, w)
	if err != nil {
		return
	}
	defer nc.Close()
	var wmu sync.Mutex
	send := func(v ...any) error {
		b, _ := json.Marshal(v)
		wmu.Lock()
		defer wmu.Unlock()
		return wsutil.WriteServerText(nc, b)
	}
	done := make(chan struct{})
	defer close(done)
	for {
		nc.SetReadDeadline(time.Now().Add(s.timeout))
		msg, op, err := wsutil.ReadClientData(nc)
		if err != nil {
			return // the timeout, or the client went
		}
		var m [5]json.RawMessage
		var joinRef, ref, topic, event *string
		if op != ws.OpText || json.Unmarshal(msg, &m) != nil ||
			json.Unmarshal(m[0], &joinRef) != nil || json.Unmarshal(m[1], &ref) != nil ||
			json.Unmarshal(m[2], &topic) != nil || json.Unmarshal(m[3], &event) != nil || topic == nil || event == nil {
			return
		}
		reply := func(status string, response any) {
			send(joinRef, ref, *topic, "phx_reply", map[string]any{"status": status, "response": response})
		}
		switch {
		case *topic == "phoenix" && *event == "heartbeat":
			reply("ok", map[string]any{})
		case *event == "phx_join" && *topic == "room:lobby":
			reply("ok", map[string]any{})
			go s.broadcast(send, done)
		case *event == "phx_join" && *topic == "room:secret":
			var payload struct{ Token string }
			if json.Unmarshal(m[4], &payload) != nil || payload.Token != "sesame" {
				reply("error", map[string]any{"reason": "unauthorized"})
			} else {
				reply("ok", map[string]any{})
			}
		case *event == "phx_join":
			joinRef = nil
			reply("error", map[string]any{"reason": "unmatched topic"})
		}
	}
}

func (s *testServer) broadcast(send func(...any) error, done chan struct{}) {
	tk := time.NewTicker(s.tick)
	defer tk.Stop()
	for seq := 1; ; seq++ {
		select {
		case <-done:
			return
		case <-tk.C:
			if send(nil, nil, "room:lobby", "tick", map[string]int{"seq": seq}) != nil {
				return
			}
		}
	}
}

// heartbeats calls c.Ping every interval until stop is closed.
func heartbeats(c *livetest.Client, interval time.Duration, stop chan struct{}) {
	tk := time.NewTicker(interval)
	defer tk.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tk.C:
			c.Ping()
		}
	}
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

	c, err := livetest.Dial(ctx, p, srv.url, template.Vars{Client: 1}, profile.State{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stop := make(chan struct{})
	defer close(stop)
	go heartbeats(c, timeout/3, stop)
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
	if s.Datums[0].Payload != `{"seq":1}` || s.Datums[89].Payload != `{"seq":90}` {
		t.Errorf("broadcasts %q … %q", s.Datums[0].Payload, s.Datums[89].Payload)
	}
	t.Logf("%d broadcasts, %d heartbeats answered over %v of server timeout", len(s.Datums), s.Count(profile.Pong), timeout)

	// Without heartbeats the server drops the client: the rule is real.
	q, err := livetest.Dial(ctx, p, srv.url, template.Vars{Client: 2}, profile.State{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if s, _ := q.Wait(5*time.Second, func(s livetest.Snapshot) bool { return s.Closed }); !s.Closed || !s.State.Ready {
		t.Errorf("a silent client: closed %v, ready %v", s.Closed, s.State.Ready)
	}

	// Refusals.
	for topic, want := range map[string]string{"room:secret": `{"reason":"unauthorized"}`, "room:none": `{"reason":"unmatched topic"}`} {
		r, err := livetest.Dial(ctx, mustNew(t, config(t, func(c *profile.Config) { c.Join[0] = tmpl(t, topic) })), srv.url, template.Vars{}, profile.State{})
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
	a, err := livetest.Dial(ctx, sec, srv.url, template.Vars{}, profile.State{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if s, ok := a.Wait(5*time.Second, func(s livetest.Snapshot) bool { return s.State.Ready }); !ok {
		t.Errorf("join with the token: %+v", s.Events)
	}

	// The connection is lost; the next one joins again.
	c.Drop()
	c2, err := livetest.Dial(ctx, p, srv.url, template.Vars{Client: 1}, c.State())
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
	cmd := exec.Command(node, f, srv.url)
	cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("phoenix.js against the test server: %v\n%s", err, out)
	}
	t.Logf("phoenix.js: %s", out)
}
