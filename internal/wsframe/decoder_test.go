package wsframe

import (
	"bytes"
	"strings"
	"testing"
	"unsafe"

	"github.com/gobwas/ws"
)

func TestDecoderSize(t *testing.T) {
	// One Decoder per connection, up to a million connections.
	if n := unsafe.Sizeof(Decoder{}); n > 64 {
		t.Fatalf("sizeof(Decoder) = %d, want at most 64", n)
	}
}

// reassemblyStream is a text message in three fragments with a ping
// between the first two and a pong between the last two, then a binary
// message, for the role's masking.
func reassemblyStream(role Role) (stream []byte, want []event) {
	var key *[4]byte
	if role == Server {
		key = &[4]byte{0x37, 0xfa, 0x21, 0x3d}
	}
	parts := []string{"héllo, ", "wörld ", "€😀!"}
	// Cut the multi-byte characters across fragments too.
	text := strings.Join(parts, "")
	f1, f2, f3 := text[:2], text[2:12], text[12:]
	frames := [][]byte{
		raw(false, 0, ws.OpText, []byte(f1), key),
		raw(true, 0, ws.OpPing, []byte("tick"), key),
		raw(false, 0, ws.OpContinuation, []byte(f2), key),
		raw(true, 0, ws.OpPong, nil, key),
		raw(true, 0, ws.OpContinuation, []byte(f3), key),
		raw(true, 0, ws.OpBinary, []byte{0, 1, 2, 0xff}, key),
	}
	stream = bytes.Join(frames, nil)
	wire := len(frames[0]) + len(frames[2]) + len(frames[4])
	want = []event{
		ctl(ws.OpPing, "tick", len(frames[1])),
		ctl(ws.OpPong, "", len(frames[3])),
		msg(ws.OpText, text, wire),
		msg(ws.OpBinary, "\x00\x01\x02\xff", len(frames[5])),
	}
	return stream, want
}

func TestReassemblyEverySplit(t *testing.T) {
	for _, role := range []Role{Client, Server} {
		stream, want := reassemblyStream(role)
		cfg := &Config{Role: role}
		check := func(name string, cuts []int) {
			t.Helper()
			got, d, err := feedChunks(cfg, stream, cuts)
			if err != nil || !sameEvents(got, want) {
				t.Fatalf("role %d %s %v: got %v, %v; want %v", role, name, cuts, got, err, want)
			}
			if d.Retained() > retainBuf {
				t.Fatalf("role %d %s %v: %d bytes retained after the last message", role, name, cuts, d.Retained())
			}
		}
		check("whole", nil)
		check("bytes", byteCuts(len(stream)))
		for i := 0; i <= len(stream); i++ {
			check("one cut", []int{i})
			for j := i; j <= len(stream); j++ {
				check("two cuts", []int{i, j})
			}
		}
	}
}

func TestMaskedPayloadUnmaskedAcrossReads(t *testing.T) {
	// A kept message masked with a key that changes every byte, cut at
	// every offset: the mask position must carry across reads.
	key := [4]byte{0x01, 0x80, 0xfe, 0x55}
	payload := bytes.Repeat([]byte("0123456789abcdef"), 20)
	stream := raw(true, 0, ws.OpBinary, payload, &key)
	cfg := &Config{Role: Server}
	want := []event{msg(ws.OpBinary, string(payload), len(stream))}
	for i := 0; i <= len(stream); i++ {
		got, _, err := feedChunks(cfg, stream, []int{i, min(i+7, len(stream))})
		if err != nil || !sameEvents(got, want) {
			t.Fatalf("cut %d: got %v, %v", i, got, err)
		}
	}
}

func TestHandlerStops(t *testing.T) {
	stream := []byte("\x81\x01a" + "\x81\x01b" + "\x81\x01c")
	var d Decoder
	rec := &recorder{stopAt: 2}
	if err := d.Feed(&Config{}, stream, rec, 0); err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != 2 {
		t.Fatalf("delivered %v after the handler said stop", rec.events)
	}
}

func TestReset(t *testing.T) {
	var d Decoder
	cfg := &Config{}
	// Leave a fragmented message in progress, half a frame buffered.
	if err := d.Feed(cfg, []byte("\x01\x02h"), &recorder{}, 0); err != nil {
		t.Fatal(err)
	}
	d.Reset()
	got, err := func() ([]event, error) {
		rec := &recorder{}
		err := d.Feed(cfg, []byte("\x81\x02hi"), rec, 0)
		return rec.events, err
	}()
	if err != nil || !sameEvents(got, []event{msg(ws.OpText, "hi", 4)}) || d.Retained() != 0 {
		t.Fatalf("after Reset: %v, %v, retained %d", got, err, d.Retained())
	}
}

