package handshake

import "github.com/stormbench/stormbench/internal/protocol"

// AppendRequest appends a client's whole upgrade request to dst (§4.1):
// GET with the URL's path and query plus the client's q, Host, Upgrade,
// Connection, Sec-WebSocket-Version 13, the template's extras, key k, and
// the empty line that ends the head. It does not allocate when dst has
// MaxSize bytes of room.
func (t *Template) AppendRequest(dst []byte, q protocol.Query, k *Key) []byte {
	return EndRequest(t.AppendRequestHead(dst, q, k))
}

// AppendRequestHead is AppendRequest without the empty line that ends the
// head: the caller appends per-client header lines (AppendHeader), then
// EndRequest.
func (t *Template) AppendRequestHead(dst []byte, q protocol.Query, k *Key) []byte {
	dst = append(dst, "GET "...)
	dst = protocol.AppendURI(dst, t.target, q)
	dst = append(dst, t.middle...)
	dst = append(dst, k[:]...)
	return append(dst, "\r\n"...)
}

// AppendHeader appends one header line "name: value\r\n". The caller
// vouches for name and value: Header.Check a per-client template once,
// and substitute only values that cannot hold CR, LF or other control
// characters (digits, say).
func AppendHeader(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	dst = append(dst, value...)
	return append(dst, "\r\n"...)
}

// EndRequest appends the empty line that ends a request head.
func EndRequest(dst []byte) []byte { return append(dst, "\r\n"...) }

// AppendRequestRest appends what follows the request-target: " HTTP/1.1",
// Host, Upgrade, Connection, Sec-WebSocket-Version 13, the template's
// extras, key k and its line end. A caller that builds the request-target
// itself (a per-client URL) appends "GET ", its target, then this, then
// its per-client header lines and EndRequest. It does not allocate when
// dst has RestSize bytes of room.
func (t *Template) AppendRequestRest(dst []byte, k *Key) []byte {
	dst = append(dst, t.middle...)
	dst = append(dst, k[:]...)
	return append(dst, "\r\n"...)
}

// RestSize is the length of AppendRequestRest's output.
func (t *Template) RestSize() int { return len(t.middle) + len(Key{}) + len("\r\n") }

// Target returns the request-target of the template's URL: its path and
// its own query, without the client's parameters.
func (t *Template) Target() string { return t.target }
