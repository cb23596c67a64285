// Package looptls runs crypto/tls connections on stormbench's event loops:
// one descriptor per connection (its TCP socket), no goroutine while a
// connection is open, no second trip of its bytes through the kernel.
//
// crypto/tls is used as it is, not forked. A *tls.Conn is built over a
// net.Conn of this package's own (wire) that works in two modes:
//
//   - during the handshake it blocks, on a goroutine that lives as long as
//     the handshake does: over a net.Conn (the server's accepting
//     goroutine, tools and tests) or over a socket a loop owns (StartClient:
//     the loop connected it and passes its readiness on with Wake);
//   - once the handshake is done the loop drives it: Fill reads what the
//     socket holds into crypto/tls's input, Read hands out the plaintext
//     record by record, Seal turns plaintext into records the caller
//     writes to its socket with its own output buffer. Below the
//     *tls.Conn, the wire's Read then returns a net.Error whose
//     Temporary() is true when there is nothing more to read, which
//     crypto/tls treats as "try again later" (readRecordOrCCS keeps its
//     state), and its Write appends to the buffer Seal lent it.
//
// Two of crypto/tls's unexported buffers are reached through offsets found
// by reflection at start (internals.go): the raw input buffer, so that the
// loop's read lands in it directly (crypto/tls would otherwise allocate a
// small reader per record it reads from the wire) and so that Read knows
// whether a whole record is there before asking crypto/tls; and, with the
// handshake buffer, so that an idle connection keeps neither: their
// memory is lent by the loop for the time of one event. If a Go release
// renames them, the package falls back to the plain net.Conn path, which
// allocates 32 bytes per record read and keeps both buffers (TestInternals
// fails, so that it is noticed).
//
// Memory of an open connection, measured with Go 1.26 (TestConnMemory):
// the tls.Conn (872 B), the AEAD states of both directions (AES-128-GCM:
// ~1.7 KiB together) and what the handshake left (the session's secrets,
// the peer's certificate chain, shared by every connection that verified
// the same certificate).
package looptls
