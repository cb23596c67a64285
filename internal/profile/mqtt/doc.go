// Package mqtt is the MQTT profile (--protocol mqtt): a fleet of MQTT 3.1.1
// or MQTT 5 clients over WebSocket, each subscribed to the topic filters of
// --join, as MQTT.js (npm mqtt) connects to a broker such as mosquitto,
// EMQX, HiveMQ or RabbitMQ's web-MQTT.
//
// # Wire
//
// The URL is the broker's WebSocket endpoint as the user gives it (/mqtt
// by convention; mosquitto ignores the path). The client offers the
// subprotocol "mqtt" for both versions (MQTT 3.1.1 §6, MQTT 5 §6) and
// speaks binary messages only: a text message is Malformed. A WebSocket
// message is a piece of the byte stream, not a packet: it may hold several
// packets, or end inside one (MQTT.js in Node writes every field of a
// packet as a message of its own; mosquitto sends a PUBLISH per message).
// Receive keeps the start of an unfinished packet in State.Partial until
// the rest comes; a packet whose fixed header announces more than
// MaxPacket (1 MiB) is Malformed before any of it is kept, so a
// connection never holds more than that (MQTT allows 256 MiB; brokers
// allow all of it unless configured, mosquitto's message_size_limit).
//
// # Join and ready
//
//  1. CONNECT (§3.1): protocol level 4 (3.1.1) or 5 (--protocol-version);
//     client identifier --client-id, by default stormbench-{{client}} —
//     one per client and the same on every reconnect, as MQTT.js keeps
//     its generated one; keep-alive = --heartbeat-interval in whole
//     seconds (0 = none); clean session (clean start in 5) unless
//     --persistent; MQTT 5 with --persistent also asks for a Session
//     Expiry Interval of SessionExpiry (1 h), since 0 would end the
//     session with the connection. --auth is the user name (no
//     password). The bytes are the ones MQTT.js encodes for the same
//     options (the tests compare them).
//  2. CONNACK (§3.2): a return code (3.1.1) or reason code (5) other
//     than 0 is Refused, Code = the code, Reason = the broker's MQTT 5
//     Reason String if it sent one, else the code's name ("not
//     authorized", "server busy", …). MQTT.js does not retry after a
//     refusal unless told to (reconnectOnConnackError).
//  3. SUBSCRIBE (§3.8) with every --join filter at --qos (0 or 1), one
//     packet; SUBACK (§3.9) with a failure code (0x80, or MQTT 5's
//     0x80-0xA2) for any filter is Refused with that code; otherwise the
//     client is Ready. A granted QoS lower than asked is accepted, as
//     brokers may downgrade.
//
// # Heartbeat
//
// The client pings: Ping sends PINGREQ, the broker's PINGRESP is Pong (the
// round trip). The broker drops a client it heard nothing from for 1.5 ×
// keep-alive (§3.1.2.10; mosquitto 2.0.11 checks its WebSocket clients
// only every few seconds, so the drop comes later). MQTT.js sends PINGREQ
// when a keep-alive passed since its timer was last reset (by a PINGRESP,
// SUBACK, PUBACK… — not by a QoS 0 PUBLISH) and gives up at 1.5 ×
// keep-alive ("Keepalive timeout"): see Reference. An MQTT 5 broker may
// impose its own keep-alive (CONNACK's Server Keep Alive, MQTT 5
// §3.2.2.3.14); the CONNACK's Other event then carries HeartbeatTimeout =
// 1.5 × that. The interval of Ping is the load generator's to follow; the
// profile cannot change it.
//
// # Data
//
// Every PUBLISH (§3.3) is one Data: the payload is the application
// message (what --seq-field reads), without topic, packet identifier or
// properties; MQTT has no sequence numbers of its own (hasSeq false). A
// QoS 1 PUBLISH is acknowledged with PUBACK (as control traffic) after it
// was reported. QoS 2 is refused by New and Malformed on the wire, as the
// client never asks for it. A retained message, sent on SUBSCRIBE, is data
// like any other.
//
// # Goodbye
//
// MQTT 5 lets the broker send DISCONNECT (§3.14) with a reason code
// (0x8B server shutting down, 0x8E session taken over, 0x9C use another
// server, …): Goodbye with Code and Reason (its Reason String, else the
// code's name). MQTT 3.1.1 has no server DISCONNECT; one from a 3.1.1
// broker is a Goodbye with code 0. MQTT says nothing about reconnecting
// (Reconnect 0). mosquitto 2.0.11 sends its WebSocket clients no
// DISCONNECT on shutdown or session takeover (the tests see both): it
// closes the socket, so those goodbyes are seen as the close alone.
//
// # Resume after reconnect
//
// With --persistent the broker keeps the session (subscriptions and QoS 1
// messages not yet acknowledged, plus QoS 1 messages published while the
// client was away) across connections with the same client identifier.
// When the client's own SUBACK of an earlier connection was seen
// (State.Resume remembers it) and the CONNACK says session present, the
// client is Ready at CONNACK and sends no SUBSCRIBE — what MQTT.js does
// (it resubscribes only when the session was not present). If the session
// is gone (session present 0: the broker restarted without persistence,
// or it expired), the client subscribes again. A session present after a
// clean-session CONNECT is Malformed (§3.2.2.2).
//
// Redelivery: after a resume the broker sends first the QoS 1 messages the
// client had not acknowledged, with the DUP flag (§4.4), then the ones
// queued while it was away. Each is reported as Data like any other: a
// DUP message the client had already received (its PUBACK was lost with
// the connection) is a duplicate by its sequence in the payload, one it
// had not is a recovered message; the load generator counts duplicates
// and losses from --seq-field, so the DUP flag itself is not reported.
// QoS 0 messages published while the client was away are lost by design.
//
// # What stormbench cannot see
//
// The topic of a PUBLISH (all subscribed filters feed one stream), the DUP
// and retain flags, MQTT 5 user properties, and the broker's own queue:
// a broker that drops queued messages (mosquitto's max_queued_messages)
// shows as loss.
//
// # Sources
//
// OASIS MQTT 3.1.1 (2014) and MQTT 5.0 (2019); MQTT.js 5.16.0
// (mqttjs/MQTT.js src/lib/client.ts, src/lib/KeepaliveManager.ts,
// src/lib/handlers/connack.ts, src/lib/connect/ws.ts) and mqtt-packet
// 9.0.2 (mqttjs/mqtt-packet generate.js), whose bytes the tests compare;
// mosquitto 2.0.11 as Debian ships it, run by the tests.
package mqtt
