// Command connlimit measures how fast this machine can open loopback
// connections, as a reference for the connect rates stormbench reports for
// itself (ramp, storm recovery):
//
//   - tcp: raw TCP. A child process accepts on a listening socket it
//     inherits; the parent opens N connections with blocking connect(2) from
//     a few goroutines, spread over the source addresses 127.0.0.2, … (one
//     per 4 096 connections, IP_BIND_ADDRESS_NO_PORT, as stormbench does),
//     and holds them all open until the child has accepted every one. Each
//     process holds N sockets, so N stays under the 20 000 open-file limit.
//   - ws: TCP plus the WebSocket upgrade (RFC 6455 §4) against "stormbench
//     serve", which connlimit starts on free loopback ports. The client is
//     goroutine-per-dial with a gobwas/ws Dialer, at most C dials in flight
//     (an errgroup limit), like stormbench's pre-event-loop dialer; it
//     reports connections per second and the p50/p99/max connect latency
//     (dial start → HTTP 101).
//
// Client and server share the machine's cores, exactly as in a stormbench
// run with the embedded server: the figures are what the box can do for
// both sides together, not what a load generator alone could reach.
//
//	scripts/connlimit.sh                       # builds stormbench, runs both
//	go run ./scripts/connlimit -bin ./stormbench -mode ws -c 64,256,1024
package main
