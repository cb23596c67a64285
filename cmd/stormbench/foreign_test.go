package main

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/stormbench/stormbench/internal/tlsfiles"
)

// foreignServer is a WebSocket server with formats of its own, as a
// staging server would have: it checks a bearer token per client (401
// otherwise), selects the subprotocol v2.chat, answers app pings
// {"type":"ping","time":T} with {"type":"pong","time":T} after a delay
// (or with a pong without the time, or not at all), greets every
// connection with {"kind":"welcome"} and numbers its ticks per
// connection, from 1: {"kind":"tick","meta":{"n":N}}. It records what it
// saw, so a test checks the clients from the server's side.
type foreignServer struct {
	tokens    []string
	pongDelay time.Duration
	pongTime  bool // echo the ping's time in the pong
	tick      time.Duration
	// ackFormat, when set, is the server's own ack (a fmt format of the
	// message id) instead of stormbench's.
	ackFormat string
	// caFile, when set, makes the server wss: its self-signed
	// certificate (made at test time) is written there for --ca-cert.
	caFile string

	mu      sync.Mutex
	ok      map[int]int // client ID → upgrades with the right token
	bad     int         // upgrades refused for a wrong or missing token
	origin  map[string]int
	team    map[string]int
	holds   []time.Duration   // ping received → pong sent, as the server timed it
	pingOps map[ws.OpCode]int // pings received by frame opcode (the pong answers in kind)
	seen    map[[2]int64]int  // (client, message id) → times received
	acks    int
	addr    string
	closeLn func()
}

func startForeign(t *testing.T, fs *foreignServer) *foreignServer {
	t.Helper()
	fs.ok, fs.origin, fs.team, fs.seen, fs.pingOps = map[int]int{}, map[string]int{}, map[string]int{}, map[[2]int64]int{}, map[ws.OpCode]int{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if fs.caFile != "" {
		certPEM, keyPEM, err := tlsfiles.GenerateSelfSigned([]string{"127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fs.caFile, certPEM, 0o644); err != nil {
			t.Fatal(err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}})
	}
	srv := &http.Server{Handler: http.HandlerFunc(fs.serve)}
	go func() { _ = srv.Serve(ln) }()
	fs.addr = ln.Addr().String()
	fs.closeLn = func() { _ = srv.Close() }
	t.Cleanup(fs.closeLn)
	return fs
}

func (fs *foreignServer) serve(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.URL.Query().Get("id"))
	auth := r.Header.Get("Authorization")
	if err != nil || id < 0 || id >= len(fs.tokens) || auth != "Bearer "+fs.tokens[id] {
		fs.mu.Lock()
		fs.bad++
		fs.mu.Unlock()
		http.Error(w, "bad token", http.StatusUnauthorized)
		return
	}
	u := ws.HTTPUpgrader{Protocol: func(p string) bool { return p == "v2.chat" }}
	conn, _, _, err := u.Upgrade(r, w)
	if err != nil {
		return
	}
	fs.mu.Lock()
	fs.ok[id]++
	fs.origin[r.Header.Get("Origin")]++
	fs.team[r.Header.Get("X-Team")]++
	fs.mu.Unlock()
	var wmu sync.Mutex
	sendOp := func(op ws.OpCode, b []byte) error {
		wmu.Lock()
		defer wmu.Unlock()
		return wsutil.WriteServerMessage(conn, op, b)
	}
	send := func(b []byte) error { return sendOp(ws.OpText, b) }
	done := make(chan struct{})
	defer func() { close(done); conn.Close() }()
	_ = send([]byte(`{"kind":"welcome"}`))
	if fs.tick > 0 {
		go func() {
			tk := time.NewTicker(fs.tick)
			defer tk.Stop()
			for n := 1; ; n++ {
				select {
				case <-done:
					return
				case <-tk.C:
				}
				if send([]byte(fmt.Sprintf(`{"kind":"tick","meta":{"n":%d}}`, n))) != nil {
					return
				}
			}
		}()
	}
	for {
		msg, op, err := wsutil.ReadClientData(conn)
		if err != nil {
			return
		}
		if op != ws.OpText && op != ws.OpBinary {
			continue
		}
		var ping struct {
			Type string          `json:"type"`
			Time json.RawMessage `json:"time"`
			ID   int64           `json:"id"`
		}
		if json.Unmarshal(msg, &ping) != nil {
			continue
		}
		if ping.Type == "send" {
			// Acknowledge every client message, flagging one seen before
			// (de-duplicated by client and id), as stormbench's server does.
			fs.mu.Lock()
			key := [2]int64{int64(id), ping.ID}
			fs.seen[key]++
			dup := fs.seen[key] > 1
			fs.acks++
			fs.mu.Unlock()
			ack := fmt.Sprintf(`{"type":"ack","id":%d}`, ping.ID)
			if dup {
				ack = fmt.Sprintf(`{"type":"ack","id":%d,"dup":1}`, ping.ID)
			}
			if fs.ackFormat != "" {
				ack = fmt.Sprintf(fs.ackFormat, ping.ID)
			}
			if send([]byte(ack)) != nil {
				return
			}
			continue
		}
		if ping.Type != "ping" {
			continue
		}
		got := time.Now()
		fs.mu.Lock()
		fs.pingOps[op]++
		fs.mu.Unlock()
		time.AfterFunc(fs.pongDelay, func() {
			pong := `{"type":"pong"}`
			if fs.pongTime {
				pong = `{"type":"pong","time":` + string(ping.Time) + `}`
			}
			fs.mu.Lock()
			fs.holds = append(fs.holds, time.Since(got))
			fs.mu.Unlock()
			_ = sendOp(op, []byte(pong))
		})
	}
}

