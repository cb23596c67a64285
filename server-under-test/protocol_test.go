package sut

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/wsframe"
)

// TestClientBreakingRFC6455: a client that breaks a rule a server must
// enforce is failed with the rule's close code (RFC 6455 §7.1.7), and the
// server counts the rule.
func TestClientBreakingRFC6455(t *testing.T) {
	masked := func(b0 byte, payload []byte) []byte {
		var buf bytes.Buffer
		h := ws.Header{Fin: b0&0x80 != 0, Rsv: (b0 >> 4) & 7, OpCode: ws.OpCode(b0 & 0xf), Length: int64(len(payload)), Masked: true, Mask: [4]byte{9, 8, 7, 6}}
		_ = ws.WriteHeader(&buf, h)
		p := append([]byte(nil), payload...)
		ws.Cipher(p, h.Mask, 0)
		buf.Write(p)
		return buf.Bytes()
	}
	unmasked := append([]byte{0x81, 0x02}, "hi"...)
	tests := []struct {
		name  string
		bytes []byte
		rule  wsframe.Rule
	}{
		{"unmasked frame", unmasked, wsframe.RuleUnmaskedFrame},
		{"rsv bits", masked(0xC1, []byte("hi")), wsframe.RuleReservedBits},
		{"reserved opcode", masked(0x8B, nil), wsframe.RuleReservedOpcode},
		{"200-byte ping", masked(0x89, bytes.Repeat([]byte{'p'}, 200)), wsframe.RuleControlTooLong},
		{"invalid utf-8", masked(0x81, []byte{0xFF}), wsframe.RuleInvalidUTF8},
		{"continuation first", masked(0x80, []byte("x")), wsframe.RuleUnexpectedContinuation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := startServer(t, Config{})
			c := dial(t, s, "")
			if _, err := c.Write(tt.bytes); err != nil {
				t.Fatal(err)
			}
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			var code uint16
			for {
				f, err := ws.ReadFrame(c)
				if err != nil {
					t.Fatalf("no close frame: %v", err)
				}
				if f.Header.OpCode == ws.OpClose {
					if len(f.Payload) >= 2 {
						code = binary.BigEndian.Uint16(f.Payload)
					}
					break
				}
			}
			if code != tt.rule.CloseCode() {
				t.Fatalf("server closed with %d, want %d", code, tt.rule.CloseCode())
			}
			eventually(t, func() bool {
				c := s.Stats().Counters
				return c.ProtocolErrors[tt.rule.String()] == 1 && c.DisconnectCauses["protocol_error"] == 1
			}, "the rule counted and the connection closed as a protocol error")
		})
	}
}

// TestProtocolRuleCountersFit: the per-rule counters hold every rule.
func TestProtocolRuleCountersFit(t *testing.T) {
	var c counters
	for _, r := range wsframe.Rules() {
		if int(r) >= len(c.protocol) {
			t.Fatalf("rule %v does not fit in %d counters", r, len(c.protocol))
		}
	}
}
