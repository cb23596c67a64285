package mqtt

// Control packet types, the high nibble of a packet's first byte (MQTT
// 3.1.1 §2.2.1, MQTT 5 §2.1.2).
const (
	connect     = 1
	connack     = 2
	publish     = 3
	puback      = 4
	pubrec      = 5
	pubrel      = 6
	pubcomp     = 7
	subscribe   = 8
	suback      = 9
	unsubscribe = 10
	unsuback    = 11
	pingreq     = 12
	pingresp    = 13
	disconnect  = 14
	auth        = 15 // MQTT 5 only; reserved in 3.1.1
)

// headerRoom is the room a packet being built keeps in front of its
// variable header: the first byte and up to 4 bytes of remaining length.
const headerRoom = 5

// frameLen reads the fixed header at the start of b (§2.2): the whole
// packet's length, or 0 when b does not hold the whole fixed header yet.
// rule is not empty when the header is broken or announces a packet
// longer than MaxPacket.
func frameLen(b []byte) (total int, rule string) {
	n, mult := 0, 1
	for i := 1; i < len(b); i++ {
		n += int(b[i]&0x7f) * mult
		if b[i]&0x80 == 0 {
			total = 1 + i + n
			if total > MaxPacket {
				return 0, ruleTooLong
			}
			return total, ""
		}
		if i == 4 {
			return 0, ruleLength
		}
		mult <<= 7
	}
	return 0, ""
}

// appendVarint appends n as a variable byte integer (§2.2.3).
func appendVarint(b []byte, n int) []byte {
	for {
		d := byte(n & 0x7f)
		n >>= 7
		if n > 0 {
			d |= 0x80
		}
		b = append(b, d)
		if n == 0 {
			return b
		}
	}
}

// readVarint reads a variable byte integer at the start of b: its value
// and length, or size 0 when it is broken or runs past b.
func readVarint(b []byte) (n, size int) {
	mult := 1
	for i := 0; i < len(b) && i < 4; i++ {
		n += int(b[i]&0x7f) * mult
		if b[i]&0x80 == 0 {
			return n, i + 1
		}
		mult <<= 7
	}
	return 0, 0
}

// seal writes the fixed header of a packet whose variable header and
// payload were built after headerRoom bytes of b, and moves them up to it:
// the packet starts where the Conn's buffer does, so that a Conn reusing
// what it was sent as its next buffer keeps all of it.
func seal(b []byte, first byte) []byte {
	body := len(b) - headerRoom
	h := appendVarint(append(b[:0], first), body)
	n := copy(b[len(h):], b[headerRoom:])
	return b[:len(h)+n]
}

// putString writes a 16-bit length in front of a string appended after
// the 2 bytes at at (§1.5.3).
func putString(b []byte, at int) {
	n := len(b) - at - 2
	b[at], b[at+1] = byte(n>>8), byte(n)
}