// tokenFile writes one token per client, as a user's file would be.
func tokenFile(t *testing.T, n int) (string, []string) {
	t.Helper()
	toks := make([]string, n)
	for i := range toks {
		toks[i] = fmt.Sprintf("tok-%d-%x", i, i*7919+13)
	}
	path := filepath.Join(t.TempDir(), "tokens.txt")
	if err := os.WriteFile(path, []byte(strings.Join(toks, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, toks
}

// TestForeignHandshake: per-client URL and header templates, a static
// header, a subprotocol and an Origin reach a server stormbench did not
// write, over ws and over wss (a certificate made at test time), checked
// on the server's side; a client whose token the server refuses fails
// with cause unauthorized, and only that client.
func TestForeignHandshake(t *testing.T) {
	for _, scheme := range []string{"ws", "wss"} {
		t.Run(scheme, func(t *testing.T) { testForeignHandshake(t, scheme) })
	}
}

func testForeignHandshake(t *testing.T, scheme string) {
	const n = 300
	path, toks := tokenFile(t, n)
	served := append([]string(nil), toks...)
	served[7] = "revoked" // the server no longer accepts client 7's token
	fsrv := &foreignServer{tokens: served}
	var extra []string
	if scheme == "wss" {
		fsrv.caFile = filepath.Join(t.TempDir(), "ca.pem")
		extra = []string{"--ca-cert", fsrv.caFile}
	}
	fs := startForeign(t, fsrv)
	args := append([]string{"--url", scheme + "://" + fs.addr + "/socket?id={{client}}", "--client-param", "",
		"-H", "Authorization: Bearer {{line " + path + "}}", "-H", "X-Team: storm", "--subprotocol", "graphql-ws,v2.chat",
		"--origin", "https://app.example", "--clients", strconv.Itoa(n), "--ramp-rate", "3000", "--hold", "1500ms",
		"--fault", "none", "--backoff-base", "200ms", "--recover-timeout", "2s"}, extra...) // the ramp waits this long for client 7
	dir, sum, _ := runE2E(t, args...)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.ok) != n-1 || fs.ok[7] != 0 {
		t.Fatalf("server accepted %d distinct clients (client 7: %d), want %d", len(fs.ok), fs.ok[7], n-1)
	}
	for id, k := range fs.ok {
		if k != 1 {
			t.Errorf("client %d upgraded %d times", id, k)
		}
	}
	if fs.origin["https://app.example"] != n-1 || fs.team["storm"] != n-1 {
		t.Errorf("origins %v, X-Team %v", fs.origin, fs.team)
	}
	c := sum.Counters
	if c.Get(measure.Connects) != n-1 || c.Get(measure.Failures) == 0 || c.Keys(measure.FailureCauses)["unauthorized"] != c.Get(measure.Failures) || int64(fs.bad) != c.Get(measure.Failures) {
		t.Fatalf("connects %d failures %d causes %v; server refused %d", c.Get(measure.Connects), c.Get(measure.Failures), c.Keys(measure.FailureCauses), fs.bad)
	}
	if tlsPart := sum.Histograms["connect_tls"]; (scheme == "wss") != (tlsPart.Count > 0) {
		t.Errorf("%s: connect_tls has %d values", scheme, tlsPart.Count)
	}
	// The tokens came from a file: config.json keeps the template, not them.
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), toks[0]) || !strings.Contains(string(b), "{{line ") {
		t.Errorf("config.json does not record the header template, or records a token:\n%s", b)
	}
}

