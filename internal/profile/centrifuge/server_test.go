package centrifuge

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/livetest"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
	"github.com/stormbench/stormbench/internal/template"
)

// server is a running server speaking the Centrifugo protocol.
type server struct {
	url       string
	channel   string // gets {"seq":n} every 50 ms, recoverable on request
	forbidden string // a channel the client may not subscribe to
	ping      time.Duration
}

// TestCentrifugeLibrary runs the profile against a server built on the
// centrifuge library (testdata/server), built here: the protocol's own
// implementation, with a ping every second and a pong timeout of 500 ms.
func TestCentrifugeLibrary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a server")
	}
	bin := buildTestServer(t)
	srv := startLibraryServer(t, bin)
	testServer(t, srv)
}

// TestCentrifugo runs the profile against Centrifugo itself when
// STORMBENCH_CENTRIFUGO names its binary (go install
// github.com/centrifugal/centrifugo/v6@v6.9.1 builds it in several
// minutes), with a ping every second and a pong timeout of 500 ms.
func TestCentrifugo(t *testing.T) {
	bin := os.Getenv("STORMBENCH_CENTRIFUGO")
	if bin == "" {
		t.Skip("STORMBENCH_CENTRIFUGO does not name a Centrifugo binary")
	}
	if testing.Short() {
		t.Skip("runs a server")
	}
	testServer(t, startCentrifugo(t, bin))
}

