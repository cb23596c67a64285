package phoenix

import "github.com/stormbench/stormbench/internal/jsonpath"

// Kinds of the V2 serializer's binary messages (its first byte): a push
// of a channel to this client, a reply to the client's message, a
// broadcast to the topic. Strings in the header are UTF-8 bytes whose
// lengths come first, one byte each; the payload is the rest.
const (
	binaryPush      = 0
	binaryReply     = 1
	binaryBroadcast = 2
)

// replyEvent is the event of a binary reply, which carries its status in
// the event's place.
var replyEvent = []byte(evReply)

// decodeBinary decodes a binary message into m; it returns the rule it
// broke, or "".
//
//	push:      0, len(join_ref), len(topic), len(event), join_ref, topic, event, payload
//	reply:     1, len(join_ref), len(ref), len(topic), len(status), join_ref, ref, topic, status, response
//	broadcast: 2, len(topic), len(event), topic, event, payload
func decodeBinary(msg []byte, m *message) string {
	if len(msg) == 0 {
		return ruleBinaryShort
	}
	var sizes []byte
	switch msg[0] {
	case binaryPush:
		sizes = hdr(msg, 3)
	case binaryReply:
		sizes = hdr(msg, 4)
	case binaryBroadcast:
		sizes = hdr(msg, 2)
	default:
		return ruleBinaryKind
	}
	if sizes == nil {
		return ruleBinaryShort
	}
	rest := msg[1+len(sizes):]
	fields := [4][]byte{}
	for i, n := range sizes {
		if int(n) > len(rest) {
			return ruleBinaryShort
		}
		fields[i], rest = rest[:n], rest[n:]
	}
	str, null := jsonpath.KindString, jsonpath.KindNull
	switch msg[0] {
	case binaryPush:
		m.joinRef, m.topic, m.event = fields[0], fields[1], fields[2]
		m.joinRefKind, m.refKind = str, null
	case binaryReply:
		m.joinRef, m.ref, m.topic, m.status = fields[0], fields[1], fields[2], fields[3]
		m.joinRefKind, m.refKind, m.statusKind = str, str, str
		m.event, m.response = replyEvent, rest
	case binaryBroadcast:
		m.topic, m.event = fields[0], fields[1]
		m.joinRefKind, m.refKind = null, null
	}
	m.topicKind, m.eventKind, m.payload = str, str, rest
	return ""
}

// hdr returns the n size bytes after the kind, or nil when msg is too
// short for them.
func hdr(msg []byte, n int) []byte {
	if len(msg) < 1+n {
		return nil
	}
	return msg[1 : 1+n]
}
