// Package stomp is the STOMP profile (--protocol stomp): a fleet of STOMP
// 1.2 clients over WebSocket (1.1 and 1.0 when the broker speaks no
// newer), each subscribed to the destinations of --join, as
// @stomp/stompjs connects to RabbitMQ's web-STOMP, ActiveMQ or a Spring
// message broker.
//
// # Wire
//
// The URL is the broker's STOMP endpoint as the user gives it (RabbitMQ's
// /ws). The client offers the subprotocols v12.stomp, v11.stomp and
// v10.stomp, as stompjs does, and sends text messages, one frame each. A
// frame is a command line, header lines, a blank line, a body and a NUL
// (STOMP 1.2 "Frames and Headers"); lines end in LF or CR LF. A server's
// WebSocket message may hold several frames, EOLs between them, or a lone
// EOL; a frame may also go on in the next message (stompjs reassembles
// them, so a server may cut them): its start waits in State.Partial, and
// State.Ref remembers how far it was checked, so that a frame cut into
// many pieces is still read in linear time. A frame longer than MaxFrame
// (1 MiB) is Malformed before more of it is kept. A body is read up to
// the first NUL, or, with a content-length header, exactly that many
// octets (which may hold NULs) followed by the NUL.
//
// # Join and ready
//
//  1. CONNECT: login and passcode from --auth ("login:passcode", cut at
//     the first colon; a client whose --auth renders without a colon
//     sends a login only),
//     accept-version 1.2,1.1,1.0, host "/" (see Host for why not the
//     URL's host), heart-beat cx,cy = --heartbeat-interval in
//     milliseconds both ways (0,0 = none). stompjs sends the same headers
//     in the same order, without host.
//  2. CONNECTED: its version (1.0 when absent) and heart-beat sx,sy; the
//     Other event carries the detection rule (below). ERROR instead is
//     Refused: RabbitMQ answers a bad login or an unknown virtual host
//     with ERROR "Bad CONNECT" and closes.
//  3. SUBSCRIBE for each destination (ids sub-0, sub-1, … as stompjs
//     numbers them, ack auto, values escaped in 1.1 and 1.2), the last one
//     with receipt:sub-<n>. stompjs asks for no receipt and RabbitMQ
//     confirms nothing without one; the receipt is what makes the join
//     observable. The RECEIPT is Ready: the broker processed every
//     SUBSCRIBE (frames are processed in order). An ERROR before it is
//     Refused (RabbitMQ: "Unknown destination" for a destination
//     it does not know).
//
// # Heart-beats
//
// Both sides beat with a lone EOL, each only if both agree (STOMP 1.2
// "Heart-beating"): the client every max(cx, sy) ms when neither is 0, the
// server every max(sx, cy) ms when neither is 0; 1.0 has none. A run of
// EOLs at the start of a WebSocket message is one ServerPing; EOLs after a
// frame's NUL in the same message are padding (RabbitMQ ends every frame
// with NUL LF) and are not reported. Ping sends one EOL and has no answer
// (no round trip); it sends nothing and reports false before CONNECTED
// and when the negotiation left the client without heart-beats. The
// interval of Ping is the load generator's (--heartbeat-interval, which is
// also cx): when the server asks for slower beats (sy > cx) the client
// still beats every cx, which STOMP allows.
//
// Detection: a connection from which nothing at all (frame or EOL) came
// for Tolerance (2) × max(sx, cy) is dead — the HeartbeatTimeout of
// CONNECTED's event. The spec leaves the margin to the client; 2 is
// stompjs's heartbeatToleranceMultiplier, so this is the rule stompjs
// applies (it checks every max(sx, cy) and then closes the socket).
// stompjs sets up that check at CONNECTED and not before: it waits for
// CONNECTED as long as the broker takes (connectionTimeout 0), and a
// CONNECTED that negotiates no server heart-beats leaves the connection
// unwatched. Reference.WatchFromReply makes the load generator do the
// same: no deadline from the upgrade, the rule of CONNECTED's event from
// then on (unless --heartbeat-timeout was given): RabbitMQ answers the
// CONNECTs of 2 000 clients arriving together seconds after their
// upgrades, and later still when starved of CPU; clients calling it dead
// meanwhile would reconnect and add to its queue.
// RabbitMQ sends its beats only when it had nothing else to send, and
// closes a client that did not beat: the tests see it within seconds.
//
// # Data
//
// Each MESSAGE is one Data: the payload is its body (what --seq-field
// reads); STOMP numbers nothing itself (message-id is an opaque string),
// so hasSeq is false. Subscriptions are ack auto: the client sends no ACK.
//
// # Goodbye
//
// An ERROR once ready is a Goodbye: STOMP says the server closes the
// connection after it. Reason is its message header as sent (escaped as
// the version escapes); there is no code and no reconnect advice. When
// RabbitMQ restarts it closes its sockets without an ERROR or a close
// frame (1006); when the client DISCONNECTs with a receipt, RabbitMQ
// closes with 1000 "STOMP died" instead of the RECEIPT.
//
// # Resume after reconnect
//
// None: STOMP has no session to resume. A reconnecting client sends the
// same CONNECT and SUBSCRIBEs; what a topic carried meanwhile is lost (a
// durable queue is the broker's business, not the protocol's).
//
// # What stormbench cannot see
//
// Which subscription or destination a MESSAGE belongs to (all feed one
// stream), redelivered:true (RabbitMQ's header on queue redeliveries), and
// the body's content-type.
//
// # Sources
//
// STOMP 1.2 (stomp.github.io stomp-specification-1.2.html), STOMP 1.1 and
// 1.0; @stomp/stompjs 7.5.0 (stomp-js/stompjs src/client.ts,
// src/stomp-handler.ts: CONNECT headers and _setupHeartbeat, src/parser.ts:
// frames across messages, EOLs as heart-beats); RabbitMQ 3.10.8's
// rabbitmq_web_stomp as Debian ships it, run by the tests.
package stomp
