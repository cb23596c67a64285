// Package wsframe is the one RFC 6455 frame layer that stormbench's load
// generator and server-under-test share. It reads frames incrementally
// from whatever a socket returned (any split point), enforces the rules a
// receiving endpoint must enforce (§5.2–§5.6, §7.4, §8.1), reassembles
// fragmented messages, validates the UTF-8 of text messages as the bytes
// arrive, and keeps memory bounded: only messages its owner wants to parse
// are kept, every other payload is counted and dropped as it streams by.
// It also builds whole frames (header and payload) for one write.
//
// A connection embeds a Decoder (64 bytes, no buffer while idle) and
// implements Handler; every connection of one side shares a Config. The
// decoder is Reset whenever its connection ends, so that the next
// connection starts clean. A Writer per event loop builds outgoing frames.
//
// A broken rule is a Rule: the caller fails the connection with the close
// code the RFC prescribes for it (Rule.CloseCode) and records the rule.
package wsframe
