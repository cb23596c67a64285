package wsframe

// Rule names an RFC 6455 requirement that a peer broke. It implements
// error, so that a decoder returns it as its error without allocating.
type Rule uint8

// Rules a receiving endpoint enforces.
const (
	// RuleNone is the zero value: no rule broken.
	RuleNone Rule = iota
	// RuleReservedBits: RSV1–3 set although no extension was negotiated (§5.2).
	RuleReservedBits
	// RuleReservedOpcode: opcode 0x3–0x7 or 0xB–0xF (§5.2).
	RuleReservedOpcode
	// RuleMaskedFrame: a frame from the server was masked (§5.1).
	RuleMaskedFrame
	// RuleUnmaskedFrame: a frame from a client was not masked (§5.1).
	RuleUnmaskedFrame
	// RuleControlTooLong: a control frame with more than 125 bytes of payload (§5.5).
	RuleControlTooLong
	// RuleControlFragmented: a control frame without FIN (§5.5).
	RuleControlFragmented
	// RuleUnexpectedContinuation: a continuation frame with no message in progress (§5.4).
	RuleUnexpectedContinuation
	// RuleExpectedContinuation: a new text or binary frame while a
	// fragmented message is still in progress (§5.4).
	RuleExpectedContinuation
	// RuleBadLength: a payload length not in its minimal encoding, or a
	// 64-bit length with the most significant bit set (§5.2).
	RuleBadLength
	// RuleInvalidUTF8: a text message (or a close reason) that is not
	// valid UTF-8 (§5.6, §8.1).
	RuleInvalidUTF8
	// RuleBadClosePayload: a close frame with a one-byte payload (§5.5.1).
	RuleBadClosePayload
	// RuleBadCloseCode: a close code that must not appear in a close frame
	// (below 1000, 1004–1006, 1015, unassigned 1016–2999, 5000 and up) (§7.4).
	RuleBadCloseCode
	// RuleMessageTooBig: a message larger than the receiver accepts (§7.4.1, 1009).
	RuleMessageTooBig
	// RuleDataAfterClose: a frame after the peer's close frame (§5.5.1).
	RuleDataAfterClose
	numRules
)

var ruleNames = [numRules]string{
	"", "reserved_bits", "reserved_opcode", "masked_frame", "unmasked_frame",
	"control_too_long", "control_fragmented", "unexpected_continuation",
	"expected_continuation", "bad_length", "invalid_utf8", "bad_close_payload",
	"bad_close_code", "message_too_big", "data_after_close",
}

// String returns the rule's name as results files use it.
func (r Rule) String() string {
	if r < numRules {
		return ruleNames[r]
	}
	return "unknown"
}

// Error implements error.
func (r Rule) Error() string { return "websocket protocol error: " + r.String() }

// Close codes that stormbench sends: those of RFC 6455 §7.4.1 that failing
// a connection or going away uses, and 1012 service restart (IANA
// WebSocket Close Code Number registry, §11.7), which a restart fault
// sends. Every package takes them from here.
const (
	CloseProtocolError      uint16 = 1002
	CloseInvalidPayload     uint16 = 1007
	CloseMessageTooBig      uint16 = 1009
	CloseNormal             uint16 = 1000
	CloseGoingAway          uint16 = 1001
	CloseServiceRestart     uint16 = 1012
	closeNoStatusReceived   uint16 = 1005
	closeAbnormal           uint16 = 1006
	closeTLSHandshakeFailed uint16 = 1015
)

// CloseCode is the status code with which an endpoint fails the
// connection for r: 1007 for invalid UTF-8, 1009 for a message too big,
// 1002 (protocol error) for the rest.
func (r Rule) CloseCode() uint16 {
	switch r {
	case RuleInvalidUTF8:
		return CloseInvalidPayload
	case RuleMessageTooBig:
		return CloseMessageTooBig
	}
	return CloseProtocolError
}

// Rules lists every rule (RuleNone excluded), for reports with stable columns.
func Rules() []Rule {
	out := make([]Rule, 0, numRules-1)
	for r := Rule(1); r < numRules; r++ {
		out = append(out, r)
	}
	return out
}
