package mqtt

// returnCodes names MQTT 3.1.1's CONNACK return codes (§3.2.2.3).
var returnCodes = [...]string{
	1: "unacceptable protocol version",
	2: "identifier rejected",
	3: "server unavailable",
	4: "bad user name or password",
	5: "not authorized",
}

// reasonCodes names the MQTT 5 reason codes of CONNACK, SUBACK and
// DISCONNECT (MQTT 5 §2.4), and 0x80, the one failure code of 3.1.1's
// SUBACK.
var reasonCodes = map[byte]string{
	0x00: "success",
	0x04: "disconnect with will message",
	0x80: "unspecified error",
	0x81: "malformed packet",
	0x82: "protocol error",
	0x83: "implementation specific error",
	0x84: "unsupported protocol version",
	0x85: "client identifier not valid",
	0x86: "bad user name or password",
	0x87: "not authorized",
	0x88: "server unavailable",
	0x89: "server busy",
	0x8a: "banned",
	0x8b: "server shutting down",
	0x8c: "bad authentication method",
	0x8d: "keep alive timeout",
	0x8e: "session taken over",
	0x8f: "topic filter invalid",
	0x90: "topic name invalid",
	0x91: "packet identifier in use",
	0x93: "receive maximum exceeded",
	0x94: "topic alias invalid",
	0x95: "packet too large",
	0x96: "message rate too high",
	0x97: "quota exceeded",
	0x98: "administrative action",
	0x99: "payload format invalid",
	0x9a: "retain not supported",
	0x9b: "qos not supported",
	0x9c: "use another server",
	0x9d: "server moved",
	0x9e: "shared subscriptions not supported",
	0x9f: "connection rate exceeded",
	0xa0: "maximum connect time",
	0xa1: "subscription identifiers not supported",
	0xa2: "wildcard subscriptions not supported",
}

// Names as bytes, made once, so that reporting one does not allocate.
var (
	returnNames [len(returnCodes)][]byte
	reasonNames [256][]byte
)

func init() {
	for i, s := range returnCodes {
		returnNames[i] = []byte(s)
	}
	for c, s := range reasonCodes {
		reasonNames[c] = []byte(s)
	}
}

// reasonName names code as the broker's version means it; nil for a code
// without a name.
func reasonName(version, code byte, connack bool) []byte {
	if version == V311 && connack {
		if int(code) < len(returnNames) {
			return returnNames[code]
		}
		return nil
	}
	return reasonNames[code]
}