// testServer joins, takes data and answers the server's pings for longer
// than its pong timeout, loses the connection and recovers what it
// missed, and is refused a channel and a token.
func testServer(t *testing.T, srv server) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	p := mustNew(t, profile.Config{Join: []*template.Template{tmpl(t, srv.channel)}, Resume: true})

	c, err := livetest.Dial(ctx, p, srv.url, template.Vars{Client: 1}, profile.State{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Three pings answered: the server's pong timeout passed three times.
	s, ok := c.Wait(5*srv.ping+5*time.Second, func(s livetest.Snapshot) bool {
		return s.Count(profile.ServerPing) >= 3 && len(s.Datums) >= 5
	})
	if !ok {
		t.Fatalf("not ready with data and three pings: closed %v (%d %q)\n%+v", s.Closed, s.Code, s.Reason, s.Events)
	}
	if s.Count(profile.Ready) != 1 || s.Events[0].HeartbeatTimeout != srv.ping+maxServerPingDelay {
		t.Errorf("events %+v: want a connect reply announcing %v, then ready", s.Events, srv.ping)
	}
	if n := s.Count(profile.Malformed) + s.Count(profile.Unrecognised); n > 0 {
		t.Errorf("%d messages not understood: %+v", n, s.Events)
	}
	pongs := 0
	for _, m := range s.Sent {
		if m.Kind == profile.SendPong {
			pongs++
		}
	}
	if pongs < 3 {
		t.Errorf("%d pongs sent for %d pings", pongs, s.Count(profile.ServerPing))
	}
	checkContiguous(t, s.Datums)
	last := s.Datums[len(s.Datums)-1].Seq

	// The connection is lost while publications go on (a second client
	// sees three of them); the next connection recovers them.
	c.Drop()
	w, err := livetest.Dial(ctx, mustNew(t, profile.Config{Join: []*template.Template{tmpl(t, srv.channel)}}), srv.url, template.Vars{Client: 2}, profile.State{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if s, ok := w.Wait(5*time.Second, func(s livetest.Snapshot) bool {
		return len(s.Datums) >= 2 && s.Datums[len(s.Datums)-1].Seq >= last+3
	}); !ok {
		t.Fatalf("the watcher saw %d publications", len(s.Datums))
	}
	st := c.State()
	c2, err := livetest.Dial(ctx, p, srv.url, template.Vars{Client: 1}, st)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	s, ok = c2.Wait(5*time.Second, func(s livetest.Snapshot) bool { return len(s.Datums) >= 5 })
	if !ok {
		t.Fatalf("no data after the reconnect: %+v", s.Events)
	}
	if !strings.Contains(s.Sent[0].Payload, fmt.Sprintf(`"recover":true,"offset":%d,`, last)) {
		t.Errorf("reconnect did not ask to recover from %d: %q", last, s.Sent[0].Payload)
	}
	if s.Datums[0].Seq != last+1 {
		t.Errorf("first publication after the reconnect at %d, want %d (recovered)", s.Datums[0].Seq, last+1)
	}
	checkContiguous(t, s.Datums)
	t.Logf("%d pings answered; dropped at offset %d, recovered from %d on", pongs, last, s.Datums[0].Seq)

	// Refusals.
	r, err := livetest.Dial(ctx, mustNew(t, profile.Config{Join: []*template.Template{tmpl(t, srv.forbidden)}}), srv.url, template.Vars{}, profile.State{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if s, ok := r.Wait(5*time.Second, func(s livetest.Snapshot) bool { return s.Count(profile.Refused) > 0 }); !ok {
		t.Errorf("subscription to %s not refused: %+v", srv.forbidden, s.Events)
	} else if e := s.Events[len(s.Events)-1]; e.Code != 103 || e.Reconnect != -1 {
		t.Errorf("refusal %+v, want 103 permission denied, final", e)
	}
	b, err := livetest.Dial(ctx, mustNew(t, profile.Config{Join: []*template.Template{tmpl(t, srv.channel)}, Auth: tmpl(t, "bad")}), srv.url, template.Vars{}, profile.State{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if s, _ := b.Wait(5*time.Second, func(s livetest.Snapshot) bool { return s.Closed }); s.Code != 3500 || s.State.Ready {
		t.Errorf("a bad token: close %d %q, ready %v; want 3500 invalid token", s.Code, s.Reason, s.State.Ready)
	}
}

// checkContiguous checks that the publications' offsets follow each
// other.
func checkContiguous(t *testing.T, ds []profiletest.Datum) {
	t.Helper()
	for i, d := range ds {
		if !d.HasSeq || i > 0 && d.Seq != ds[i-1].Seq+1 {
			t.Fatalf("publication %d at %d/%v after %d: %q", i, d.Seq, d.HasSeq, ds[max(i-1, 0)].Seq, d.Payload)
		}
	}
}

// buildTestServer builds testdata/server (its own module) or skips the
// test when it cannot be built (no Go toolchain, modules not available).
func buildTestServer(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the test server")
	}
	bin := filepath.Join(t.TempDir(), "server")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", bin, ".")
	cmd.Dir = filepath.Join("testdata", "server")
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("cannot build the centrifuge test server (testdata/server): %v\n%s", err, tail(out))
	}
	return bin
}

func tail(b []byte) []byte {
	if len(b) > 2000 {
		return b[len(b)-2000:]
	}
	return b
}

// startLibraryServer starts the test server and waits for its address.
func startLibraryServer(t *testing.T, bin string) server {
	t.Helper()
	cmd := exec.Command(bin, "-ping", "1s", "-pong", "500ms", "-tick", "50ms", "-channel", "ticks")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.Bytes())
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		t.Fatalf("test server said %q (%v)", line, err)
	}
	return server{url: "ws://" + addr + "/connection/websocket", channel: "ticks", forbidden: "forbidden", ping: time.Second}
}

// startCentrifugo starts Centrifugo on free loopback ports, anonymous
// clients allowed, channels without a namespace recoverable on request
// (history of 1000) and the namespace secret closed to clients, and
// publishes {"seq":n} to channel ticks every 50 ms through its HTTP API.
func startCentrifugo(t *testing.T, bin string) server {
	t.Helper()
	port, apiPort := freePort(t), freePort(t)
	const key = "stormbench-test"
	cfg := map[string]any{
		"http_server": map[string]any{"address": "127.0.0.1", "port": port, "internal_address": "127.0.0.1", "internal_port": fmt.Sprint(apiPort)},
		"log":         map[string]any{"level": "error"},
		"usage_stats": map[string]any{"disabled": true},
		"client": map[string]any{
			"allowed_origins": []string{"*"}, "allow_anonymous_connect_without_token": true,
			"ping_interval": "1s", "pong_timeout": "500ms",
			"token": map[string]any{"hmac_secret_key": "stormbench-test-secret"},
		},
		"channel": map[string]any{
			"without_namespace": map[string]any{
				"history_size": 1000, "history_ttl": "60s", "allow_recovery": true,
				"allow_subscribe_for_anonymous": true, "allow_subscribe_for_client": true,
			},
			"namespaces": []any{map[string]any{"name": "secret"}},
		},
		"http_api": map[string]any{"key": key},
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "config.json")
	data, _ := json.Marshal(cfg)
	if err := os.WriteFile(conf, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", conf)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	t.Cleanup(func() {
		close(stop)
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("centrifugo log:\n%s", logs.Bytes())
		}
	})
	api := fmt.Sprintf("http://127.0.0.1:%d/api/publish", apiPort)
	publish := func(seq int) error {
		req, _ := http.NewRequest(http.MethodPost, api, strings.NewReader(fmt.Sprintf(`{"channel":"ticks","data":{"seq":%d}}`, seq)))
		req.Header.Set("X-API-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("publish: %s", resp.Status)
		}
		return nil
	}
	// Started once the API answers.
	deadline := time.Now().Add(10 * time.Second)
	for publish(0) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("centrifugo did not start:\n%s", logs.Bytes())
		}
		time.Sleep(50 * time.Millisecond)
	}
	go func() {
		tk := time.NewTicker(50 * time.Millisecond)
		defer tk.Stop()
		for seq := 1; ; seq++ {
			select {
			case <-stop:
				return
			case <-tk.C:
				publish(seq)
			}
		}
	}()
	return server{url: fmt.Sprintf("ws://127.0.0.1:%d/connection/websocket", port), channel: "ticks", forbidden: "secret:ticks", ping: time.Second}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
