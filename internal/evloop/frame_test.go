package evloop

import (
	"bytes"
	"testing"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

func TestFrameWriterReadsBackWithGobwas(t *testing.T) {
	mask := [4]byte{1, 2, 3, 4}
	tests := []struct {
		name    string
		op      ws.OpCode
		payload []byte
		mask    *[4]byte
	}{
		{"text unmasked", ws.OpText, []byte(`{"type":"msg","seq":1}`), nil},
		{"ping masked", ws.OpPing, []byte("12345678"), &mask},
		{"empty pong", ws.OpPong, nil, nil},
		{"16-bit length", ws.OpBinary, bytes.Repeat([]byte{7}, 300), &mask},
		{"64-bit length", ws.OpBinary, bytes.Repeat([]byte{9}, 70000), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w FrameWriter
			b := append([]byte(nil), w.Frame(tt.op, tt.payload, tt.mask)...)
			// Read back with gobwas/ws's own reader as the reference.
			f, err := ws.ReadFrame(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if f.Header.Masked != (tt.mask != nil) {
				t.Fatalf("masked = %v, want %v", f.Header.Masked, tt.mask != nil)
			}
			if f.Header.Masked {
				f = ws.UnmaskFrameInPlace(f)
			}
			if f.Header.OpCode != tt.op || !bytes.Equal(f.Payload, tt.payload) {
				t.Fatalf("read back %v %q", f.Header, f.Payload)
			}
			// And with our reader, including every split point.
			var r FrameReader
			for cut := 0; cut < len(b); cut += 1 + len(b)/50 {
				_, _, n, err := r.Next(b[:cut])
				if err != nil || n != 0 {
					t.Fatalf("partial %d/%d: n=%d err=%v", cut, len(b), n, err)
				}
			}
			h, p, n, err := r.Next(b)
			if err != nil || n != len(b) || h.OpCode != tt.op {
				t.Fatalf("Next = %v, n=%d err=%v", h, n, err)
			}
			if h.Masked {
				ws.Cipher(p, h.Mask, 0)
			}
			if !bytes.Equal(p, tt.payload) {
				t.Fatalf("payload %q", p)
			}
		})
	}
}

func TestFrameReaderSeveralFramesAndLimit(t *testing.T) {
	var buf bytes.Buffer
	_ = wsutil.WriteServerText(&buf, []byte("a"))
	_ = wsutil.WriteServerMessage(&buf, ws.OpPing, []byte("bb"))
	var r FrameReader
	data := buf.Bytes()
	var ops []ws.OpCode
	for len(data) > 0 {
		h, _, n, err := r.Next(data)
		if err != nil || n == 0 {
			t.Fatalf("n=%d err=%v", n, err)
		}
		ops = append(ops, h.OpCode)
		data = data[n:]
	}
	if len(ops) != 2 || ops[0] != ws.OpText || ops[1] != ws.OpPing {
		t.Fatalf("ops %v", ops)
	}
	var w FrameWriter
	big := w.Frame(ws.OpBinary, make([]byte, MaxFramePayload+1), nil)
	if _, _, _, err := r.Next(big[:20]); err != ErrFrameTooLarge {
		t.Fatalf("err = %v, want ErrFrameTooLarge", err)
	}
}

func FuzzFrameReader(f *testing.F) {
	var w FrameWriter
	f.Add(append([]byte(nil), w.Frame(ws.OpText, []byte("hi"), nil)...))
	f.Add([]byte{0x81, 0xff, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		var r FrameReader
		for len(b) > 0 {
			_, p, n, err := r.Next(b)
			if err != nil || n == 0 {
				return
			}
			if n > len(b) || len(p) > n {
				t.Fatalf("n=%d payload %d of %d bytes", n, len(p), len(b))
			}
			b = b[n:]
		}
	})
}

func BenchmarkFrameWrite(b *testing.B) {
	var w FrameWriter
	mask := [4]byte{1, 2, 3, 4}
	payload := []byte(`{"type":"ping","t":1732230000123456789}`)
	b.ReportAllocs()
	for b.Loop() {
		_ = w.Frame(ws.OpText, payload, &mask)
	}
}

func BenchmarkFrameRead(b *testing.B) {
	var w FrameWriter
	frame := append([]byte(nil), w.Frame(ws.OpText, []byte(`{"type":"msg","seq":123456}`), nil)...)
	var r FrameReader
	b.ReportAllocs()
	for b.Loop() {
		if _, _, n, err := r.Next(frame); n == 0 || err != nil {
			b.Fatal(n, err)
		}
	}
}
