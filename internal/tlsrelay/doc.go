// Package tlsrelay gives stormbench's event loops TLS (wss://) without
// changing them: each TLS connection gets a sidecar.
//
// The loops own raw, non-blocking socket descriptors and run no goroutine
// per connection, but crypto/tls blocks in Read and Write of a net.Conn
// and so cannot run on a loop. A sidecar is a socketpair (AF_UNIX,
// SOCK_STREAM, non-blocking, close-on-exec): the loop owns one end exactly
// as it would own a plain TCP socket and speaks plain WebSocket bytes on
// it (RFC 6455 frames, and on the client the HTTP upgrade of §4.1), while
// the sidecar relays the other end to and from a crypto/tls connection
// with two goroutines parked in Go's netpoller. Only TLS connections pay
// for goroutines and TLS state; plain ws pays nothing.
//
// Client side: Dial returns at once the loop's end of a new socketpair and
// a *Relay; a goroutine dials TCP, runs the TLS handshake and then relays.
// Bytes the loop writes before the handshake is done wait in the
// socketpair, so the loop writes its upgrade request at once. Progress and
// failures are reported to a callback as Events with the caller's clock,
// so that connect latency splits into TCP, TLS and upgrade.
//
// Server side: Accept runs the TLS handshake on an accepted connection,
// the caller runs its HTTP upgrade over the returned *tls.Conn in the same
// goroutine, and Attach then starts the relay and returns the loop's end.
//
// How the loop's end behaves:
//
//   - the peer's close_notify or FIN shows as EOF (read returns 0) after
//     every byte that came before it; a shutdown(SHUT_WR) of the loop's
//     end sends close_notify and a FIN, and closing it closes the TLS
//     connection cleanly (close_notify, then FIN);
//   - a reset of the TCP connection also shows as EOF, because AF_UNIX
//     has no RST to pass on: Relay.Cause, which is set before the loop's
//     end sees the EOF, tells a reset (CauseReset) from a clean close
//     (CauseEOF);
//   - Relay.Abort sends an RST (SO_LINGER 0); call it before closing the
//     loop's end, or the relay would close cleanly first.
//
// Memory: an idle relay holds two parked goroutines, its tls.Conn (which
// keeps the buffers it grew, about a record's worth once a large record
// went through) and two 128-byte stashes; the 16 KiB buffers that data is
// copied through come from a pool and are held only while data flows.
// scripts/tlsmem measures it.
package tlsrelay
