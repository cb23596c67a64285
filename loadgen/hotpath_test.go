package loadgen

import (
	"bytes"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/protocol"
	"github.com/stormbench/stormbench/internal/wsframe"
	"golang.org/x/sys/unix"
)

// countSink counts what the hot path records; it never allocates.
type countSink struct {
	sent, received, rtts, lost int
	hbSent, hbReceived         int // heartbeat frames
	messages                   int // broadcasts
	joins                      int // clients that became ready
}

func (s *countSink) Record(_ time.Duration, c measure.Column, v int64) {
	switch c {
	case measure.BytesSent: // once per frame
		s.sent++
	case measure.BytesReceived:
		s.received++
	case measure.HeartbeatFramesSent:
		s.hbSent++
	case measure.HeartbeatFramesReceived:
		s.hbReceived++
	case measure.MessagesReceived:
		s.messages++
	case measure.Joins:
		s.joins++
	case measure.MessagesLost:
		s.lost += int(v)
	}
}

func (s *countSink) RecordKey(time.Duration, measure.Family, int)     {}
func (s *countSink) RecordText(time.Duration, measure.Family, []byte) {}

func (s *countSink) Observe(m measure.Metric, _ int64) {
	if m == measure.HeartbeatRTT {
		s.rtts++
	}
}

func (s *countSink) Storm(int, StormEvent)     {}
func (s *countSink) Cut(time.Duration, string) {}

// serverRole reads frames as the server does: masked, unmasked in place.
var serverRole = wsframe.Config{Role: wsframe.Server}

// catcher keeps the last frame the fake server read, without allocating.
type catcher struct {
	n       int
	op      ws.OpCode
	payload [512]byte
	len     int
}

func (c *catcher) keep(op ws.OpCode, p []byte) bool {
	c.n++
	c.op = op
	c.len = copy(c.payload[:], p)
	return true
}

func (c *catcher) Message(_ time.Duration, op ws.OpCode, p []byte, _ int) bool { return c.keep(op, p) }
func (c *catcher) Skipped(_ time.Duration, op ws.OpCode, _ int64, _ int) bool  { return c.keep(op, nil) }
func (c *catcher) Control(_ time.Duration, op ws.OpCode, p []byte, _ int) bool { return c.keep(op, p) }

// pair is one open client on a loop that is not running (the benchmark
// drives it), connected through a socketpair to a raw "server" end.
type pair struct {
	c      *client
	sink   *countSink
	srv    int
	buf    []byte
	dec    wsframe.Decoder // the server's view of the client's frames
	got    catcher
	fw     wsframe.Writer
	now    time.Duration
	closer func()
	// fc is the framework's protocol the server end speaks (nil:
	// stormbench's), out its scratch for building messages.
	fc  *frameworkCase
	out [1024]byte
}

func newPair(tb testing.TB, mode HeartbeatMode, fm Formats) *pair {
	tb.Helper()
	return newPairConfig(tb, Config{Heartbeat: Heartbeat{Mode: mode, Interval: time.Second}, Formats: fm}.Resolve())
}

// newPairConfig is a pair whose client runs the resolved cfg.
func newPairConfig(tb testing.TB, cfg Config) *pair {
	tb.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatal(err)
	}
	cc, err := cfg.compile()
	if err != nil {
		tb.Fatal(err)
	}
	p := &pair{}
	l, err := evloop.New(func() time.Duration { return p.now }, evloop.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	sink := &countSink{}
	f := &Fleet{cfg: cfg, policy: &cfg.Policy, formats: cc.formats, profile: cc.profile}
	sh := &shard{fl: f, cfg: &f.cfg, hb: cfg.Heartbeat.Mode.spec(), hbTimeout: cfg.Heartbeat.Timeout, loop: l, sink: sink, storm: stormState{k: -1}, payload: make([]byte, 0, 64), clients: make([]client, 1)}
	c := &sh.clients[0]
	c.init(sh, 1, 1)
	c.state, c.fd = StateOpen, int32(fds[0])
	sh.open = 1
	p.c, p.sink, p.srv, p.buf = c, sink, fds[1], make([]byte, 4096)
	p.closer = func() { unix.Close(fds[0]); unix.Close(fds[1]); l.Close() }
	tb.Cleanup(p.closer)
	return p
}

