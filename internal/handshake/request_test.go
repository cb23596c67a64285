package handshake

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stormbench/stormbench/internal/protocol"
)

func mustTemplate(t testing.TB, raw string, o Options) *Template {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	tm, err := NewTemplate(u, o)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestAppendRequest(t *testing.T) {
	const fixed = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
	const key = "Sec-WebSocket-Key: " + sampleKey + "\r\n"
	both := protocol.Query{Client: 7, HasClient: true, Resume: 42, HasResume: true}
	for _, tc := range []struct {
		name string
		url  string
		o    Options
		q    protocol.Query
		want string
	}{
		{"bare host, no query", "ws://example.com", Options{}, protocol.Query{},
			"GET / HTTP/1.1\r\nHost: example.com\r\n" + fixed + key + "\r\n"},
		{"default port dropped", "ws://example.com:80/ws", Options{}, protocol.Query{},
			"GET /ws HTTP/1.1\r\nHost: example.com\r\n" + fixed + key + "\r\n"},
		{"other port kept, client and resume", "ws://127.0.0.1:8080/ws", Options{}, both,
			"GET /ws?client=7&resume=42 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n" + fixed + key + "\r\n"},
		{"URL query kept, client only", "ws://h:9/a/b?x=1&y=%20", Options{}, protocol.Query{Client: 3, HasClient: true},
			"GET /a/b?x=1&y=%20&client=3 HTTP/1.1\r\nHost: h:9\r\n" + fixed + key + "\r\n"},
		{"empty query, fragment dropped", "ws://h/p?#frag", Options{}, protocol.Query{Resume: 5, HasResume: true},
			"GET /p?resume=5 HTTP/1.1\r\nHost: h\r\n" + fixed + key + "\r\n"},
		{"wss default port", "wss://h:443/", Options{}, protocol.Query{},
			"GET / HTTP/1.1\r\nHost: h\r\n" + fixed + key + "\r\n"},
		{"IPv6 with port", "ws://[::1]:8080/", Options{}, protocol.Query{},
			"GET / HTTP/1.1\r\nHost: [::1]:8080\r\n" + fixed + key + "\r\n"},
		{"IPv6 zone dropped", "ws://[fe80::1%25eth0]/", Options{}, protocol.Query{},
			"GET / HTTP/1.1\r\nHost: [fe80::1]\r\n" + fixed + key + "\r\n"},
		{"escaped path", "ws://h/a%20b/c", Options{}, protocol.Query{},
			"GET /a%20b/c HTTP/1.1\r\nHost: h\r\n" + fixed + key + "\r\n"},
		{"origin, protocols, headers", "ws://h/",
			Options{
				Origin:    "http://example.com",
				Protocols: []string{"chat", "superchat"},
				Headers:   []Header{{"Authorization", "Bearer abc"}, {"X-Run", "storm 1"}},
			}, protocol.Query{},
			"GET / HTTP/1.1\r\nHost: h\r\n" + fixed +
				"Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n" +
				"Authorization: Bearer abc\r\nX-Run: storm 1\r\n" + key + "\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm := mustTemplate(t, tc.url, tc.o)
			k := sampleKeyValue()
			got := string(tm.AppendRequest([]byte("prefix"), tc.q, &k))
			if got != "prefix"+tc.want {
				t.Fatalf("request:\n%q\nwant\n%q", got, "prefix"+tc.want)
			}
			if len(tc.want) > tm.MaxSize() {
				t.Fatalf("%d bytes, MaxSize %d", len(tc.want), tm.MaxSize())
			}
		})
	}
}

func TestAppendRequestHeadWithPerClientHeaders(t *testing.T) {
	tm := mustTemplate(t, "ws://h/", Options{Headers: []Header{{"X-Fleet", "a"}}})
	k := sampleKeyValue()
	b := tm.AppendRequestHead(nil, protocol.Query{Client: 9, HasClient: true}, &k)
	b = AppendHeader(b, "X-Client", "c-9")
	b = EndRequest(b)
	want := "GET /?client=9 HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Version: 13\r\nX-Fleet: a\r\nSec-WebSocket-Key: " + sampleKey + "\r\nX-Client: c-9\r\n\r\n"
	if string(b) != want {
		t.Fatalf("request:\n%q\nwant\n%q", b, want)
	}
}

func TestNewTemplateRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		o         Options
		errHas    string
	}{
		{"scheme", "ftp://h/", Options{}, "scheme"},
		{"no host", "ws:///p", Options{}, "no host"},
		{"opaque", "ws:opaque", Options{}, "no host"},
		{"space in query", "ws://h/?a b", Options{}, "request-target"},
		{"non-ASCII host", "ws://bücher.example/", Options{}, "request-target"},
		{"protocol not a token", "ws://h/", Options{Protocols: []string{"a b"}}, "not a token"},
		{"empty protocol", "ws://h/", Options{Protocols: []string{""}}, "not a token"},
		{"protocol twice", "ws://h/", Options{Protocols: []string{"a", "b", "a"}}, "twice"},
		{"origin with CRLF", "ws://h/", Options{Origin: "http://a\r\nX: y"}, "origin"},
		{"header name", "ws://h/", Options{Headers: []Header{{"X Y", "v"}}}, "not an HTTP token"},
		{"header value CR", "ws://h/", Options{Headers: []Header{{"X", "a\rb"}}}, "control"},
		{"header value LF", "ws://h/", Options{Headers: []Header{{"X", "a\nb"}}}, "control"},
		{"header value padded", "ws://h/", Options{Headers: []Header{{"X", " a"}}}, "whitespace"},
		{"reserved host", "ws://h/", Options{Headers: []Header{{"host", "x"}}}, "handshake itself"},
		{"reserved key", "ws://h/", Options{Headers: []Header{{"Sec-Websocket-Key", "x"}}}, "handshake itself"},
		{"reserved extensions", "ws://h/", Options{Headers: []Header{{"Sec-WebSocket-Extensions", "x"}}}, "handshake itself"},
		{"body", "ws://h/", Options{Headers: []Header{{"Content-Length", "3"}}}, "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Skipf("url.Parse refuses it already: %v", err)
			}
			_, err = NewTemplate(u, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.errHas)
			}
		})
	}
}

func TestParseHeader(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Header
		ok   bool
	}{
		{"Authorization: Bearer x", Header{"Authorization", "Bearer x"}, true},
		{"X-A:b", Header{"X-A", "b"}, true},
		{"X-A:  b c \t", Header{"X-A", "b c"}, true},
		{"X-Empty:", Header{"X-Empty", ""}, true},
		{"X-Colon: a:b", Header{"X-Colon", "a:b"}, true},
		{"no colon", Header{}, false},
		{"X A: b", Header{}, false},
		{": b", Header{}, false},
		{"X: a\r\nY: b", Header{}, false},
		{"Upgrade: h2c", Header{}, false},
	} {
		h, err := ParseHeader(tc.in)
		if (err == nil) != tc.ok || tc.ok && h != tc.want {
			t.Errorf("ParseHeader(%q) = %+v, %v; want %+v, ok %v", tc.in, h, err, tc.want, tc.ok)
		}
	}
}
