package mqtt

// Kinds of MQTT 5 property values (MQTT 5 §2.2.2.2).
const (
	propNone   = iota // not a property identifier
	propByte          // one byte
	propTwo           // two-byte integer
	propFour          // four-byte integer
	propVarint        // variable byte integer
	propString        // UTF-8 string or binary data: 2-byte length, bytes
	propPair          // UTF-8 string pair: two strings
)

// Property identifiers this profile reads.
const (
	propServerKeepAlive = 0x13
	propReasonString    = 0x1f
)

// propKinds maps a property identifier to the kind of its value.
var propKinds = [...]uint8{
	0x01: propByte,   // payload format indicator
	0x02: propFour,   // message expiry interval
	0x03: propString, // content type
	0x08: propString, // response topic
	0x09: propString, // correlation data
	0x0b: propVarint, // subscription identifier
	0x11: propFour,   // session expiry interval
	0x12: propString, // assigned client identifier
	0x13: propTwo,    // server keep alive
	0x15: propString, // authentication method
	0x16: propString, // authentication data
	0x17: propByte,   // request problem information
	0x18: propFour,   // will delay interval
	0x19: propByte,   // request response information
	0x1a: propString, // response information
	0x1c: propString, // server reference
	0x1f: propString, // reason string
	0x21: propTwo,    // receive maximum
	0x22: propTwo,    // topic alias maximum
	0x23: propTwo,    // topic alias
	0x24: propByte,   // maximum qos
	0x25: propByte,   // retain available
	0x26: propPair,   // user property
	0x27: propFour,   // maximum packet size
	0x28: propByte,   // wildcard subscription available
	0x29: propByte,   // subscription identifier available
	0x2a: propByte,   // shared subscription available
}

// props is what this profile reads of a packet's properties.
type props struct {
	reason    []byte // Reason String
	keepAlive int    // Server Keep Alive, -1 when absent
}

// readProps reads the properties at the start of b (their length, then
// the properties): what it found and how many bytes they took, or ok false
// when they are broken.
func readProps(b []byte) (p props, n int, ok bool) {
	p.keepAlive = -1
	l, size := readVarint(b)
	if size == 0 || size+l > len(b) {
		return p, 0, false
	}
	rest := b[size : size+l]
	for len(rest) > 0 {
		id := rest[0]
		if int(id) >= len(propKinds) {
			return p, 0, false
		}
		rest = rest[1:]
		var vlen int
		switch propKinds[id] {
		case propByte:
			vlen = 1
		case propTwo:
			vlen = 2
		case propFour:
			vlen = 4
		case propVarint:
			if _, vlen = readVarint(rest); vlen == 0 {
				return p, 0, false
			}
		case propString, propPair:
			strings := 1
			if propKinds[id] == propPair {
				strings = 2
			}
			for range strings {
				if len(rest)-vlen < 2 {
					return p, 0, false
				}
				sl := int(rest[vlen])<<8 | int(rest[vlen+1])
				vlen += 2 + sl
			}
		default:
			return p, 0, false
		}
		if vlen > len(rest) {
			return p, 0, false
		}
		switch id {
		case propServerKeepAlive:
			p.keepAlive = int(rest[0])<<8 | int(rest[1])
		case propReasonString:
			if p.reason == nil {
				p.reason = rest[2:vlen]
			}
		}
		rest = rest[vlen:]
	}
	return p, size + l, true
}
