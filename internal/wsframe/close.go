package wsframe

import (
	"encoding/binary"
	"unicode/utf8"
)

// checkClose validates the payload of a close frame (§5.5.1): empty, or a
// two-byte status code that may appear in a close frame (§7.4) followed
// by a UTF-8 reason.
func checkClose(p []byte) Rule {
	switch {
	case len(p) == 0:
		return RuleNone
	case len(p) == 1:
		return RuleBadClosePayload
	case !CloseCodeValid(binary.BigEndian.Uint16(p)):
		return RuleBadCloseCode
	case !utf8.Valid(p[2:]):
		return RuleInvalidUTF8
	}
	return RuleNone
}

// CloseCodeValid reports whether code may be sent in a close frame: the
// codes RFC 6455 §7.4.1 defines for use on the wire (1000–1003,
// 1007–1011), those registered since in the IANA "WebSocket Close Code
// Number" registry the RFC set up (§11.7: 1012 service restart, 1013 try
// again later, 1014 bad gateway — stormbench's server sends 1012), and
// the ranges left to libraries and applications (3000–4999, §7.4.2).
// 1004 is reserved, 1005, 1006 and 1015 must never be sent, and the rest
// is unassigned. gobwas/ws's CheckCloseFrameData is not used because it
// rejects 1012–1014 and accepts 5000 and up.
func CloseCodeValid(code uint16) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}
