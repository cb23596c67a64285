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
//	{"type":"send","c":C,"id":N,"t":T,"p":"…"}
//	                          client → server, the client's own message N
//	                          (numbered from 1 per client), enqueued at T,
//	                          padded to the configured size
//	{"type":"ack","id":N}     server → client, message N received; "dup":1 when
//	                          it had been received before (de-duplicated)
//	{"type":"direct","id":N,"t":T}
//	                          server → client, the client's own message N from
//	                          the server (its offline queue), produced at T
//
// Encoding and decoding never allocate: both run once per frame on the hot
// path of event loops that hold hundreds of thousands of connections.
package protocol
