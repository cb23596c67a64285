package sut

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/stormbench/stormbench/internal/fault"
	"github.com/stormbench/stormbench/internal/protocol"
)

func startServer(t *testing.T, cfg Config) (*Server, *ControlClient) {
	t.Helper()
	cfg.Listen = "127.0.0.1:0"
	cfg.Control = "127.0.0.1:0"
	cfg.ControlToken = "secret"
	if cfg.Loops == 0 {
		cfg.Loops = 2
	}
	s, err := New(cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
	return s, &ControlClient{Base: "http://" + s.ControlAddr(), Token: "secret"}
}

func dial(t *testing.T, s *Server, query string) net.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, br, _, err := ws.Dial(ctx, "ws://"+s.Addr()+"/ws"+query)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if br != nil {
		// Frames that arrived with the 101 response: keep reading them first.
		c = &bufConn{Conn: c, r: io.MultiReader(br, c)}
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

type bufConn struct {
	net.Conn
	r io.Reader
}

func (b *bufConn) Read(p []byte) (int, error) { return b.r.Read(p) }

func readMsg(t *testing.T, c net.Conn) (protocol.Message, ws.OpCode) {
	t.Helper()
	for {
		b, op, err := wsutil.ReadServerData(c)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if op == ws.OpText {
			m, err := protocol.Parse(b)
			if err != nil {
				t.Fatalf("parse %q: %v", b, err)
			}
			return m, op
		}
	}
}

func TestPingsAndPongs(t *testing.T) {
	s, _ := startServer(t, Config{})
	c := dial(t, s, "?client=1")
	// Application ping → pong with the same t.
	if err := wsutil.WriteClientText(c, protocol.AppendPing(nil, 42)); err != nil {
		t.Fatal(err)
	}
	if m, _ := readMsg(t, c); m.Kind != protocol.KindPong || m.T != 42 {
		t.Fatalf("got %+v, want pong 42", m)
	}
	// RFC 6455 ping → pong with the same payload.
	if err := wsutil.WriteClientMessage(c, ws.OpPing, []byte("abc")); err != nil {
		t.Fatal(err)
	}
	h, err := ws.ReadHeader(c)
	if err != nil {
		t.Fatal(err)
	}
	p := make([]byte, h.Length)
	_, _ = io.ReadFull(c, p)
	if h.OpCode != ws.OpPong || string(p) != "abc" {
		t.Fatalf("got %v %q, want pong abc", h.OpCode, p)
	}
}

func TestBroadcastAndResume(t *testing.T) {
	s, _ := startServer(t, Config{BroadcastInterval: 20 * time.Millisecond, Replay: 1000})
	c := dial(t, s, "?client=7")
	hello, _ := readMsg(t, c)
	if hello.Kind != protocol.KindHello {
		t.Fatalf("first message %+v, want hello", hello)
	}
	var last int64 = hello.Seq
	for i := 0; i < 5; i++ {
		m, _ := readMsg(t, c)
		if m.Kind != protocol.KindMsg || m.Seq != last+1 {
			t.Fatalf("got %+v after seq %d", m, last)
		}
		last = m.Seq
	}
	c.Close()
	// Away while a few messages are published.
	eventually(t, func() bool { return s.Stats().Counters.LastBroadcastSeq >= last+3 }, "3 more messages published")
	c2 := dial(t, s, "?client=7&resume="+itoa(last))
	for i := 0; i < 5; i++ {
		m, _ := readMsg(t, c2)
		if m.Kind != protocol.KindMsg || m.Seq != last+1 {
			t.Fatalf("after resume got %+v, want seq %d", m, last+1)
		}
		last = m.Seq
	}
	if st := s.Stats(); st.Counters.MessagesReplayed < 3 {
		t.Fatalf("replayed %d, want ≥ 3", st.Counters.MessagesReplayed)
	}
}

func itoa(n int64) string {
	return string(protocol.AppendURI(nil, "", protocol.Query{Resume: n, HasResume: true})[len("?resume="):])
}

func TestAdmissionControl(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		reason string
	}{
		{"max conns", Config{MaxConns: 1}, "max_conns"},
		{"accept rate", Config{AcceptRate: 0.001, AcceptBurst: 1}, "accept_rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := startServer(t, tt.cfg)
			dial(t, s, "")
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var status int
			var retryAfter string
			d := ws.Dialer{OnStatusError: func(st int, _ []byte, resp io.Reader) {
				status = st
				r, err := http.ReadResponse(bufioReader(resp), nil)
				if err == nil {
					retryAfter = r.Header.Get("Retry-After")
				}
			}}
			_, _, _, err := d.Dial(ctx, "ws://"+s.Addr()+"/ws")
			if err == nil || status != http.StatusServiceUnavailable || retryAfter == "" {
				t.Fatalf("err %v status %d retry-after %q; want 503 with Retry-After", err, status, retryAfter)
			}
			// The server counts the refusal after writing it: poll until it has.
			deadline := time.Now().Add(5 * time.Second)
			for s.Stats().Counters.RejectCauses[tt.reason] != 1 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if got := s.Stats().Counters.RejectCauses[tt.reason]; got != 1 {
				t.Fatalf("reject_causes[%s] = %d, want 1", tt.reason, got)
			}
		})
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		kind     fault.Kind
		fraction float64
		check    func(t *testing.T, c net.Conn)
	}{
		{fault.Close, 1, func(t *testing.T, c net.Conn) {
			f, err := ws.ReadFrame(c)
			if err != nil || f.Header.OpCode != ws.OpClose {
				t.Fatalf("got %v %v, want close frame", f.Header.OpCode, err)
			}
			if code, _ := ws.ParseCloseFrameData(f.Payload); code != ws.StatusGoingAway {
				t.Fatalf("close code %d, want 1001", code)
			}
		}},
		{fault.Restart, 1, func(t *testing.T, c net.Conn) {
			f, err := ws.ReadFrame(c)
			if code, _ := ws.ParseCloseFrameData(f.Payload); err != nil || code != 1012 {
				t.Fatalf("close code %d (%v), want 1012", code, err)
			}
		}},
		{fault.Abort, 1, func(t *testing.T, c net.Conn) {
			_, err := io.ReadAll(c)
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("read error %v, want ECONNRESET", err)
			}
		}},
		{fault.Blackhole, 1, func(t *testing.T, c net.Conn) {
			// The server no longer answers pings.
			_ = wsutil.WriteClientText(c, protocol.AppendPing(nil, 1))
			_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			_, _, err := wsutil.ReadServerData(c)
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Fatalf("read err %v, want a timeout", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			s, ctl := startServer(t, Config{})
			conns := []net.Conn{dial(t, s, "?client=1"), dial(t, s, "?client=2"), dial(t, s, "?client=3")}
			waitOpen(t, s, 3)
			before := time.Now()
			dur := int64(500)
			if tt.kind == fault.Blackhole {
				dur = 3000 // longer than the three checks below
			}
			r, err := ctl.Fault(context.Background(), FaultRequest{Kind: tt.kind, Fraction: tt.fraction, DurationMs: dur})
			if err != nil {
				t.Fatal(err)
			}
			if r.Affected != 3 || r.T0UnixNs < before.UnixNano() || r.T0UnixNs > time.Now().UnixNano() {
				t.Fatalf("response %+v", r)
			}
			for _, c := range conns {
				tt.check(t, c)
			}
			if tt.kind == fault.Restart {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				_, _, _, err := ws.Dial(ctx, "ws://"+s.Addr()+"/ws")
				cancel()
				if !errors.Is(err, syscall.ECONNREFUSED) {
					t.Fatalf("dial during restart: %v, want connection refused", err)
				}
				// Listening again once the restart's duration is over.
				eventually(t, func() bool {
					ctx, cancel := context.WithTimeout(context.Background(), time.Second)
					defer cancel()
					c, _, _, err := ws.Dial(ctx, "ws://"+s.Addr()+"/ws")
					if err == nil {
						c.Close()
					}
					return err == nil
				}, "the listener back after the restart")
			}
		})
	}
}

