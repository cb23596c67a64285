// Package sut is stormbench's server-under-test: a real WebSocket server
// built to be measured. It upgrades raw accepted connections with
// gobwas/ws (zero-copy), hands them to epoll event loops (internal/evloop),
// answers RFC 6455 pings and application pings, can ping clients itself and
// close those silent past an idle timeout, broadcasts a numbered message
// stream with replay for clients that resume, applies admission control
// (max connections, an accept-rate token bucket → HTTP 503 with
// Retry-After), and exposes a control API on a separate loopback listener
// that injects faults and reports the storm as the server saw it. With
// TLS settings it serves wss://, each connection's loop end being a TLS
// sidecar (tls.go, internal/tlsrelay).
//
// Import it as sut:
//
//	import sut "github.com/stormbench/stormbench/server-under-test"
package sut
