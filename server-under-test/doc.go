// Package sut is stormbench's server-under-test: a real WebSocket server
// built to be measured. It upgrades raw accepted connections with
// gobwas/ws (zero-copy), hands them to epoll event loops (internal/evloop),
// answers RFC 6455 pings and application pings, can ping clients itself and
// close those silent past an idle timeout, broadcasts a numbered message
// stream with replay for clients that resume, applies admission control
// (max connections, an accept-rate token bucket → HTTP 503 with
// Retry-After), and exposes a control API on a separate listener that
// injects faults and reports the storm as the server saw it: on loopback
// by default, beyond it only with a token of at least MinRemoteTokenLen
// characters, always within per-address rate limits (control_limit.go),
// over HTTPS with the server's certificate when asked (ControlTLS). It acks
// and de-duplicates the clients' own messages (ack.go, dedup.go), keeps a
// session per client ID that a newer connection takes over, closing the
// old one with CloseSessionTakenOver (4409, RFC 6455 §7.4.2; session.go),
// and produces per-session direct messages kept in a bounded offline queue
// while the client is away (direct.go). Sessions are per process. With
// TLS settings it serves wss://: the accepting goroutine runs the TLS
// handshake and the upgrade, then the loop owns the socket and runs the
// TLS record layer itself (tls.go, internal/looptls).
//
// Import it as sut:
//
//	import sut "github.com/stormbench/stormbench/server-under-test"
package sut
