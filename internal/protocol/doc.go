// Package protocol is the small application protocol that stormbench's load
// generator and its server-under-test share on top of RFC 6455 text frames:
// application pings and pongs, the numbered broadcast stream, and the
// resume query of a reconnecting client.
//
// Messages are flat JSON objects:
//
//	{"type":"ping","t":N}     client → server, an application heartbeat
//	{"type":"pong","t":N}     server → client, the answer, echoing t
//	{"type":"msg","seq":N}    server → client, one message of the broadcast stream
//	{"type":"hello","seq":N}  server → client, on connect without resume: the
//	                          latest sequence number, so the client has a baseline
//
// Encoding and decoding never allocate: both run once per frame on the hot
// path of event loops that hold hundreds of thousands of connections.
package protocol