// TestBoundedMemory streams 1 MiB messages (single frames and fragmented,
// binary and valid multi-byte text, both roles) in 1 KiB reads: the
// decoder never holds more than Keep bytes and reports the right sizes.
func TestBoundedMemory(t *testing.T) {
	const size = 1 << 20
	text := bytes.Repeat([]byte("añ€😀"), size/10) // 10 bytes a round
	bin := bytes.Repeat([]byte{0xff, 0x00, 0xc3}, size/3+1)[:size]
	for _, role := range []Role{Client, Server} {
		var key *[4]byte
		if role == Server {
			key = &[4]byte{9, 8, 7, 6}
		}
		type message struct {
			op     ws.OpCode
			frames [][]byte
			size   int
		}
		// A fragmented message starts small (kept, buffered) and grows
		// past Keep: its buffer must be dropped.
		frag := [][]byte{
			raw(false, 0, ws.OpBinary, bin[:100], key),
			raw(false, 0, ws.OpContinuation, bin[100:3000], key),
			raw(true, 0, ws.OpPing, []byte("p"), key),
			raw(false, 0, ws.OpContinuation, bin[3000:size-10], key),
			raw(true, 0, ws.OpContinuation, bin[size-10:], key),
		}
		msgs := []message{
			{ws.OpBinary, [][]byte{raw(true, 0, ws.OpBinary, bin, key)}, size},
			{ws.OpText, [][]byte{raw(true, 0, ws.OpText, text[:size-size%10], key)}, size - size%10},
			{ws.OpBinary, frag, size},
		}
		cfg := &Config{Role: role}
		var d Decoder
		rec := &recorder{keep: DefaultKeep}
		var want []event
		var stream []byte
		for _, m := range msgs {
			wire := 0
			for _, f := range m.frames {
				stream = append(stream, f...)
				if f[0]&0x0f != byte(ws.OpPing) {
					wire += len(f)
				} else {
					want = append(want, ctl(ws.OpPing, "p", len(f)))
				}
			}
			want = append(want, event{'S', m.op, "", int64(m.size), wire})
		}
		for off := 0; off < len(stream); off += 1024 {
			if err := d.Feed(cfg, stream[off:min(off+1024, len(stream))], rec, 0); err != nil {
				t.Fatalf("role %d at %d: %v", role, off, err)
			}
			if d.Retained() > DefaultKeep {
				t.Fatalf("role %d at %d: %d bytes retained, Keep is %d", role, off, d.Retained(), DefaultKeep)
			}
		}
		if !sameEvents(rec.events, want) || rec.over != 0 {
			t.Fatalf("role %d: got %v, want %v", role, rec.events, want)
		}
	}
}

// TestKeptSplitBuffer: a kept message split across reads is buffered
// within Keep, and a large buffer is released after delivery.
func TestKeptSplitBuffer(t *testing.T) {
	cfg := &Config{Keep: 1000}
	payload := bytes.Repeat([]byte("x"), 1000)
	stream := raw(true, 0, ws.OpBinary, payload, nil)
	var d Decoder
	rec := &recorder{}
	for off := 0; off < len(stream); off += 100 {
		if err := d.Feed(cfg, stream[off:min(off+100, len(stream))], rec, 0); err != nil {
			t.Fatal(err)
		}
		if d.Retained() > cfg.Keep {
			t.Fatalf("retained %d > Keep", d.Retained())
		}
	}
	if len(rec.events) != 1 || rec.events[0].payload != string(payload) {
		t.Fatalf("got %v", rec.events)
	}
	if d.Retained() != 0 {
		t.Fatalf("a %d-byte buffer retained after delivery", d.Retained())
	}
	// One byte more than Keep is skipped, not buffered.
	stream = raw(true, 0, ws.OpBinary, append(payload, 'y'), nil)
	rec.events = nil
	for off := 0; off < len(stream); off += 100 {
		if err := d.Feed(cfg, stream[off:min(off+100, len(stream))], rec, 0); err != nil {
			t.Fatal(err)
		}
		if d.Retained() != 0 {
			t.Fatalf("retained %d for a skipped message", d.Retained())
		}
	}
	if !sameEvents(rec.events, []event{{'S', ws.OpBinary, "", 1001, len(stream)}}) {
		t.Fatalf("got %v", rec.events)
	}
	// A kept fragmented message grows its buffer by doubling, never past
	// Keep: 300 + 300 + 300 + 100 bytes.
	stream = nil
	for i, n := range []int{300, 300, 300, 100} {
		op := ws.OpContinuation
		if i == 0 {
			op = ws.OpBinary
		}
		stream = append(stream, raw(i == 3, 0, op, payload[:n], nil)...)
	}
	rec.events = nil
	for off := 0; off < len(stream); off += 50 {
		if err := d.Feed(cfg, stream[off:min(off+50, len(stream))], rec, 0); err != nil {
			t.Fatal(err)
		}
		if d.Retained() > cfg.Keep {
			t.Fatalf("retained %d > Keep", d.Retained())
		}
	}
	if len(rec.events) != 1 || rec.events[0].payload != string(payload) {
		t.Fatalf("got %v", rec.events)
	}
}