// serverEcho reads the client's ping and answers it as the server would.
func (p *pair) serverEcho(tb testing.TB) {
	n, err := unix.Read(p.srv, p.buf)
	if err != nil {
		tb.Fatal(err)
	}
	p.got.n = 0
	if err := p.dec.Feed(&serverRole, p.buf[:n], &p.got, 0); err != nil || p.got.n != 1 {
		tb.Fatalf("server read %d frames, err %v", p.got.n, err)
	}
	payload := p.got.payload[:p.got.len]
	var out []byte
	if p.got.op == ws.OpText { // app ping {"type":"ping","t":N} → pong, whatever the format
		var tmp [128]byte
		pong := append(tmp[:0], payload...)
		if i := bytes.Index(pong, []byte("ping")); i >= 0 {
			copy(pong[i:], "pong")
		}
		out = p.fw.Frame(ws.OpText, pong, nil)
	} else {
		out = p.fw.Frame(ws.OpPong, payload, nil)
	}
	if _, err := unix.Write(p.srv, out); err != nil {
		tb.Fatal(err)
	}
}

// round is one heartbeat: ping out, echo, pong in and recorded.
func (p *pair) round(tb testing.TB) {
	p.now += time.Millisecond
	p.c.ping(p.now, p.now)
	p.serverEcho(tb)
	p.c.OnEvent(unix.EPOLLIN)
}

// foreignApp is a server's own heartbeat format: the client's ping carries
// Unix milliseconds and the pong echoes them.
var foreignApp = Formats{AppPing: `{"op":"ping","time":{{now_ms}},"id":"{{client}}"}`, AppPong: "op=pong", AppPongTime: "time"}

func TestHeartbeatRoundDoesNotAllocate(t *testing.T) {
	tests := []struct {
		name string
		mode HeartbeatMode
		fm   Formats
	}{
		{"ws-ping", HeartbeatWSPing, Formats{}},
		{"app", HeartbeatApp, Formats{}},
		{"app-foreign", HeartbeatApp, foreignApp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPair(t, tt.mode, tt.fm)
			p.round(t) // warm up
			if n := testing.AllocsPerRun(200, func() { p.round(t) }); n != 0 {
				t.Fatalf("%v allocations per heartbeat round", n)
			}
			if p.sink.rtts != 202 || p.sink.sent != 202 || p.c.state != StateOpen { // warm-up, AllocsPerRun's own warm-up, 200 runs
				t.Fatalf("rtts %d sent %d state %v", p.sink.rtts, p.sink.sent, p.c.state)
			}
		})
	}
	// A framework's heartbeat, through the client and its profile.
	for i := range frameworkCases {
		fc := &frameworkCases[i]
		t.Run(string(fc.proto), func(t *testing.T) {
			p := newFrameworkPair(t, fc)
			p.frameworkRound(t) // warm up
			if n := testing.AllocsPerRun(200, func() { p.frameworkRound(t) }); n != 0 {
				t.Fatalf("%v allocations per heartbeat round", n)
			}
			p.checkFramework(t, 202, 0)
		})
	}
}

func TestReceivedMessageDoesNotAllocate(t *testing.T) {
	t.Run("stormbench", func(t *testing.T) {
		p := newPair(t, HeartbeatWSPing, Formats{})
		seq := int64(0)
		var tmp [64]byte
		send := func() {
			seq++
			if _, err := unix.Write(p.srv, p.fw.Frame(ws.OpText, protocol.AppendMsg(tmp[:0], seq), nil)); err != nil {
				t.Fatal(err)
			}
			p.c.OnEvent(unix.EPOLLIN)
		}
		send()
		if n := testing.AllocsPerRun(500, send); n != 0 {
			t.Fatalf("%v allocations per received message", n)
		}
		if p.c.lastSeq != seq || p.sink.lost != 0 {
			t.Fatalf("lastSeq %d of %d, lost %d", p.c.lastSeq, seq, p.sink.lost)
		}
	})
	// A framework's broadcast in its envelope, through the client and its
	// profile.
	for i := range frameworkCases {
		fc := &frameworkCases[i]
		t.Run(string(fc.proto), func(t *testing.T) {
			p := newFrameworkPair(t, fc)
			seq := int64(0)
			send := func() {
				seq++
				p.frameworkData(t, seq)
			}
			send()
			if n := testing.AllocsPerRun(500, send); n != 0 {
				t.Fatalf("%v allocations per received message", n)
			}
			p.checkFramework(t, 0, 502)
		})
	}
}