// TestForeignHeartbeat: an app heartbeat in the server's own format is
// timed correctly (against the server's own hold times), a pong without
// the named field records no round trip instead of a wrong one, and
// nothing is taken for a dead connection.
func TestForeignHeartbeat(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end runs take seconds each")
	}
	const delay = 40 * time.Millisecond
	ping := `{"type":"ping","time":{{now_ms}}}`
	tests := []struct {
		name     string
		pongTime bool     // the server echoes the time
		flags    []string // beyond --app-ping
		timed    bool     // round trips are expected
	}{
		{"echoed ms", true, []string{"--app-pong", "type=pong", "--app-pong-time", "time"}, true},
		{"no echo, from the ping", false, []string{"--app-pong", "type=pong"}, true},
		{"field missing", false, []string{"--app-pong-time", "time"}, false},
		{"binary ping", true, []string{"--app-ping-binary", "--app-pong", "type=pong", "--app-pong-time", "time"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, toks := tokenFile(t, 200)
			fs := startForeign(t, &foreignServer{tokens: toks, pongDelay: delay, pongTime: tt.pongTime})
			args := append([]string{"--url", "ws://" + fs.addr + "/s?id={{client}}", "-H", "Authorization: Bearer {{line " + path + "}}",
				"--clients", "200", "--ramp-rate", "2000", "--hold", "2s", "--fault", "none",
				"--heartbeat", "app", "--heartbeat-interval", "200ms", "--heartbeat-timeout", "1s", "--app-ping", ping}, tt.flags...)
			dir, sum, _ := runE2E(t, args...)
			c := sum.Counters
			if c.Get(measure.Disconnects) != c.Keys(measure.DisconnectCauses)["drain"] || c.Get(measure.Connects) != 200 {
				t.Fatalf("connects %d, disconnects %v: want only the final drain", c.Get(measure.Connects), c.Keys(measure.DisconnectCauses))
			}
			rtts := sum.Histograms["heartbeat_rtt"].Count
			if !tt.timed {
				if rtts != 0 || c.Get(measure.PongsUntimed) != c.Get(measure.PongsReceived) || c.Get(measure.PongsReceived) == 0 {
					t.Fatalf("rtts %d, untimed %d of %d pongs: want every pong untimed", rtts, c.Get(measure.PongsUntimed), c.Get(measure.PongsReceived))
				}
				return
			}
			fs.mu.Lock()
			holds := append([]time.Duration(nil), fs.holds...)
			text, bin := fs.pingOps[ws.OpText], fs.pingOps[ws.OpBinary]
			fs.mu.Unlock()
			if binary := slices.Contains(tt.flags, "--app-ping-binary"); binary && (text != 0 || bin == 0) || !binary && bin != 0 {
				t.Fatalf("the server got %d text and %d binary pings", text, bin)
			}
			minHold, maxHold := holds[0], holds[0]
			for _, h := range holds {
				minHold, maxHold = min(minHold, h), max(maxHold, h)
			}
			ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
			rtt := sum.Heartbeat.RTTMs
			rttMin := hgrmMin(t, filepath.Join(dir, "heartbeat_rtt.hgrm"))
			// A round trip holds the server's hold, and what the wire and
			// the loops add; HDR keeps 3 significant digits.
			// The late side: the wire, and the harness's own lateness as the
			// run measured it (a loaded machine delays the read of a pong).
			late := 25 + sum.Harness.TimerLatenessMs.Max
			if rtts == 0 || rttMin < ms(minHold)*(1-1.0/1024) || rtt.P50 > ms(maxHold)+late || c.Get(measure.PongsUntimed) > c.Get(measure.PongsReceived)/100 {
				t.Fatalf("rtt min %v ms, %+v ms (%d, untimed %d of %d pongs); the server held pongs %v–%v", rttMin, rtt, rtts, c.Get(measure.PongsUntimed), c.Get(measure.PongsReceived), minHold, maxHold)
			}
		})
	}
}

// TestForeignSequence: a server that numbers its messages per connection
// (no resume) restarts the sequence on every reconnect: that is counted as
// a restart, not as thousands of duplicates; messages without the field
// are other traffic, never loss.
func TestForeignSequence(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end runs take seconds each")
	}
	path, toks := tokenFile(t, 100)
	fs := startForeign(t, &foreignServer{tokens: toks, tick: 50 * time.Millisecond})
	_, sum, _ := runE2E(t, "--url", "ws://"+fs.addr+"/s?id={{client}}", "-H", "Authorization: Bearer {{line "+path+"}}",
		"--clients", "100", "--ramp-rate", "2000", "--hold", "1s", "--fault", "reset", "--backoff-base", "200ms",
		"--seq-field", "meta.n", "--resume=false", "--storms", "2")
	c := sum.Counters
	st := sum.Storms[0]
	// A client that reconnected in the last moments of the final storm may
	// not have had a tick yet when the run ended, so only the first storm's
	// reconnections (followed by a whole --hold of ticks) must all show as
	// restarts; no connection can restart twice.
	if st.Recovered != 100 || c.Get(measure.MessagesDuplicated) != 0 || c.Get(measure.SeqRestarts) < int64(st.Recovered) ||
		c.Get(measure.SeqRestarts) > c.Get(measure.Connects)-100 || c.Get(measure.MessagesOther) < c.Get(measure.Connects) {
		t.Fatalf("recovered %d; duplicated %d, sequence restarts %d, other %d (connects %d)", st.Recovered, c.Get(measure.MessagesDuplicated), c.Get(measure.SeqRestarts), c.Get(measure.MessagesOther), c.Get(measure.Connects))
	}
	if c.Get(measure.MessagesReceived) == 0 || c.Get(measure.MessagesLost) != 0 {
		t.Fatalf("messages %d, lost %d", c.Get(measure.MessagesReceived), c.Get(measure.MessagesLost))
	}
}

// hgrmMin reads the smallest value of a .hgrm file: its 0th percentile.
func hgrmMin(t *testing.T, path string) float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 4 && f[1] == "0.000000" {
			v, err := strconv.ParseFloat(f[0], 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("%s: no 0th percentile", path)
	return 0
}
