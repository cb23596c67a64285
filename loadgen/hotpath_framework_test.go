package loadgen

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"golang.org/x/sys/unix"
)

// frameworkCase is a framework's protocol as the fake server end of a
// pair speaks it: the answers that bring client 1 to ready, one heartbeat
// round as the protocol's reference client has it, and one data message.
// Everything the server end does once the client is ready is built into
// the pair's fixed buffers, so that the allocation tests measure the
// client alone.
type frameworkCase struct {
	proto    Protocol
	fw       Framework
	seqField string
	// noResume: the protocol cannot resume (--resume=false).
	noResume bool
	op       ws.OpCode // the protocol's messages: text or binary
	// join is what the server answers, step by step, to what the client
	// sent last; the client is ready after the last step.
	join []joinStep
	// mode is the heartbeat the round exercises: HeartbeatServer (the
	// server pings: serverPing, and the client answers with answer, if
	// any) or HeartbeatApp (the client pings: its ping starts with
	// clientPing, and the server answers with pong).
	mode               HeartbeatMode
	serverPing, answer []byte
	clientPing         []byte
	pong               func(dst, ping []byte) []byte
	// rtt: the server's answer ends a round trip the client times (a
	// Pong); SignalR's and STOMP's are the server's own heartbeat.
	rtt bool
	// data is the server's broadcast of sequence number seq in the
	// protocol's envelope.
	data func(dst []byte, seq int64) []byte
}

// joinStep is one exchange of a join: the client's last message starts
// with want ("" = the client says nothing first), and the server answers.
type joinStep struct {
	want   string
	answer func(dst, got []byte) []byte
}

// says is a join step whose answer does not depend on what the client sent.
func says(want, answer string) joinStep {
	return joinStep{want, func(dst, _ []byte) []byte { return append(dst, answer...) }}
}

// seqJSON appends {"seq":N}.
func seqJSON(dst []byte, seq int64) []byte {
	return append(strconv.AppendInt(append(dst, `{"seq":`...), seq, 10), '}')
}

// lastID returns the digits after a message's last "id":.
func lastID(msg []byte) []byte {
	i := bytes.LastIndex(msg, []byte(`"id":`))
	if i < 0 {
		return nil
	}
	j := i + len(`"id":`)
	k := j
	for k < len(msg) && msg[k] >= '0' && msg[k] <= '9' {
		k++
	}
	return msg[j:k]
}

