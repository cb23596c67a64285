package wsframe

import (
	"bytes"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

// counter is a Handler that allocates nothing.
type counter struct{ n, bytes int }

func (c *counter) Message(_ time.Duration, _ ws.OpCode, p []byte, _ int) bool {
	c.n++
	c.bytes += len(p)
	return true
}
func (c *counter) Skipped(_ time.Duration, _ ws.OpCode, n int64, _ int) bool {
	c.n++
	c.bytes += int(n)
	return true
}
func (c *counter) Control(_ time.Duration, _ ws.OpCode, p []byte, _ int) bool {
	c.n++
	c.bytes += len(p)
	return true
}

var (
	key       = [4]byte{0x11, 0x22, 0x33, 0x44}
	smallText = raw(true, 0, ws.OpText, []byte(`{"type":"msg","seq":123456,"t":1700000000000}`), nil)
	ping      = raw(true, 0, ws.OpPing, []byte("12345678"), nil)
	masked1K  = raw(true, 0, ws.OpBinary, bytes.Repeat([]byte("x"), 1024), &key)
	// Text for the server role: re-masked before every Feed.
	maskedText = raw(true, 0, ws.OpText, []byte(`{"type":"ping","t":1700000000000}`), &key)
	stream64K  = raw(true, 0, ws.OpBinary, bytes.Repeat([]byte{1}, 64<<10), nil)
)

// TestSteadyStateAllocs: the hot paths allocate nothing.
func TestSteadyStateAllocs(t *testing.T) {
	client, server := &Config{Role: Client}, &Config{Role: Server}
	split := append(append([]byte(nil), smallText...), smallText...)
	tests := []struct {
		name string
		cfg  *Config
		data []byte
		feed func(d *Decoder, cfg *Config, data []byte, h Handler)
	}{
		{"small text", client, smallText, nil},
		{"ping", client, ping, nil},
		{"masked 1 KiB binary", server, masked1K, nil},
		{"masked text", server, maskedText, nil},
		{"64 KiB streamed", client, stream64K, nil},
		// Split across reads: copied into the small retained buffer.
		{"small text split", client, split, func(d *Decoder, cfg *Config, data []byte, h Handler) {
			_ = d.Feed(cfg, data[:len(data)/2], h, 0)
			_ = d.Feed(cfg, data[len(data)/2:], h, 0)
		}},
	}
	for _, tc := range tests {
		var d Decoder
		h := &counter{}
		orig := append([]byte(nil), tc.data...)
		data := make([]byte, len(orig))
		run := func() {
			copy(data, orig) // masked payloads are unmasked in place
			if tc.feed != nil {
				tc.feed(&d, tc.cfg, data, h)
			} else if err := d.Feed(tc.cfg, data, h, 0); err != nil {
				t.Fatal(err)
			}
		}
		run() // warm-up
		if n := testing.AllocsPerRun(100, run); n != 0 {
			t.Errorf("%s: %v allocations per Feed", tc.name, n)
		}
		if h.n == 0 {
			t.Errorf("%s: nothing delivered", tc.name)
		}
	}
	// Failing is allocation-free too: the Rule is the error.
	bad := []byte("\x81\x02hi\xc1\x00")
	var d Decoder
	h := &counter{}
	if n := testing.AllocsPerRun(100, func() {
		d.Reset()
		if d.Feed(client, bad, h, 0) != RuleReservedBits {
			t.Fatal("want reserved_bits")
		}
	}); n != 0 {
		t.Errorf("failing: %v allocations", n)
	}
	var w Writer
	for _, mask := range []*[4]byte{nil, &key} {
		w.Frame(ws.OpText, smallText, mask)
		if n := testing.AllocsPerRun(100, func() {
			w.Frame(ws.OpText, smallText, mask)
			w.Frame(ws.OpPong, []byte("12345678"), mask)
			w.Close(1000, "bye", mask)
		}); n != 0 {
			t.Errorf("Writer (mask %v): %v allocations", mask != nil, n)
		}
	}
}

func benchFeed(b *testing.B, cfg *Config, data []byte) {
	var d Decoder
	h := &counter{}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		// A masked binary payload is unmasked in place: feeding the same
		// bytes again toggles it, which binary data does not mind.
		if err := d.Feed(cfg, data, h, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeSmallText(b *testing.B) { benchFeed(b, &Config{}, smallText) }
func BenchmarkDecodePing(b *testing.B)      { benchFeed(b, &Config{}, ping) }
func BenchmarkDecodeMasked1K(b *testing.B)  { benchFeed(b, &Config{Role: Server}, masked1K) }
func BenchmarkStream64K(b *testing.B)       { benchFeed(b, &Config{}, stream64K) }

// BenchmarkStream64KText: a 64 KiB text frame, streamed and validated.
func BenchmarkStream64KText(b *testing.B) {
	benchFeed(b, &Config{}, raw(true, 0, ws.OpText, bytes.Repeat([]byte("stormbench ☂ "), 64<<10/15), nil))
}

// BenchmarkStream64KChunks: the 64 KiB frame in 4 KiB reads.
func BenchmarkStream64KChunks(b *testing.B) {
	var d Decoder
	h := &counter{}
	cfg := &Config{}
	b.ReportAllocs()
	b.SetBytes(int64(len(stream64K)))
	for b.Loop() {
		for off := 0; off < len(stream64K); off += 4096 {
			if err := d.Feed(cfg, stream64K[off:min(off+4096, len(stream64K))], h, 0); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkWriteFrame(b *testing.B) {
	var w Writer
	payload := []byte(`{"type":"ping","t":1700000000000}`)
	b.ReportAllocs()
	for b.Loop() {
		w.Frame(ws.OpText, payload, &key)
	}
}
