package wsframe

import (
	"testing"

	"github.com/gobwas/ws"
)

// ruleOf maps gobwas/ws's header errors to Rules.
func ruleOf(err error) Rule {
	switch err {
	case nil:
		return RuleNone
	case ws.ErrProtocolOpCodeReserved:
		return RuleReservedOpcode
	case ws.ErrProtocolControlPayloadOverflow:
		return RuleControlTooLong
	case ws.ErrProtocolControlNotFinal:
		return RuleControlFragmented
	case ws.ErrProtocolNonZeroRsv:
		return RuleReservedBits
	case ws.ErrProtocolMaskRequired:
		return RuleUnmaskedFrame
	case ws.ErrProtocolMaskUnexpected:
		return RuleMaskedFrame
	case ws.ErrProtocolContinuationExpected:
		return RuleExpectedContinuation
	case ws.ErrProtocolContinuationUnexpected:
		return RuleUnexpectedContinuation
	}
	panic(err)
}

// TestCheckMatchesGobwas holds the decoder's header checks to gobwas/ws's
// CheckHeader for every first two header bytes, both roles, with and
// without a message in progress.
func TestCheckMatchesGobwas(t *testing.T) {
	for _, role := range []Role{Client, Server} {
		cfg := &Config{Role: role}
		for _, inMessage := range []bool{false, true} {
			s := ws.StateClientSide
			if role == Server {
				s = ws.StateServerSide
			}
			var d Decoder
			if inMessage {
				s |= ws.StateFragmented
				d.flags = fMessage
			}
			for b0 := range 256 {
				for b1 := range 256 {
					d.b0, d.b1 = byte(b0), byte(b1)
					h := ws.Header{
						Fin:    b0&0x80 != 0,
						Rsv:    byte(b0>>4) & 7,
						OpCode: ws.OpCode(b0 & 0x0f),
						Masked: b1&0x80 != 0,
						Length: int64(b1 & 0x7f),
					}
					if got, want := d.check(cfg), ruleOf(ws.CheckHeader(h, s)); got != want {
						t.Fatalf("role %d, in message %v, header %02x %02x: %v, gobwas %v", role, inMessage, b0, b1, got, want)
					}
				}
			}
		}
	}
}