// frameworkCases is one case per framework protocol, with messages as
// their servers send them (the profiles' transcript tests hold captures
// of the real servers).
var frameworkCases = []frameworkCase{
	{
		proto: ProtocolSocketIO, op: ws.OpText,
		join: []joinStep{
			says("", `0{"sid":"Vt4k1yU6","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`),
			says("40", `40{"sid":"xyDq8Qa","pid":"Y2S8fQ1P"}`),
		},
		mode: HeartbeatServer, serverPing: []byte("2"), answer: []byte("3"),
		// With connection-state recovery the event's last argument is
		// its offset, which the client keeps to resume from.
		data: func(dst []byte, seq int64) []byte {
			dst = seqJSON(append(dst, `42["tick",`...), seq)
			return append(strconv.AppendInt(append(dst, `,"`...), 1e12+seq, 36), `"]`...)
		},
	},
	{
		proto: ProtocolGraphQLWS, op: ws.OpText, noResume: true, fw: Framework{Join: []string{"subscription { ticks { seq } }"}}, seqField: "data.ticks.seq",
		join: []joinStep{says(`{"type":"connection_init"}`, `{"type":"connection_ack"}`)},
		// graphql-ws's reference client sends no pings unless asked to
		// (keepAlive); with --heartbeat app it does, and the server pongs.
		mode: HeartbeatApp, clientPing: []byte(`{"type":"ping"}`), rtt: true,
		pong: func(dst, _ []byte) []byte { return append(dst, `{"type":"pong"}`...) },
		data: func(dst []byte, seq int64) []byte {
			dst = append(dst, `{"id":"00000000-0000-4000-8000-000000000001","type":"next","payload":{"data":{"ticks":`...)
			return append(seqJSON(dst, seq), `}}}`...)
		},
	},
	{
		proto: ProtocolActionCable, op: ws.OpText, noResume: true, fw: Framework{Join: []string{`{"channel":"TicksChannel"}`}},
		join: []joinStep{
			says("", `{"type":"welcome"}`),
			says(`{"command":"subscribe","identifier":"{\"channel\":\"TicksChannel\"}"}`, `{"identifier":"{\"channel\":\"TicksChannel\"}","type":"confirm_subscription"}`),
		},
		mode: HeartbeatServer, serverPing: []byte(`{"type":"ping","message":1796503790}`),
		data: func(dst []byte, seq int64) []byte {
			return append(seqJSON(append(dst, `{"identifier":"{\"channel\":\"TicksChannel\"}","message":`...), seq), '}')
		},
	},
	{
		proto: ProtocolCentrifuge, op: ws.OpText, fw: Framework{Join: []string{"ticks"}},
		// The connect and subscribe replies carry the ids of the client's
		// commands, which a reconnect numbers on.
		join: []joinStep{{`{"connect":`, func(dst, got []byte) []byte {
			connect, subscribe, _ := bytes.Cut(got, []byte("\n"))
			dst = append(append(dst, `{"id":`...), lastID(connect)...)
			dst = append(dst, `,"connect":{"client":"6d5fb364","version":"6.9.1 OSS","ping":25,"pong":true}}`+"\n"+`{"id":`...)
			dst = append(dst, lastID(subscribe)...)
			return append(dst, `,"subscribe":{"recoverable":true,"epoch":"eKHSbFgh","offset":0,"positioned":true}}`...)
		}}},
		mode: HeartbeatServer, serverPing: []byte(`{}`), answer: []byte(`{}`),
		// The publication's offset is the sequence number.
		data: func(dst []byte, seq int64) []byte {
			dst = seqJSON(append(dst, `{"push":{"channel":"ticks","pub":{"data":`...), seq)
			return append(strconv.AppendInt(append(dst, `,"offset":`...), seq, 10), `}}}`...)
		},
	},
	{
		proto: ProtocolPhoenix, op: ws.OpText, fw: Framework{Join: []string{"room:lobby"}},
		join: []joinStep{says(`["1","1","room:lobby","phx_join",{}]`, `["1","1","room:lobby","phx_reply",{"status":"ok","response":{}}]`)},
		mode: HeartbeatApp, clientPing: []byte(`[null,"`), rtt: true,
		// [null,"N","phoenix","heartbeat",{}] → [null,"N","phoenix","phx_reply",…]
		pong: func(dst, ping []byte) []byte {
			i := bytes.Index(ping, []byte(`"heartbeat"`))
			if i < 0 {
				return dst
			}
			return append(append(dst, ping[:i]...), `"phx_reply",{"status":"ok","response":{}}]`...)
		},
		data: func(dst []byte, seq int64) []byte {
			return append(seqJSON(append(dst, `[null,null,"room:lobby","tick",`...), seq), ']')
		},
	},
	{
		proto: ProtocolSignalR, op: ws.OpText, fw: Framework{Join: []string{"tick"}},
		join: []joinStep{says(`{"protocol":"json","version":1}`+"\x1e", "{}\x1e")},
		// SignalR answers no ping: each side pings the other.
		mode: HeartbeatApp, clientPing: []byte("{\"type\":6}\x1e"),
		pong: func(dst, _ []byte) []byte { return append(dst, "{\"type\":6}\x1e"...) },
		data: func(dst []byte, seq int64) []byte {
			return append(seqJSON(append(dst, `{"type":1,"target":"tick","arguments":[`...), seq), "]}\x1e"...)
		},
	},
	{
		proto: ProtocolMQTT, op: ws.OpBinary, fw: Framework{Join: []string{"ticks"}},
		join: []joinStep{
			says("\x10", "\x20\x02\x00\x00"), // CONNECT → CONNACK accepted
			{"\x82", func(dst, got []byte) []byte { // SUBSCRIBE → SUBACK of its packet id, QoS 0 granted
				if len(got) < 4 {
					return dst
				}
				return append(dst, 0x90, 3, got[2], got[3], 0)
			}},
		},
		mode: HeartbeatApp, clientPing: []byte{0xc0, 0}, rtt: true, // PINGREQ → PINGRESP
		pong: func(dst, _ []byte) []byte { return append(dst, 0xd0, 0) },
		// PUBLISH QoS 0 to "ticks".
		data: func(dst []byte, seq int64) []byte {
			at := len(dst)
			dst = seqJSON(append(dst, 0x30, 0, 0, 5, 't', 'i', 'c', 'k', 's'), seq)
			dst[at+1] = byte(len(dst) - at - 2)
			return dst
		},
	},
	{
		proto: ProtocolSTOMP, op: ws.OpText, fw: Framework{Join: []string{"/topic/ticks"}},
		join: []joinStep{
			says("CONNECT\n", "CONNECTED\nserver:RabbitMQ/3.10.8\nsession:session-wf-28tRHU1RFdrPOvS7EjQ\nheart-beat:10000,10000\nversion:1.2\n\n\x00\n"),
			says("SUBSCRIBE\n", "RECEIPT\nreceipt-id:sub-0\n\n\x00\n"),
		},
		// STOMP answers no heart-beat: each side sends its own EOL.
		mode: HeartbeatApp, clientPing: []byte("\n"),
		pong: func(dst, _ []byte) []byte { return append(dst, '\n') },
		data: func(dst []byte, seq int64) []byte {
			dst = append(dst, "MESSAGE\nsubscription:sub-0\ndestination:/topic/ticks\nmessage-id:T_sub-0@@session-wf-28tRHU1RFdrPOvS7EjQ@@"...)
			dst = append(strconv.AppendInt(dst, seq, 10), "\ncontent-type:application/json\n\n"...)
			return append(seqJSON(dst, seq), "\x00\n"...)
		},
	},
}

