// Package handshake is the client side of the RFC 6455 opening handshake
// (§4.1, §4.2.2), cut into pure pieces that an event loop can drive
// without a goroutine or a bufio.Reader per connection attempt:
//
//   - a Template, built once per fleet from the target URL, extra headers,
//     offered subprotocols and an Origin, that appends a client's whole
//     upgrade request (with its ?client=ID&resume=SEQ query and its
//     Sec-WebSocket-Key) to a caller's buffer;
//   - a Key drawn from the caller's random source, and the Accept value
//     (§4.2.2) that the server must answer it with;
//   - Parse, an incremental parser of the server's response head: fed the
//     bytes received so far, it asks for more, or returns the response and
//     the length of its head (the bytes behind it are already WebSocket
//     frames), or a Failure naming the §4.1 requirement the server broke.
//
// A status other than 101 is a result, not a malformed response: Parse
// returns its code (and Retry-After, if any) together with ErrStatus.
//
// Nothing on these paths allocates: keys, accepts and requests live in
// fixed arrays or in the caller's buffer, failures are a small enum that
// implements error, and the response is judged in place. The only
// exception is a Retry-After in one of the two obsolete HTTP-date formats,
// which is parsed by net/http.
package handshake