func BenchmarkHeartbeatRound(b *testing.B) {
	for _, mode := range []HeartbeatMode{HeartbeatWSPing, HeartbeatApp} {
		b.Run(string(mode), func(b *testing.B) {
			p := newPair(b, mode, Formats{})
			b.ReportAllocs()
			for b.Loop() {
				p.round(b)
			}
		})
	}
	for i := range frameworkCases {
		fc := &frameworkCases[i]
		b.Run(string(fc.proto), func(b *testing.B) {
			p := newFrameworkPair(b, fc)
			b.ReportAllocs()
			for b.Loop() {
				p.frameworkRound(b)
			}
		})
	}
}

func BenchmarkReceiveMessage(b *testing.B) {
	b.Run("stormbench", func(b *testing.B) {
		p := newPair(b, HeartbeatWSPing, Formats{})
		var fw wsframe.Writer
		var tmp [64]byte
		seq := int64(0)
		b.ReportAllocs()
		for b.Loop() {
			seq++
			if _, err := unix.Write(p.srv, fw.Frame(ws.OpText, protocol.AppendMsg(tmp[:0], seq), nil)); err != nil {
				b.Fatal(err)
			}
			p.c.OnEvent(unix.EPOLLIN)
		}
	})
	for i := range frameworkCases {
		fc := &frameworkCases[i]
		b.Run(string(fc.proto), func(b *testing.B) {
			p := newFrameworkPair(b, fc)
			seq := int64(0)
			b.ReportAllocs()
			for b.Loop() {
				seq++
				p.frameworkData(b, seq)
			}
			p.checkFramework(b, 0, int(seq))
		})
	}
}

// sendRound is one client message: produced, written, acknowledged by the
// "server" end and settled by the client.
func (p *pair) sendRound(tb testing.TB) {
	p.now += time.Millisecond
	p.c.produce(p.now, p.now)
	n, err := unix.Read(p.srv, p.buf)
	if err != nil {
		tb.Fatal(err)
	}
	p.got.n = 0
	if err := p.dec.Feed(&serverRole, p.buf[:n], &p.got, 0); err != nil || p.got.n != 1 {
		tb.Fatalf("server read %d frames, err %v", p.got.n, err)
	}
	m, err := protocol.Parse(p.got.payload[:p.got.len])
	if err != nil || m.Kind != protocol.KindSend {
		tb.Fatalf("server read %q (%v)", p.got.payload[:p.got.len], err)
	}
	var tmp [64]byte
	if _, err := unix.Write(p.srv, p.fw.Frame(ws.OpText, protocol.AppendAck(tmp[:0], uint64(m.ID), false), nil)); err != nil {
		tb.Fatal(err)
	}
	p.c.OnEvent(unix.EPOLLIN)
}

func newSendPair(tb testing.TB) *pair {
	p := newPair(tb, HeartbeatWSPing, Formats{})
	p.c.sh.cfg.Send = Send{Rate: 1, Size: 100}
	p.c.startSending(0)
	p.c.sh.loop.Cancel(&p.c.snd.timer) // the benchmark produces by hand
	return p
}

// TestSendRoundDoesNotAllocate: producing, writing and settling a client
// message allocates nothing once the queue has grown.
func TestSendRoundDoesNotAllocate(t *testing.T) {
	p := newSendPair(t)
	p.sendRound(t)
	if n := testing.AllocsPerRun(200, func() { p.sendRound(t) }); n != 0 {
		t.Fatalf("%v allocations per message", n)
	}
	if s := p.c.snd; s.inflight != 0 || s.waiting() != 0 || s.nextID != 203 {
		t.Fatalf("inflight %d waiting %d next %d", s.inflight, s.waiting(), s.nextID)
	}
}

func BenchmarkSendRound(b *testing.B) {
	p := newSendPair(b)
	b.ReportAllocs()
	for b.Loop() {
		p.sendRound(b)
	}
}
