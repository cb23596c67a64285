package loadgen

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/stormbench/stormbench/internal/fielderr"
	"github.com/stormbench/stormbench/internal/handshake"
	"github.com/stormbench/stormbench/internal/template"
)

// upgradeRequest builds each client's upgrade request (RFC 6455 §4.1) from what
// the fleet shares (handshake.Template: Host, the fixed fields, static
// extra headers, Origin, subprotocols) and what differs per client: the
// URL when it is a template ({{client}}, {{line FILE}}), header values
// that are templates, the client and resume query parameters. Everything
// is compiled once; a request is appended to a scratch buffer of max
// bytes without allocating.
type upgradeRequest struct {
	hs      *handshake.Template
	url     *template.Template // nil when the URL is the same for every client
	headers []clientHeader
	client  string // query parameter names; client "" sends none
	resume  string
	max     int
	shard   int
}

// clientHeader is an extra header whose value is rendered per client.
type clientHeader struct {
	name  string
	value *template.Template
}

// compileRequest checks the handshake settings of the resolved c and
// compiles them; u is the URL as client 0 sends it (scheme and host are
// the same for every client). Errors are *FieldError values.
func compileRequest(c *Config, f *formats, files *template.Files) (*upgradeRequest, *url.URL, error) {
	r := &upgradeRequest{client: f.client, resume: f.resume, shard: c.Shard.Index}
	vars := template.Vars{Shard: c.Shard.Index}
	var errs []error
	bad := func(field, format string, a ...any) { errs = append(errs, fielderr.New(field, format, a...)) }

	raw := c.URL
	if strings.Contains(raw, "{{") {
		t, err := template.Parse(raw, template.Options{Context: template.InURL, Clients: c.Clients, Files: files})
		if err != nil {
			return nil, nil, fielderr.New("URL", "%v", err)
		}
		raw = string(t.Append(nil, vars))
		if !t.Static() {
			r.url = t
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, nil, fielderr.New("URL", "must be a ws:// or wss:// URL (got %q: %v)", c.URL, err)
	}

	var static []handshake.Header
	for _, h := range c.Headers {
		name, value, ok := strings.Cut(h, ":")
		name, value = strings.TrimSpace(name), strings.Trim(value, " \t")
		if !ok || name == "" {
			bad("Headers", "must be 'Name: value' (got %q)", RedactHeader(h))
			continue
		}
		switch strings.ToLower(name) {
		case "origin":
			bad("Headers", "must not set Origin: use {Origin} (got %q)", RedactHeader(h))
			continue
		case "sec-websocket-protocol":
			bad("Headers", "must not set Sec-WebSocket-Protocol: use {Subprotocols} (got %q)", RedactHeader(h))
			continue
		}
		if err := (handshake.Header{Name: name, Value: "x"}).Check(); err != nil {
			bad("Headers", "%v", err)
			continue
		}
		t, err := template.Parse(value, template.Options{Context: template.InHeader, Clients: c.Clients, Files: files})
		if err != nil {
			bad("Headers", "%s: %v", name, err)
			continue
		}
		if t.Static() {
			hv := handshake.Header{Name: name, Value: string(t.Append(nil, vars))}
			if err := hv.Check(); err != nil {
				bad("Headers", "%s: value has control characters or surrounding whitespace", name)
				continue
			}
			static = append(static, hv)
			continue
		}
		r.headers = append(r.headers, clientHeader{name: name, value: t})
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	hs, err := handshake.NewTemplate(u, handshake.Options{Headers: static, Protocols: c.Subprotocols, Origin: c.Origin})
	if err != nil {
		switch {
		case strings.Contains(err.Error(), "subprotocol"):
			return nil, nil, fielderr.New("Subprotocols", "%v", err)
		case strings.Contains(err.Error(), "origin"):
			return nil, nil, fielderr.New("Origin", "%v", err)
		}
		return nil, nil, fielderr.New("URL", "%v", err)
	}
	r.hs = hs
	target := len(hs.Target())
	if r.url != nil {
		target = r.url.MaxLen()
	}
	r.max = len("GET ") + target + len("?=&=&direct=") + len(r.client) + len(r.resume) + 3*20 + hs.RestSize() + len("\r\n")
	for _, h := range r.headers {
		r.max += len(h.name) + len(": ") + h.value.MaxLen() + len("\r\n")
	}
	return r, u, nil
}

// append appends client id's request with key k; resume ≥ 0 asks the
// server to resume after that sequence number.
func (r *upgradeRequest) append(dst []byte, id uint64, resume int64, hasResume bool, direct uint32, k *handshake.Key) []byte {
	dst = append(dst, "GET "...)
	start := len(dst)
	if r.url != nil {
		dst = r.url.Append(dst, template.Vars{Client: id, Shard: r.shard})
		// The template renders the whole URL; keep its request-target.
		t := requestTarget(string(dst[start:]))
		dst = append(dst[:start], t...)
	} else {
		dst = append(dst, r.hs.Target()...)
	}
	sep := byte('?')
	for _, b := range dst[start:] {
		if b == '?' {
			sep = '&'
			break
		}
	}
	if r.client != "" {
		dst = append(dst, sep)
		dst = append(dst, r.client...)
		dst = append(dst, '=')
		dst = strconv.AppendUint(dst, id, 10)
		sep = '&'
	}
	if hasResume && r.resume != "" {
		dst = append(dst, sep)
		dst = append(dst, r.resume...)
		dst = append(dst, '=')
		dst = strconv.AppendInt(dst, resume, 10)
		sep = '&'
	}
	if direct > 0 {
		// The server's offline queue resumes after the last direct
		// message the client received.
		dst = append(dst, sep)
		dst = append(dst, "direct="...)
		dst = strconv.AppendUint(dst, uint64(direct), 10)
	}
	dst = r.hs.AppendRequestRest(dst, k)
	for _, h := range r.headers {
		dst = append(dst, h.name...)
		dst = append(dst, ": "...)
		dst = h.value.Append(dst, template.Vars{Client: id, Shard: r.shard})
		dst = append(dst, "\r\n"...)
	}
	return handshake.EndRequest(dst)
}

// requestTarget returns the path and query of an absolute URL's text:
// what follows the authority, without the fragment; "/" when empty.
func requestTarget(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
		j := strings.IndexAny(s, "/?#")
		if j < 0 {
			return "/"
		}
		s = s[j:]
	}
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	if s == "" || s[0] == '?' {
		return "/" + s
	}
	return s
}

// sensitiveHeaders are header names whose literal values are credentials.
var sensitiveHeaders = []string{"authorization", "proxy-authorization", "cookie", "x-api-key", "x-auth-token"}

// Redacted returns c as it may be written down (config.json): the values
// of credential-carrying headers replaced (RedactHeader).
func (c Config) Redacted() Config {
	if len(c.Headers) > 0 {
		h := make([]string, len(c.Headers))
		for i, v := range c.Headers {
			h[i] = RedactHeader(v)
		}
		c.Headers = h
	}
	if a := c.Framework.Auth; a != "" && !strings.Contains(a, "{{env") && !strings.Contains(a, "{{line") {
		c.Framework.Auth = "[redacted]"
	}
	return c
}

// RedactHeader returns a "Name: value" header as it may be written to
// results and error messages: the value of a credential-carrying header
// (Authorization, Cookie, a name with "token", "secret" or "key") is
// replaced unless it takes its secret from {{env}} or {{line}}.
func RedactHeader(h string) string {
	name, value, ok := strings.Cut(h, ":")
	if !ok {
		if len(h) > 40 {
			return h[:20] + "…"
		}
		return h
	}
	lower := strings.ToLower(strings.TrimSpace(name))
	secret := false
	for _, s := range sensitiveHeaders {
		secret = secret || lower == s
	}
	for _, s := range []string{"token", "secret", "key", "auth", "session"} {
		secret = secret || strings.Contains(lower, s)
	}
	if !secret || strings.Contains(value, "{{env") || strings.Contains(value, "{{ env") || strings.Contains(value, "{{line") || strings.Contains(value, "{{ line") {
		return h
	}
	return name + ": " + redacted
}

// redacted replaces a secret in what is written down.
const redacted = "[redacted]"
