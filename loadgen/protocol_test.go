package loadgen

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/protocol"
	"github.com/stormbench/stormbench/internal/wsframe"
	"golang.org/x/sys/unix"
)

// misbehaving is a WebSocket server that upgrades every connection with
// gobwas/ws, then writes script as it is, and records the close code the
// client answers with.
type misbehaving struct {
	ln     net.Listener
	script []byte
	mu     sync.Mutex
	codes  []uint16
}

func startMisbehaving(t *testing.T, script []byte) *misbehaving {
	t.Helper()
	return startMisbehavingWith(t, script, nil)
}

// startMisbehavingWith is startMisbehaving with a socket option set on
// the listener (inherited by every accepted connection) by setopt.
func startMisbehavingWith(t *testing.T, script []byte, setopt func(fd uintptr)) *misbehaving {
	t.Helper()
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		if setopt != nil {
			return c.Control(setopt)
		}
		return nil
	}}
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &misbehaving{ln: ln, script: script}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go m.serve(c)
		}
	}()
	return m
}

func (m *misbehaving) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := ws.Upgrade(c); err != nil {
		return
	}
	if _, err := c.Write(m.script); err != nil {
		return
	}
	// The client's answer: a close frame with the code for the rule.
	for {
		f, err := ws.ReadFrame(c)
		if err != nil {
			return
		}
		if f.Header.OpCode == ws.OpClose {
			f = ws.UnmaskFrameInPlace(f)
			if len(f.Payload) >= 2 {
				m.mu.Lock()
				m.codes = append(m.codes, binary.BigEndian.Uint16(f.Payload))
				m.mu.Unlock()
			}
			return
		}
	}
}

// ruleSink records what the protocol tests look at.
type ruleSink struct {
	countSink
	rules      []wsframe.Rule
	causes     []measure.Cause
	failures   []measure.FailCause
	messages   int
	lost       int
	joins      int
	closeCodes map[int]int
	reasons    map[string]int
	goodbyes   map[string]int
}

func (s *ruleSink) RecordText(_ time.Duration, f measure.Family, text []byte) {
	var m *map[string]int
	switch f {
	case measure.CloseReasons:
		m = &s.reasons
	case measure.Goodbyes:
		m = &s.goodbyes
	default:
		return
	}
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[string(text)]++
}

func (s *ruleSink) RecordKey(_ time.Duration, f measure.Family, k int) {
	switch f {
	case measure.ProtocolErrors:
		s.rules = append(s.rules, wsframe.Rule(k))
	case measure.DisconnectCauses:
		s.causes = append(s.causes, measure.Cause(k))
	case measure.FailureCauses:
		s.failures = append(s.failures, measure.FailCause(k))
	case measure.CloseCodes:
		if s.closeCodes == nil {
			s.closeCodes = map[int]int{}
		}
		s.closeCodes[k]++
	}
}

func (s *ruleSink) Record(_ time.Duration, c measure.Column, v int64) {
	switch c {
	case measure.MessagesLost:
		s.lost += int(v)
	case measure.MessagesReceived:
		s.messages++
	case measure.Joins:
		s.joins += int(v)
	}
}

type ruleRecorder struct{ sinks []*ruleSink }

func (r *ruleRecorder) Sink(i int) Sink {
	for len(r.sinks) <= i {
		r.sinks = append(r.sinks, &ruleSink{})
	}
	return r.sinks[i]
}
func (r *ruleRecorder) StormInfo(int, StormInfo) {}

// runAgainst runs clients against addr for a short hold and returns what
// their one loop recorded.
func runAgainst(t *testing.T, addr string, clients int) *ruleSink {
	t.Helper()
	return runAgainstFor(t, addr, clients, 500*time.Millisecond)
}

// runAgainstFor is runAgainst with a hold of its own.
func runAgainstFor(t *testing.T, addr string, clients int, hold time.Duration) *ruleSink {
	t.Helper()
	cfg := Config{URL: "ws://" + addr + "/ws", Clients: clients, RampRate: 1000, Hold: hold, Loops: 1,
		Fault: Fault{Kind: FaultNone, RecoverTimeout: time.Second}, Policy: Policy{Base: time.Second}, Heartbeat: Heartbeat{Mode: HeartbeatNone}}.Resolve()
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
	if ctx.Err() != nil {
		t.Fatal("the run did not end by itself")
	}
	return rec.sinks[0]
}

func frame(b0 byte, payload []byte) []byte {
	var buf bytes.Buffer
	_ = ws.WriteHeader(&buf, ws.Header{Fin: b0&0x80 != 0, Rsv: (b0 >> 4) & 7, OpCode: ws.OpCode(b0 & 0xf), Length: int64(len(payload))})
	buf.Write(payload)
	return buf.Bytes()
}