// TestFrameworkCasesCoverEveryProtocol: a protocol added to the table
// gets its hot-path benchmarks and allocation tests.
func TestFrameworkCasesCoverEveryProtocol(t *testing.T) {
	have := map[Protocol]bool{}
	for _, fc := range frameworkCases {
		have[fc.proto] = true
	}
	for _, p := range Protocols() {
		if p.Framework() && !have[p] {
			t.Errorf("no frameworkCase for %s", p)
		}
	}
}

// newFrameworkPair is a pair whose client speaks fc's protocol, brought
// to ready through fc's join, with fc's heartbeat.
func newFrameworkPair(tb testing.TB, fc *frameworkCase) *pair {
	tb.Helper()
	resume := !fc.noResume
	cfg := Config{Protocol: fc.proto, Framework: fc.fw, Formats: Formats{SeqField: fc.seqField}, Resume: &resume}.WithReference(false, HeartbeatSet{})
	cfg.Heartbeat.Mode = fc.mode
	if cfg.Heartbeat.Interval == 0 {
		cfg.Heartbeat.Interval = time.Second
	}
	p := newPairConfig(tb, cfg.Resolve())
	prof := p.c.sh.fl.profile
	if prof == nil || p.c.ps == nil {
		tb.Fatalf("%s: no profile", fc.proto)
	}
	p.fc = fc
	p.frameworkJoin(tb)
	*p.sink = countSink{}
	return p
}

// frameworkJoin brings the pair's client from a new connection to ready
// through the join of its protocol, the server end answering each step.
func (p *pair) frameworkJoin(tb testing.TB) {
	fc := p.fc
	p.c.frameworkOpened(p.c.sh.fl.profile, p.now)
	for i, step := range fc.join {
		n, got := p.serverRead(tb)
		if step.want == "" && n != 0 || step.want != "" && !bytes.HasPrefix(got, []byte(step.want)) {
			tb.Fatalf("%s join step %d: the client sent %d frames, the last %q; want %q", fc.proto, i, n, got, step.want)
		}
		p.serverWrite(tb, fc.op, step.answer(p.out[:0], got))
		if p.c.state != StateOpen {
			tb.Fatalf("%s join step %d: the client closed the connection", fc.proto, i)
		}
	}
	if !p.c.ready || !p.c.ps.Ready {
		tb.Fatalf("%s: not ready after the join", fc.proto)
	}
	p.serverRead(tb) // what the client sends on becoming ready (SignalR's first ping)
}

// TestFrameworkJoinDoesNotAllocate: the join of a connection that opened
// (again), through the client and its profile, allocates nothing once a
// first one ran — it is part of every attempt in a storm.
func TestFrameworkJoinDoesNotAllocate(t *testing.T) {
	for i := range frameworkCases {
		fc := &frameworkCases[i]
		t.Run(string(fc.proto), func(t *testing.T) {
			p := newFrameworkPair(t, fc)
			p.frameworkData(t, 1) // what a resume carries over (Socket.IO's offset, Centrifugo's)
			rejoin := func() {
				p.c.ready = false // as closeSocket leaves it
				p.c.sh.ready--
				p.frameworkJoin(t)
			}
			if n := testing.AllocsPerRun(100, rejoin); n != 0 {
				t.Fatalf("%v allocations per join", n)
			}
			if p.sink.joins != 101 || p.c.sh.ready != 1 || p.c.state != StateOpen { // AllocsPerRun's warm-up and 100 runs
				t.Fatalf("%d joins, %d ready, state %v", p.sink.joins, p.c.sh.ready, p.c.state)
			}
		})
	}
}

