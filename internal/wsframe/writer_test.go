package wsframe

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gobwas/ws"
)

func TestWriterFramesReadByGobwasAndDecoder(t *testing.T) {
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
		{"125 bytes", ws.OpBinary, bytes.Repeat([]byte{5}, 125), &mask},
		{"16-bit length", ws.OpBinary, bytes.Repeat([]byte{7}, 300), &mask},
		{"65535", ws.OpBinary, bytes.Repeat([]byte{8}, 65535), nil},
		{"64-bit length", ws.OpBinary, bytes.Repeat([]byte{9}, 70000), nil},
	}
	var w Writer
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := append([]byte(nil), w.Frame(tt.op, tt.payload, tt.mask)...)
			f, err := ws.ReadFrame(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if f.Header.Masked != (tt.mask != nil) || !f.Header.Fin {
				t.Fatalf("header %+v", f.Header)
			}
			if ws.HeaderSize(f.Header)+len(tt.payload) != len(b) {
				t.Fatalf("%d bytes for a %d-byte header", len(b), ws.HeaderSize(f.Header))
			}
			if f.Header.Masked {
				f = ws.UnmaskFrameInPlace(f)
			}
			if f.Header.OpCode != tt.op || !bytes.Equal(f.Payload, tt.payload) {
				t.Fatalf("read back %v %q", f.Header, f.Payload)
			}
			// Our decoder, in the role that reads such frames.
			cfg := &Config{Role: Client, Keep: 1 << 20}
			if tt.mask != nil {
				cfg.Role = Server
			}
			got, _, err := feedChunks(cfg, b, nil)
			if err != nil || len(got) != 1 || got[0].payload != string(tt.payload) || got[0].wire != len(b) {
				t.Fatalf("decoded %v, %v", got, err)
			}
		})
	}
}

func TestWriterClose(t *testing.T) {
	long := strings.Repeat("€", 50) // 150 bytes: must be cut at a character boundary
	tests := []struct {
		name   string
		code   uint16
		reason string
		body   string // want: the payload
	}{
		{"normal", 1000, "", "\x03\xe8"},
		{"reason", 1001, "bye", "\x03\xe9bye"},
		{"service restart", 1012, "", "\x03\xf4"},
		{"no status", 1005, "ignored", ""},
		{"zero", 0, "", ""},
		{"abnormal", 1006, "", ""},
		{"5000", 5000, "", ""},
		{"long reason", 4000, long, "\x0f\xa0" + long[:123-123%3]},
		{"123 ascii", 3000, strings.Repeat("a", 130), "\x0b\xb8" + strings.Repeat("a", 123)},
		{"invalid reason", 1000, "ok\xffno", "\x03\xe8ok"},
	}
	for _, tt := range tests {
		for _, mask := range []*[4]byte{nil, {0xde, 0xad, 0xbe, 0xef}} {
			var w Writer
			b := append([]byte(nil), w.Close(tt.code, tt.reason, mask)...)
			f, err := ws.ReadFrame(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if f.Header.Masked {
				f = ws.UnmaskFrameInPlace(f)
			}
			if f.Header.OpCode != ws.OpClose || string(f.Payload) != tt.body {
				t.Fatalf("%s: payload %q, want %q", tt.name, f.Payload, tt.body)
			}
			if len(f.Payload) > MaxControlPayload || !utf8.Valid(f.Payload[min(2, len(f.Payload)):]) {
				t.Fatalf("%s: invalid close frame %q", tt.name, f.Payload)
			}
			if len(f.Payload) >= 2 && !CloseCodeValid(binary.BigEndian.Uint16(f.Payload)) {
				t.Fatalf("%s: invalid code", tt.name)
			}
			// Our decoder accepts every close frame the writer builds.
			cfg := &Config{Role: Client}
			if mask != nil {
				cfg.Role = Server
			}
			if _, _, err := feedChunks(cfg, b, nil); err != nil {
				t.Fatalf("%s: decoder: %v", tt.name, err)
			}
		}
	}
}
