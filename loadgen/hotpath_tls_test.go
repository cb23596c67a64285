package loadgen

import (
	"bytes"
	"crypto/tls"
	"net"
	"os"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/looptls"
	"github.com/stormbench/stormbench/internal/protocol"
	"github.com/stormbench/stormbench/internal/tlsfiles"
	"golang.org/x/sys/unix"
)

// tlsPair is pair over wss: an open client whose TLS connection runs on
// its (not running) loop, and a "server" end that speaks TLS with
// internal/looptls by hand.
type tlsPair struct {
	*pair
	srvTLS       *looptls.Conn
	scratch, out []byte
	plain        []byte
}

// fileConn makes a net.Conn of one end of a socketpair, for the
// handshake; the descriptor is the net.Conn's from then on.
func fileConn(tb testing.TB, fd int) net.Conn {
	tb.Helper()
	f := os.NewFile(uintptr(fd), "pair")
	nc, err := net.FileConn(f)
	f.Close()
	if err != nil {
		tb.Fatal(err)
	}
	return nc
}

func newTLSPair(tb testing.TB, mode HeartbeatMode) *tlsPair {
	tb.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatal(err)
	}
	cert, pool, err := tlsfiles.SelfSigned([]string{"127.0.0.1"})
	if err != nil {
		tb.Fatal(err)
	}
	cnc, snc := fileConn(tb, fds[0]), fileConn(tb, fds[1])
	type res struct {
		c   *looptls.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := looptls.Server(snc, &tls.Config{Certificates: []tls.Certificate{cert}})
		ch <- res{c, err}
	}()
	cli, err := looptls.Client(cnc, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", DynamicRecordSizingDisabled: true})
	if err != nil {
		tb.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		tb.Fatal(r.err)
	}
	cfd, err := cli.Detach()
	if err != nil {
		tb.Fatal(err)
	}
	sfd, err := r.c.Detach()
	if err != nil {
		tb.Fatal(err)
	}

	cfg := Config{Heartbeat: Heartbeat{Mode: mode, Interval: time.Second}}.Resolve()
	cc, err := cfg.compile()
	if err != nil {
		tb.Fatal(err)
	}
	p := &tlsPair{pair: &pair{}, srvTLS: r.c, scratch: make([]byte, 64<<10), plain: make([]byte, 64<<10)}
	l, err := evloop.New(func() time.Duration { return p.now }, evloop.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	sink := &countSink{}
	f := &Fleet{cfg: cfg, policy: &cfg.Policy, formats: cc.formats}
	sh := &shard{fl: f, cfg: &f.cfg, hb: cfg.Heartbeat.Mode.spec(), hbTimeout: cfg.Heartbeat.Timeout, loop: l, sink: sink, storm: stormState{k: -1},
		payload: make([]byte, 0, 64), clients: make([]client, 1), rx: make([]byte, 64<<10)}
	c := &sh.clients[0]
	c.init(sh, 1, 1)
	c.state, c.fd, c.tls = StateOpen, int32(cfd), cli
	sh.open = 1
	p.c, p.sink, p.srv, p.buf = c, sink, sfd, make([]byte, 4096)
	tb.Cleanup(func() { unix.Close(cfd); unix.Close(sfd); l.Close() })
	return p
}

// srvRead reads one event's worth on the server end and feeds the frames
// to its decoder.
func (p *tlsPair) srvRead(tb testing.TB) {
	tb.Helper()
	n, err := p.srvTLS.Fill(p.srv, p.scratch)
	if n == 0 {
		tb.Fatalf("server read: %v", err)
	}
	p.got.n = 0
	for {
		m, err := p.srvTLS.Read(p.plain)
		if err != nil {
			tb.Fatal(err)
		}
		if m == 0 {
			break
		}
		if err := p.dec.Feed(&serverRole, p.plain[:m], &p.got, 0); err != nil {
			tb.Fatal(err)
		}
	}
	if p.got.n != 1 {
		tb.Fatalf("server read %d frames", p.got.n)
	}
}

// srvSend sends a frame from the server end.
func (p *tlsPair) srvSend(tb testing.TB, frame []byte) {
	tb.Helper()
	var err error
	if p.out, err = p.srvTLS.Seal(p.out[:0], frame); err != nil {
		tb.Fatal(err)
	}
	if n, err := unix.Write(p.srv, p.out); n != len(p.out) {
		tb.Fatalf("server write: %d of %d, %v", n, len(p.out), err)
	}
}

// round is one heartbeat over TLS: ping out, echo, pong in and recorded.
func (p *tlsPair) round(tb testing.TB) {
	p.now += time.Millisecond
	p.c.ping(p.now, p.now)
	p.srvRead(tb)
	payload := p.got.payload[:p.got.len]
	if p.got.op == ws.OpText {
		var tmp [128]byte
		pong := append(tmp[:0], payload...)
		if i := bytes.Index(pong, []byte("ping")); i >= 0 {
			copy(pong[i:], "pong")
		}
		p.srvSend(tb, p.fw.Frame(ws.OpText, pong, nil))
	} else {
		p.srvSend(tb, p.fw.Frame(ws.OpPong, payload, nil))
	}
	p.c.OnEvent(unix.EPOLLIN)
}

func TestHeartbeatRoundDoesNotAllocateWSS(t *testing.T) {
	for _, mode := range []HeartbeatMode{HeartbeatWSPing, HeartbeatApp} {
		t.Run(string(mode), func(t *testing.T) {
			p := newTLSPair(t, mode)
			p.round(t) // warm up: the session ticket, the buffers
			if n := testing.AllocsPerRun(200, func() { p.round(t) }); n != 0 {
				t.Fatalf("%v allocations per heartbeat round over wss", n)
			}
			if p.sink.rtts != 202 || p.c.state != StateOpen {
				t.Fatalf("rtts %d state %v", p.sink.rtts, p.c.state)
			}
		})
	}
}

func TestReceivedMessageDoesNotAllocateWSS(t *testing.T) {
	p := newTLSPair(t, HeartbeatWSPing)
	seq := int64(0)
	var tmp [64]byte
	send := func() {
		seq++
		p.srvSend(t, p.fw.Frame(ws.OpText, protocol.AppendMsg(tmp[:0], seq), nil))
		p.c.OnEvent(unix.EPOLLIN)
	}
	send()
	if n := testing.AllocsPerRun(500, send); n != 0 {
		t.Fatalf("%v allocations per received message over wss", n)
	}
	if p.c.lastSeq != seq || p.sink.lost != 0 || p.c.state != StateOpen {
		t.Fatalf("lastSeq %d of %d, lost %d, state %v", p.c.lastSeq, seq, p.sink.lost, p.c.state)
	}
}

func BenchmarkHeartbeatRoundWSS(b *testing.B) {
	for _, mode := range []HeartbeatMode{HeartbeatWSPing, HeartbeatApp} {
		b.Run(string(mode), func(b *testing.B) {
			p := newTLSPair(b, mode)
			p.round(b)
			b.ReportAllocs()
			for b.Loop() {
				p.round(b)
			}
		})
	}
}

func BenchmarkReceiveMessageWSS(b *testing.B) {
	p := newTLSPair(b, HeartbeatWSPing)
	var tmp [64]byte
	seq := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		seq++
		p.srvSend(b, p.fw.Frame(ws.OpText, protocol.AppendMsg(tmp[:0], seq), nil))
		p.c.OnEvent(unix.EPOLLIN)
	}
}