// serverRead reads, as the server, what the client wrote: how many
// frames, and the last one's payload (nil when it wrote nothing).
func (p *pair) serverRead(tb testing.TB) (int, []byte) {
	n, err := unix.Read(p.srv, p.buf)
	if err == unix.EAGAIN {
		return 0, nil
	}
	if err != nil {
		tb.Fatal(err)
	}
	p.got.n = 0
	if err := p.dec.Feed(&serverRole, p.buf[:n], &p.got, 0); err != nil {
		tb.Fatalf("server read: %v", err)
	}
	return p.got.n, p.got.payload[:p.got.len]
}

// serverWrite writes one message of the server and lets the client read
// it.
func (p *pair) serverWrite(tb testing.TB, op ws.OpCode, msg []byte) {
	if _, err := unix.Write(p.srv, p.fw.Frame(op, msg, nil)); err != nil {
		tb.Fatal(err)
	}
	p.c.OnEvent(unix.EPOLLIN)
}

// frameworkRound is one heartbeat round of the pair's protocol.
func (p *pair) frameworkRound(tb testing.TB) {
	fc := p.fc
	p.now += time.Millisecond
	if fc.mode == HeartbeatServer {
		p.serverWrite(tb, fc.op, fc.serverPing)
		n, got := p.serverRead(tb)
		if fc.answer == nil && n != 0 || fc.answer != nil && (n != 1 || !bytes.Equal(got, fc.answer)) {
			tb.Fatalf("%s: the client answered the ping with %d frames, the last %q; want %q", fc.proto, n, got, fc.answer)
		}
		return
	}
	p.c.ping(p.now, p.now)
	n, got := p.serverRead(tb)
	if n != 1 || !bytes.HasPrefix(got, fc.clientPing) {
		tb.Fatalf("%s: the client pinged with %d frames, the last %q; want %q", fc.proto, n, got, fc.clientPing)
	}
	p.serverWrite(tb, fc.op, fc.pong(p.out[:0], got))
}

// frameworkData is one broadcast of the pair's protocol, numbered seq.
func (p *pair) frameworkData(tb testing.TB, seq int64) {
	p.serverWrite(tb, p.fc.op, p.fc.data(p.out[:0], seq))
}

// checkFramework fails unless the pair's client is still open and ready,
// heard rounds heartbeat rounds (timed when the protocol times them) and
// messages broadcasts in sequence.
func (p *pair) checkFramework(tb testing.TB, rounds, messages int) {
	tb.Helper()
	fc, s := p.fc, p.sink
	if p.c.state != StateOpen || !p.c.ready {
		tb.Fatalf("%s: state %v, ready %v", fc.proto, p.c.state, p.c.ready)
	}
	if fc.rtt && s.rtts != rounds {
		tb.Errorf("%s: %d round trips timed in %d rounds", fc.proto, s.rtts, rounds)
	}
	// The client's ping and the server's answer, or the server's ping
	// and the client's answer (if any), are heartbeat frames.
	want := 2 * rounds
	if fc.mode == HeartbeatServer && fc.answer == nil {
		want = rounds
	}
	if got := s.hbSent + s.hbReceived; got != want {
		tb.Errorf("%s: %d heartbeat frames in %d rounds, want %d", fc.proto, got, rounds, want)
	}
	if s.messages != messages || s.lost != 0 || messages > 0 && p.c.lastSeq != int64(messages) {
		tb.Errorf("%s: %d messages of %d, lost %d, last seq %d", fc.proto, s.messages, messages, s.lost, p.c.lastSeq)
	}
}

// BenchmarkJoin is one join of a framework's protocol on a connection
// that opened: the client's opening messages, the server's answers, ready.
func BenchmarkJoin(b *testing.B) {
	for i := range frameworkCases {
		fc := &frameworkCases[i]
		b.Run(string(fc.proto), func(b *testing.B) {
			p := newFrameworkPair(b, fc)
			b.ReportAllocs()
			for b.Loop() {
				p.c.ready = false
				p.c.sh.ready--
				p.frameworkJoin(b)
			}
		})
	}
}
