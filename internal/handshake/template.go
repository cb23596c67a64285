package handshake

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Options are what a fleet adds to the request besides the URL.
type Options struct {
	// Headers are extra header lines sent by every client, in order.
	// Those the handshake itself writes (Host, Upgrade, Connection, the
	// Sec-WebSocket-* fields, Origin) and those that would announce a
	// request body are refused.
	Headers []Header
	// Protocols are the subprotocols offered in Sec-WebSocket-Protocol, in
	// order of preference (§4.1, item 10); none when empty.
	Protocols []string
	// Origin, when set, is sent as the Origin header (§4.1, item 8; §10.2).
	Origin string
}

// Header is one extra request header.
type Header struct {
	Name, Value string
}

// ParseHeader splits a "Name: value" flag argument into a Header and
// checks it (see Header.Check).
func ParseHeader(s string) (Header, error) {
	name, value, ok := strings.Cut(s, ":")
	if !ok {
		return Header{}, fmt.Errorf("header %q: want Name: value", s)
	}
	h := Header{Name: name, Value: strings.Trim(value, " \t")}
	return h, h.Check()
}

// Check reports whether h can be sent as it is: the name a token, the
// value free of control characters (CR and LF above all, which would
// split the request) and of surrounding whitespace (RFC 7230 §3.2), and
// not one of the fields the handshake writes itself.
func (h Header) Check() error {
	if !isToken(h.Name) {
		return fmt.Errorf("header name %q: not an HTTP token", h.Name)
	}
	if !validValue(h.Value) {
		return fmt.Errorf("header %s: value %q has control characters or surrounding whitespace", h.Name, h.Value)
	}
	for _, r := range reservedHeaders {
		if strings.EqualFold(h.Name, r) {
			return fmt.Errorf("header %s: written by the handshake itself, or would announce a body", h.Name)
		}
	}
	return nil
}

var reservedHeaders = [...]string{
	"Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
	"Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "Sec-WebSocket-Accept",
	"Origin", "Content-Length", "Transfer-Encoding",
}

// Template is the part of an upgrade request that all clients of a fleet
// share. It is immutable and safe for concurrent use.
type Template struct {
	// target is the request-target: path and the URL's own query.
	target string
	// middle runs from " HTTP/1.1" to "Sec-WebSocket-Key: ": every fixed
	// header, so that a request is target + client query + middle + key.
	middle    string
	protocols []string
}

// NewTemplate builds the template of requests to u (scheme ws, wss, http
// or https; the fragment and any user information are not sent). Host
// carries the port only when it is not the scheme's default (RFC 7230
// §5.4).
func NewTemplate(u *url.URL, o Options) (*Template, error) {
	if u == nil {
		return nil, errors.New("handshake: no URL")
	}
	var defPort string
	switch strings.ToLower(u.Scheme) {
	case "ws", "http":
		defPort = "80"
	case "wss", "https":
		defPort = "443"
	default:
		return nil, fmt.Errorf("handshake: URL %q: scheme must be ws or wss", u.Redacted())
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("handshake: URL %q has no host", u.Redacted())
	}
	// An IPv6 zone is local to this machine: it means nothing to the server.
	if i := strings.IndexByte(host, '%'); i >= 0 {
		host = host[:i]
	}
	if strings.IndexByte(host, ':') >= 0 {
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" && p != defPort {
		host += ":" + p
	}
	target := u.RequestURI()
	if u.RawQuery == "" {
		// ws://h/p? — an empty query; the client query adds its own '?'.
		target = strings.TrimSuffix(target, "?")
	}
	if !isTarget(target) || !isTarget(host) {
		return nil, fmt.Errorf("handshake: URL %q: request-target or host has bytes HTTP does not allow", u.Redacted())
	}

	var b strings.Builder
	b.WriteString(" HTTP/1.1\r\nHost: ")
	b.WriteString(host)
	b.WriteString("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")
	if o.Origin != "" {
		if !validValue(o.Origin) {
			return nil, fmt.Errorf("handshake: origin %q: not a header value", o.Origin)
		}
		b.WriteString("Origin: ")
		b.WriteString(o.Origin)
		b.WriteString("\r\n")
	}
	if len(o.Protocols) > 0 {
		b.WriteString("Sec-WebSocket-Protocol: ")
		for i, p := range o.Protocols {
			// §4.1 item 10: non-empty tokens, all unique.
			if !isToken(p) {
				return nil, fmt.Errorf("handshake: subprotocol %q: not a token", p)
			}
			for _, q := range o.Protocols[:i] {
				if p == q {
					return nil, fmt.Errorf("handshake: subprotocol %q offered twice", p)
				}
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(p)
		}
		b.WriteString("\r\n")
	}
	for _, h := range o.Headers {
		if err := h.Check(); err != nil {
			return nil, fmt.Errorf("handshake: %w", err)
		}
		b.WriteString(h.Name)
		b.WriteString(": ")
		b.WriteString(h.Value)
		b.WriteString("\r\n")
	}
	b.WriteString("Sec-WebSocket-Key: ")
	return &Template{
		target:    target,
		middle:    b.String(),
		protocols: append([]string(nil), o.Protocols...),
	}, nil
}

// maxQuery bounds what protocol.AppendURI adds: "?client=" with 20 digits
// and "&resume=" with 19.
const maxQuery = len("?client=") + 20 + len("&resume=") + 19

// MaxSize bounds the length of AppendRequest's output, per-client headers
// not included, so that a loop can size its write buffer once.
func (t *Template) MaxSize() int {
	return len("GET ") + len(t.target) + maxQuery + len(t.middle) + len(Key{}) + len("\r\n\r\n")
}

// Protocols returns the subprotocols the requests offer; the caller must
// not modify it.
func (t *Template) Protocols() []string { return t.protocols }

// Expect returns what Parse must check a response to the request sent with
// key k against. It does not allocate.
func (t *Template) Expect(k *Key) Expect {
	return Expect{Accept: k.Accept(), Protocols: t.protocols}
}

// isTarget reports whether s is non-empty and only visible ASCII: what a
// request-target or Host may hold once the URL is escaped.
func isTarget(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenByte(s[i]) {
			return false
		}
	}
	return true
}

// validValue reports whether s is a field-value we write: field-vchar, SP
// and HTAB, without leading or trailing whitespace.
func validValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if !valueByte(s[i]) {
			return false
		}
	}
	return s == "" || (!isOWS(s[0]) && !isOWS(s[len(s)-1]))
}