// TestServerBreakingRFC6455: a server that breaks a rule a client must
// enforce gets its connection failed with the close code of the rule,
// and the rule is recorded as the cause's detail, never counted as a
// message.
func TestServerBreakingRFC6455(t *testing.T) {
	masked := []byte{0x81, 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2}
	nonMinimal := append([]byte{0x81, 126, 0, 5}, "hello"...)
	bigLen := []byte{0x82, 127, 0, 0, 0, 0, 0, 0x20, 0, 0} // 2 MiB declared
	tests := []struct {
		name   string
		script []byte
		rule   wsframe.Rule
	}{
		{"rsv bits", frame(0xC1, []byte("hi")), wsframe.RuleReservedBits},
		{"reserved opcode", frame(0x83, nil), wsframe.RuleReservedOpcode},
		{"masked frame", masked, wsframe.RuleMaskedFrame},
		{"200-byte ping", frame(0x89, bytes.Repeat([]byte{'p'}, 200)), wsframe.RuleControlTooLong},
		{"fragmented ping", frame(0x09, nil), wsframe.RuleControlFragmented},
		{"continuation first", frame(0x80, []byte("x")), wsframe.RuleUnexpectedContinuation},
		{"new message inside a fragmented one", append(frame(0x01, []byte("a")), frame(0x81, []byte("b"))...), wsframe.RuleExpectedContinuation},
		{"non-minimal length", nonMinimal, wsframe.RuleBadLength},
		{"invalid utf-8", frame(0x81, []byte{0xC3, 0x28}), wsframe.RuleInvalidUTF8},
		{"one-byte close", frame(0x88, []byte{3}), wsframe.RuleBadClosePayload},
		{"close code 1005", frame(0x88, []byte{0x03, 0xED}), wsframe.RuleBadCloseCode},
		{"message over 1 MiB", bigLen, wsframe.RuleMessageTooBig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startMisbehaving(t, tt.script)
			s := runAgainst(t, srv.ln.Addr().String(), 3)
			if len(s.rules) == 0 {
				t.Fatalf("no protocol error recorded; causes %v", s.causes)
			}
			for _, r := range s.rules {
				if r != tt.rule {
					t.Fatalf("rules %v, want only %v", s.rules, tt.rule)
				}
			}
			protocolErrors := 0
			for _, c := range s.causes {
				switch c {
				case measure.CauseProtocolError:
					protocolErrors++
				case measure.CauseDrain:
				default:
					t.Errorf("disconnect cause %v, want protocol_error", c)
				}
			}
			if protocolErrors != len(s.rules) {
				t.Errorf("%d protocol_error disconnects, %d rules recorded", protocolErrors, len(s.rules))
			}
			if s.messages != 0 {
				t.Errorf("%d broken frames counted as messages", s.messages)
			}
			srv.mu.Lock()
			codes := append([]uint16(nil), srv.codes...)
			srv.mu.Unlock()
			if len(codes) == 0 {
				t.Fatalf("the client sent no close frame")
			}
			for _, c := range codes {
				if c != tt.rule.CloseCode() {
					t.Errorf("client closed with %d, want %d for %v", c, tt.rule.CloseCode(), tt.rule)
				}
			}
		})
	}
}

// TestFragmentedMessagesAreReassembled: a server that fragments its
// broadcast produces whole messages, counted once each, and no loss.
func TestFragmentedMessagesAreReassembled(t *testing.T) {
	var script []byte
	script = append(script, frame(0x81, protocol.AppendMsg(nil, 1))...)
	m2 := protocol.AppendMsg(nil, 2)
	script = append(script, frame(0x01, m2[:5])...)
	script = append(script, frame(0x89, []byte("between"))...) // control frames may interleave (§5.4)
	script = append(script, frame(0x00, m2[5:9])...)
	script = append(script, frame(0x80, m2[9:])...)
	script = append(script, frame(0x81, protocol.AppendMsg(nil, 3))...)
	srv := startMisbehaving(t, script)
	s := runAgainst(t, srv.ln.Addr().String(), 5)
	if len(s.rules) != 0 {
		t.Fatalf("protocol errors %v", s.rules)
	}
	if s.messages != 3*5 || s.lost != 0 {
		t.Fatalf("messages %d (want 15: 3 per client), lost %d", s.messages, s.lost)
	}
}

// TestServerThatStopsReading: a server that floods pings and reads
// nothing fills the client's socket, then its bounded out-buffer: the
// client drops the connection with send_overflow instead of buffering
// without end.
func TestServerThatStopsReading(t *testing.T) {
	ping := frame(0x89, bytes.Repeat([]byte{'p'}, 125))
	// 8 MiB of pings, whose pongs the server does not read until it has
	// written them all: more than the client's socket buffer can grow to
	// on loopback (net.ipv4.tcp_wmem's 4 MiB) plus the server's receive
	// buffer, kept small, plus the client's out-buffer (maxOut). With 1 MiB
	// the kernel's buffers sometimes took every pong.
	srv := startMisbehavingWith(t, bytes.Repeat(ping, 64000), func(fd uintptr) {
		_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, 16<<10)
	})
	// The hold only bounds the run: the overflow ends the connection
	// as soon as the out-buffer fills, however busy the machine.
	s := runAgainstFor(t, srv.ln.Addr().String(), 1, 2*time.Second)
	overflow := 0
	for _, c := range s.causes {
		if c == measure.CauseSendOverflow {
			overflow++
		}
	}
	if overflow == 0 {
		t.Fatalf("causes %v, want send_overflow", s.causes)
	}
}