func TestFaultFraction(t *testing.T) {
	s, ctl := startServer(t, Config{Loops: 1})
	for i := 0; i < 10; i++ {
		dial(t, s, "")
	}
	waitOpen(t, s, 10)
	r, err := ctl.Fault(context.Background(), FaultRequest{Kind: fault.Abort, Fraction: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	if r.Affected != 3 {
		t.Fatalf("affected %d, want 3", r.Affected)
	}
	waitOpen(t, s, 7)
}

func waitOpen(t *testing.T, s *Server, n int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.stats.c.open.Load() != n {
		if time.Now().After(deadline) {
			t.Fatalf("open = %d, want %d", s.stats.c.open.Load(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestIdleTimeoutAndServerPing(t *testing.T) {
	s, _ := startServer(t, Config{IdleTimeout: 200 * time.Millisecond, PingInterval: 50 * time.Millisecond})
	c := dial(t, s, "")
	// Pings arrive; the client does not answer, so it is silent and is closed.
	start := time.Now()
	sawPing := false
	for {
		h, err := ws.ReadHeader(c)
		if err != nil {
			break
		}
		p := make([]byte, h.Length)
		if _, err := io.ReadFull(c, p); err != nil {
			break
		}
		if h.OpCode == ws.OpPing {
			sawPing = true
		}
	}
	if !sawPing {
		t.Fatal("no ping from the server")
	}
	if d := time.Since(start); d < 150*time.Millisecond || d > 2*time.Second {
		t.Fatalf("closed after %v, want ≈ 200ms", d)
	}
	st := s.Stats()
	if st.Counters.ServerDetections != 1 || st.Counters.DetectionLatency.P50 < 200 {
		t.Fatalf("detections %d latency %+v", st.Counters.ServerDetections, st.Counters.DetectionLatency)
	}
}

func TestControlAPIErrors(t *testing.T) {
	s, _ := startServer(t, Config{})
	base := "http://" + s.ControlAddr()
	tests := []struct {
		name, method, path, token, body string
		code                            int
		msg                             string
	}{
		{"no token", "POST", "/fault", "", `{"kind":"abort"}`, 401, "token"},
		{"wrong token", "GET", "/stats", "nope", "", 401, "token"},
		{"bad json", "POST", "/fault", "secret", `{"kind":`, 400, "body must be JSON"},
		{"unknown field", "POST", "/fault", "secret", `{"kind":"abort","x":1}`, 400, "unknown field"},
		{"unknown kind", "POST", "/fault", "secret", `{"kind":"explode"}`, 400, "kind must be one of close, restart, abort, blackhole"},
		{"bad fraction", "POST", "/fault", "secret", `{"kind":"abort","fraction":2}`, 400, "fraction must be in (0, 1]"},
		{"bad code", "POST", "/fault", "secret", `{"kind":"close","code":1006}`, 400, "code must be"},
		{"wrong method", "GET", "/fault", "secret", "", 405, "POST"},
		{"healthz open", "GET", "/healthz", "", "", 200, "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, base+tt.path, strings.NewReader(tt.body))
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.code || !bytes.Contains(b, []byte(tt.msg)) {
				t.Fatalf("%d %s; want %d containing %q", resp.StatusCode, b, tt.code, tt.msg)
			}
			if tt.code != 200 {
				var e map[string]string
				if json.Unmarshal(b, &e) != nil || e["error"] == "" {
					t.Fatalf("error body not JSON {error}: %s", b)
				}
			}
		})
	}
}

func TestStatsSeries(t *testing.T) {
	s, ctl := startServer(t, Config{})
	dial(t, s, "")
	eventually(t, func() bool { return len(s.Stats().Series.Rows) >= 3 }, "three series rows")
	st, err := ctl.Stats(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Series.Rows) < 3 || st.Series.Columns[0] != "t_s" {
		t.Fatalf("series %+v", st.Series)
	}
	var handshakes float64
	for _, r := range st.Series.Rows {
		handshakes += r[2]
	}
	if handshakes != float64(st.Counters.Handshakes) || st.Counters.Handshakes != 1 {
		t.Fatalf("series handshakes %v, counter %d", handshakes, st.Counters.Handshakes)
	}
}

// eventually polls cond until it holds, failing the test after 5 s.
func eventually(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
