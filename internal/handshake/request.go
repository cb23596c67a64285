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
