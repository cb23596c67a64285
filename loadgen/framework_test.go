package loadgen

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/stormbench/stormbench/internal/measure"
)

// frameworkServer is a loopback WebSocket server speaking a framework's
// protocol through serve, one goroutine per connection; it answers the
// upgrade with subprotocol when the client offers it.
func frameworkServer(t *testing.T, subprotocol string, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	u := ws.Upgrader{Protocol: func(p []byte) bool { return string(p) == subprotocol }}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(15 * time.Second))
				if _, err := u.Upgrade(c); err != nil {
					return
				}
				serve(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// stompConnect reads a STOMP client's CONNECT frame from c and returns a
// sender safe for concurrent use (the test's stream and its replies);
// false when the client sent something else.
func stompConnect(c net.Conn) (send func(string) error, ok bool) {
	msg, _, err := wsutil.ReadClientData(c)
	if err != nil || !bytes.HasPrefix(msg, []byte("CONNECT\n")) {
		return nil, false
	}
	var wmu sync.Mutex
	return func(s string) error {
		wmu.Lock()
		defer wmu.Unlock()
		return wsutil.WriteServerText(c, []byte(s))
	}, true
}

// runFramework runs cfg (resolved here) against its URL and returns what
// its one loop recorded.
func runFramework(t *testing.T, cfg Config) *ruleSink {
	t.Helper()
	cfg.Loops = 1
	cfg = cfg.Resolve()
	start := time.Now()
	clock := func() time.Duration { return time.Since(start) }
	rec := &ruleRecorder{}
	f, err := NewFleet(cfg, rec, clock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := Run(ctx, cfg, f, rec, Options{Start: start, Clock: clock}); err != nil {
		t.Fatalf("%v; failures %v", err, rec.sinks[0].failures)
	}
	return rec.sinks[0]
}

// TestFrameworkPingBeforeReady: a profile that cannot ping yet (STOMP
// before CONNECTED) keeps the heartbeat's cadence, and pings once it can;
// the broker, which drops a client that promised heart-beats and sends
// none, keeps it. Here the first ping falls due at the upgrade (no
// spread) and CONNECTED comes 300 ms later.
func TestFrameworkPingBeforeReady(t *testing.T) {
	const clients, interval = 3, 100 * time.Millisecond
	var beats atomic.Int64 // EOLs received after CONNECTED
	addr := frameworkServer(t, "v12.stomp", func(c net.Conn) {
		send, ok := stompConnect(c)
		if !ok {
			return
		}
		time.Sleep(300 * time.Millisecond)
		// The server sends no heart-beats and wants the client's every 100 ms.
		if send("CONNECTED\nversion:1.2\nheart-beat:0,100\n\n\x00") != nil {
			return
		}
		done := make(chan struct{})
		defer close(done)
		go func() { // the stream: a message every 50 ms keeps the client's deadline
			tk := time.NewTicker(50 * time.Millisecond)
			defer tk.Stop()
			for seq := 1; ; seq++ {
				select {
				case <-done:
					return
				case <-tk.C:
				}
				if send("MESSAGE\ndestination:/topic/t\nmessage-id:"+strings.Repeat("x", seq%3+1)+"\nsubscription:sub-0\n\n{}\x00") != nil {
					return
				}
			}
		}()
		for {
			msg, op, err := wsutil.ReadClientData(c)
			if err != nil || op == ws.OpClose {
				return
			}
			switch {
			case bytes.HasPrefix(msg, []byte("SUBSCRIBE\n")):
				if send("RECEIPT\nreceipt-id:sub-0\n\n\x00") != nil {
					return
				}
			case len(bytes.Trim(msg, "\r\n")) == 0:
				beats.Add(1)
			}
		}
	})
	cfg := Config{URL: "ws://" + addr + "/ws", Clients: clients, RampRate: 1000, Hold: time.Second,
		Fault: Fault{Kind: FaultNone, RecoverTimeout: time.Second}, Policy: Policy{Base: time.Second},
		Protocol: ProtocolSTOMP, Framework: Framework{Join: []string{"/topic/t"}},
		Heartbeat: Heartbeat{Mode: HeartbeatApp, Interval: interval, Timeout: time.Second, Spread: -1}}
	s := runFramework(t, cfg)
	// About seven beats per client follow CONNECTED in the second of
	// hold; two each leave room for a loaded machine (without the
	// cadence kept, none come).
	if n := beats.Load(); n < 2*clients {
		t.Fatalf("the broker got %d heart-beats from %d clients after CONNECTED, want about %d each", n, clients, time.Second/interval)
	}
	for _, c := range s.causes {
		if c != measure.CauseDrain {
			t.Fatalf("disconnect causes %v: want only the drain", s.causes)
		}
	}
}

// TestFrameworkAnnouncedTimeout: a server announcing a detection rule
// shorter than the reference client's default (Socket.IO's open packet:
// pingInterval + pingTimeout = 200 ms, where socket.io-client's default
// is 45 s) has it applied from then on, to the deadline already armed
// too: a server that goes silent is found dead within the announced rule,
// not 45 s later.
func TestFrameworkAnnouncedTimeout(t *testing.T) {
	const clients = 3
	addr := frameworkServer(t, "", func(c net.Conn) {
		send := func(s string) error { return wsutil.WriteServerText(c, []byte(s)) }
		if send(`0{"sid":"s","upgrades":[],"pingInterval":100,"pingTimeout":100,"maxPayload":1000000}`) != nil {
			return
		}
		msg, _, err := wsutil.ReadClientData(c)
		if err != nil || string(msg) != "40" || send(`40{"sid":"n"}`) != nil {
			return
		}
		// Three pings, then silence on a connection that stays open.
		for range 3 {
			time.Sleep(100 * time.Millisecond)
			if send("2") != nil {
				return
			}
		}
		for {
			if _, _, err := wsutil.ReadClientData(c); err != nil {
				return
			}
		}
	})
	cfg := Config{URL: "ws://" + addr + "/", Clients: clients, RampRate: 1000, Hold: 1500 * time.Millisecond,
		Fault: Fault{Kind: FaultNone, RecoverTimeout: time.Second}, Protocol: ProtocolSocketIO}
	cfg = cfg.WithReference(false, HeartbeatSet{})
	if cfg.Heartbeat.Timeout < 10*time.Second || !cfg.Heartbeat.FollowServer {
		t.Fatalf("reference heartbeat %+v: want socket.io-client's 45 s, following the server", cfg.Heartbeat)
	}
	s := runFramework(t, cfg)
	n := 0
	for _, c := range s.causes {
		if c == measure.CauseHeartbeatTimeout {
			n++
		}
	}
	// Silent from about 400 ms after the join, dead 200 ms later: every
	// client's first connection within the 1.5 s hold.
	if n < clients {
		t.Fatalf("disconnect causes %v: want every client's silent connection found dead (heartbeat_timeout)", s.causes)
	}
}

// TestFrameworkGoodbyeNoReconnect: a goodbye that tells the client not to
// reconnect is counted with NoReconnectMark ending its key, one that
// allows it without; the fleet reconnects after both (a storm benchmark
// measures the clients coming back, where the framework's client would
// stay away).
func TestFrameworkGoodbyeNoReconnect(t *testing.T) {
	for _, tt := range []struct {
		reconnect string
		key       string
	}{
		{"false", "unauthorized" + measure.NoReconnectMark},
		{"true", "server_restart"},
	} {
		t.Run(tt.reconnect, func(t *testing.T) {
			reason := strings.TrimSuffix(tt.key, measure.NoReconnectMark)
			addr := frameworkServer(t, "actioncable-v1-json", func(c net.Conn) {
				send := func(s string) error { return wsutil.WriteServerText(c, []byte(s)) }
				if send(`{"type":"welcome"}`) != nil {
					return
				}
				msg, _, err := wsutil.ReadClientData(c)
				if err != nil || !bytes.Contains(msg, []byte(`"subscribe"`)) {
					return
				}
				if send(`{"identifier":"{\"channel\":\"TicksChannel\"}","type":"confirm_subscription"}`) != nil {
					return
				}
				time.Sleep(50 * time.Millisecond)
				_ = send(`{"type":"disconnect","reason":"` + reason + `","reconnect":` + tt.reconnect + `}`)
				_ = wsutil.WriteServerMessage(c, ws.OpClose, ws.NewCloseFrameBody(ws.StatusNormalClosure, ""))
			})
			cfg := Config{URL: "ws://" + addr + "/cable", Clients: 2, RampRate: 1000, Hold: 600 * time.Millisecond,
				Fault: Fault{Kind: FaultNone, RecoverTimeout: time.Second}, Protocol: ProtocolActionCable,
				Policy: Policy{Jitter: JitterNone, Base: 50 * time.Millisecond, Max: 50 * time.Millisecond}}
			cfg.Framework.Join = []string{`{"channel":"TicksChannel"}`}
			cfg = cfg.WithReference(true, HeartbeatSet{})
			s := runFramework(t, cfg)
			total := 0
			for k, n := range s.goodbyes {
				if k != tt.key {
					t.Errorf("goodbye %q counted, want only %q", k, tt.key)
				}
				total += n
			}
			// Each client's connections all ended in a goodbye: more
			// goodbyes than clients means the fleet came back.
			if total <= 2 {
				t.Fatalf("goodbyes %v: want more than one per client (the fleet reconnects)", s.goodbyes)
			}
		})
	}
}

// TestFrameworkWatchFromReply: a client whose reference watches the
// connection only from the reply that announces the rule (stompjs sets up
// its heart-beat check at CONNECTED and, with connectionTimeout 0, waits
// for CONNECTED as long as it takes) is not called dead while a slow
// broker has not answered its CONNECT yet — RabbitMQ answers the CONNECTs
// of 2 000 clients arriving together seconds after their upgrades, later
// when starved of CPU, and clients that gave up and reconnected would add
// to its queue — and a CONNECTED that negotiates no heart-beats from the
// server leaves the connection unwatched, however long the server is
// silent. The rule the server announces still holds once it did: a
// server silent past it is found dead. Here CONNECTED comes 600 ms after
// the CONNECT, where the fleet's rule (3 × the 100 ms interval) is
// 300 ms.
func TestFrameworkWatchFromReply(t *testing.T) {
	const clients = 3
	for _, tc := range []struct {
		name string
		// heartBeat is CONNECTED's header; silentAfter the time after
		// the RECEIPT when the server stops sending (0: never).
		heartBeat   string
		silentAfter time.Duration
		dead        bool // the server's silence is found (heartbeat_timeout)
	}{
		{name: "rule announced, stream kept", heartBeat: "100,100"},
		{name: "no heart-beats negotiated, server silent", heartBeat: "0,0", silentAfter: time.Millisecond},
		{name: "rule announced, server silent", heartBeat: "100,100", silentAfter: 200 * time.Millisecond, dead: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var receipts atomic.Int64
			addr := frameworkServer(t, "v12.stomp", func(c net.Conn) {
				send, ok := stompConnect(c)
				if !ok {
					return
				}
				time.Sleep(600 * time.Millisecond)
				if send("CONNECTED\nversion:1.2\nheart-beat:"+tc.heartBeat+"\n\n\x00") != nil {
					return
				}
				done := make(chan struct{})
				defer close(done)
				subscribed := make(chan time.Time, 1)
				go func() { // the stream: a message every 50 ms, until silentAfter
					tk := time.NewTicker(50 * time.Millisecond)
					defer tk.Stop()
					var until <-chan time.Time
					for {
						select {
						case <-done:
							return
						case at := <-subscribed:
							if tc.silentAfter > 0 {
								until = time.After(time.Until(at.Add(tc.silentAfter)))
							}
							continue
						case <-until:
							<-done
							return
						case <-tk.C:
						}
						if send("MESSAGE\ndestination:/topic/t\nmessage-id:m\nsubscription:sub-0\n\n{}\x00") != nil {
							return
						}
					}
				}()
				for {
					msg, op, err := wsutil.ReadClientData(c)
					if err != nil || op == ws.OpClose {
						return
					}
					if bytes.HasPrefix(msg, []byte("SUBSCRIBE\n")) {
						if send("RECEIPT\nreceipt-id:sub-0\n\n\x00") != nil {
							return
						}
						receipts.Add(1)
						subscribed <- time.Now()
					}
				}
			})
			cfg := Config{URL: "ws://" + addr + "/ws", Clients: clients, RampRate: 1000, Hold: 1500 * time.Millisecond,
				Fault: Fault{Kind: FaultNone, RecoverTimeout: time.Second}, Policy: Policy{Base: 5 * time.Second},
				Protocol: ProtocolSTOMP, Framework: Framework{Join: []string{"/topic/t"}},
				Heartbeat: Heartbeat{Interval: 100 * time.Millisecond}}
			cfg = cfg.WithReference(true, HeartbeatSet{Interval: true})
			if !cfg.Heartbeat.FollowServer || cfg.Heartbeat.Timeout != 0 {
				t.Fatalf("heartbeat %+v: want stompjs's, every 100 ms, following the server", cfg.Heartbeat)
			}
			s := runFramework(t, cfg)
			dead := 0
			for _, c := range s.causes {
				switch c {
				case measure.CauseDrain:
				case measure.CauseHeartbeatTimeout:
					dead++
				default:
					t.Errorf("disconnect cause %v", c)
				}
			}
			if tc.dead {
				// Silent from 200 ms after the RECEIPT, dead 200 ms later:
				// every client's first connection within the hold.
				if dead < clients {
					t.Fatalf("disconnect causes %v: want every client's silent connection found dead", s.causes)
				}
				return
			}
			if dead != 0 || s.joins != clients || receipts.Load() != clients {
				t.Fatalf("disconnect causes %v, %d joins, %d RECEIPTs sent: want every client joined once and nothing dead", s.causes, s.joins, receipts.Load())
			}
		})
	}
}

// TestFrameworkJoinTimeout: the connect timeout bounds an attempt up to
// ready, as the framework's clients bound theirs (socket.io-client's
// 20 s, MQTT.js's 30 s for CONNACK): a server that upgrades but never
// completes the join has the client close the connection (1000) and
// reconnect, counted as join_timeout, no earlier than the timeout after
// the attempt began; a join answered in time is not cut; and a client
// whose reference waits as long as it takes (graphql-ws without
// connectionAckWaitTimeout) keeps waiting.
func TestFrameworkJoinTimeout(t *testing.T) {
	const clients, timeout = 3, 300 * time.Millisecond
	socketio := func(ackAfter time.Duration, lived chan<- time.Duration) func(net.Conn) {
		return func(c net.Conn) {
			opened := time.Now()
			send := func(s string) error { return wsutil.WriteServerText(c, []byte(s)) }
			if send(`0{"sid":"s","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`) != nil {
				return
			}
			msg, _, err := wsutil.ReadClientData(c)
			if err != nil || string(msg) != "40" {
				return
			}
			if ackAfter > 0 {
				time.Sleep(ackAfter)
				if send(`40{"sid":"n"}`) != nil {
					return
				}
			}
			for {
				_, _, err := wsutil.ReadClientData(c)
				var closed wsutil.ClosedError
				if errors.As(err, &closed) && closed.Code == ws.StatusNormalClosure {
					select {
					case lived <- time.Since(opened):
					default:
					}
				}
				if err != nil {
					return
				}
			}
		}
	}
	graphql := func(c net.Conn) { // reads connection_init and never acknowledges it
		for {
			if _, _, err := wsutil.ReadClientData(c); err != nil {
				return
			}
		}
	}
	for _, tc := range []struct {
		name     string
		protocol Protocol
		// serve is the server; lived receives the time from the upgrade
		// to the client's close frame.
		serve         func(lived chan<- time.Duration) func(net.Conn)
		subprotocol   string
		timeoutFirst  bool // ConnectTimeout set before WithReference (the user's --connect-timeout)
		wantTimeouts  bool
		wantJoinsFrom int
	}{
		{name: "never acknowledged", protocol: ProtocolSocketIO, timeoutFirst: true, wantTimeouts: true,
			serve: func(l chan<- time.Duration) func(net.Conn) { return socketio(0, l) }},
		{name: "acknowledged in time", protocol: ProtocolSocketIO, timeoutFirst: true, wantJoinsFrom: clients,
			serve: func(l chan<- time.Duration) func(net.Conn) { return socketio(timeout/3, l) }},
		{name: "reference waits for its ack", protocol: ProtocolGraphQLWS, subprotocol: "graphql-transport-ws",
			serve: func(chan<- time.Duration) func(net.Conn) { return graphql }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lived := make(chan time.Duration, 64)
			addr := frameworkServer(t, tc.subprotocol, tc.serve(lived))
			cfg := Config{URL: "ws://" + addr + "/", Clients: clients, RampRate: 1000, Hold: 4 * timeout,
				Fault: Fault{Kind: FaultNone, RecoverTimeout: time.Second}, Protocol: tc.protocol,
				Policy: Policy{Jitter: JitterNone, Base: 50 * time.Millisecond, Max: 50 * time.Millisecond}}
			if tc.protocol == ProtocolGraphQLWS {
				cfg.Framework.Join = []string{"subscription { ticks { seq } }"}
			}
			if tc.timeoutFirst {
				cfg.ConnectTimeout = timeout
			}
			cfg = cfg.WithReference(true, HeartbeatSet{})
			if !tc.timeoutFirst {
				// A library user lowering the dial's bound after taking
				// the reference: the join stays unbounded.
				cfg.ConnectTimeout = timeout
			}
			s := runFramework(t, cfg)
			n := 0
			for _, c := range s.causes {
				if c == measure.CauseJoinTimeout {
					n++
				}
			}
			if !tc.wantTimeouts {
				if n > 0 || s.joins < tc.wantJoinsFrom {
					t.Fatalf("causes %v, %d joins: want no join_timeout and at least %d joins", s.causes, s.joins, tc.wantJoinsFrom)
				}
				return
			}
			// Every client's connections end unjoined every 300 ms and
			// come back 50 ms later: more timeouts than clients within
			// the 1.2 s hold means they reconnected.
			if n <= clients || s.joins > 0 {
				t.Fatalf("causes %v, %d joins: want more join_timeouts than the %d clients and no join", s.causes, s.joins, clients)
			}
			if len(lived) == 0 {
				t.Fatal("the server saw no close frame from a client")
			}
			for len(lived) > 0 {
				// The deadline counts from the attempt's start, before the
				// upgrade the server timed from: at most the timeout plus
				// the loop's lateness, and not much less (a loopback dial
				// and upgrade).
				if d := <-lived; d > timeout+time.Second || d < timeout/2 {
					t.Errorf("a connection lived %v from the upgrade to the client's close: want about the %v join timeout", d, timeout)
				}
			}
		})
	}
}
