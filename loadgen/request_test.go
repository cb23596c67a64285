package loadgen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stormbench/stormbench/internal/handshake"
)

// TestUpgradeRequest: what each client sends, byte for byte, for the
// ways a request can differ per client.
func TestUpgradeRequest(t *testing.T) {
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens.txt")
	if err := os.WriteFile(tokens, []byte("alpha\r\nb/c d\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key := handshake.KeyFromBits(1, 2)
	fixed := "Host: h:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
	tests := []struct {
		name      string
		cfg       Config
		id        uint64
		resume    int64
		hasResume bool
		want      string // the request line and what follows the fixed fields and the key
	}{
		{"stormbench's own", Config{URL: "ws://h:8080/ws"}, 3, 0, false,
			"GET /ws?client=3 HTTP/1.1\r\n" + fixed + "Sec-WebSocket-Key: K\r\n\r\n"},
		{"resume", Config{URL: "ws://h:8080/ws?room=1"}, 3, 41, true,
			"GET /ws?room=1&client=3&resume=41 HTTP/1.1\r\n" + fixed + "Sec-WebSocket-Key: K\r\n\r\n"},
		{"own parameter names", Config{URL: "ws://h:8080/ws", Formats: Formats{ClientParam: "uid", ResumeParam: "since"}}, 3, 41, true,
			"GET /ws?uid=3&since=41 HTTP/1.1\r\n" + fixed + "Sec-WebSocket-Key: K\r\n\r\n"},
		{"no client parameter", Config{URL: "ws://h:8080/ws", Formats: Formats{ClientParamOff: true}}, 3, 41, true,
			"GET /ws?resume=41 HTTP/1.1\r\n" + fixed + "Sec-WebSocket-Key: K\r\n\r\n"},
		{"templated URL", Config{URL: "ws://h:8080/u/{{client}}?t={{line " + tokens + "}}#frag", Clients: 2, Formats: Formats{ClientParamOff: true}}, 1, 0, false,
			"GET /u/1?t=b%2Fc%20d HTTP/1.1\r\n" + fixed + "Sec-WebSocket-Key: K\r\n\r\n"},
		{"headers, origin, subprotocols", Config{URL: "ws://h:8080/", Clients: 2, Origin: "https://app", Subprotocols: []string{"v2", "v1"},
			Headers: []string{"Authorization: Bearer {{line " + tokens + "}}", "X-Team:  storm ", "X-Shard: {{shard}}"}}, 0, 0, false,
			"GET /?client=0 HTTP/1.1\r\n" + fixed + "Origin: https://app\r\nSec-WebSocket-Protocol: v2, v1\r\nX-Team: storm\r\nX-Shard: 0\r\n" +
				"Sec-WebSocket-Key: K\r\nAuthorization: Bearer alpha\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cfg.Resolve()
			cc, err := c.compile()
			r := cc.req
			if err != nil {
				t.Fatal(err)
			}
			got := string(r.append(make([]byte, 0, r.max), tt.id, tt.resume, tt.hasResume, 0, &key))
			got = strings.Replace(got, key.String(), "K", 1)
			if got != tt.want {
				t.Fatalf("request\n%q\nwant\n%q", got, tt.want)
			}
			if len(got)-1+len(key) > r.max {
				t.Fatalf("request of %d bytes, bound %d", len(got), r.max)
			}
		})
	}
}

// TestUpgradeRequestDoesNotAllocate: a request is built for every attempt.
func TestUpgradeRequestDoesNotAllocate(t *testing.T) {
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens.txt")
	if err := os.WriteFile(tokens, []byte(strings.Repeat("token-of-some-length\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Config{URL: "ws://h/s?id={{client}}", Clients: 100, Headers: []string{"Authorization: Bearer {{line " + tokens + "}}"}}.Resolve()
	cc, err := c.compile()
	r := cc.req
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, r.max)
	key := handshake.KeyFromBits(1, 2)
	id := uint64(0)
	if n := testing.AllocsPerRun(200, func() { id++; buf = r.append(buf[:0], id%100, 5, true, 7, &key) }); n != 0 {
		t.Fatalf("%v allocations per request", n)
	}
}

// TestRedactHeader: credentials never reach config.json or a printed
// command line, templates that read them from elsewhere do.
func TestRedactHeader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Authorization: Bearer abc", "Authorization: [redacted]"},
		{"authorization:Basic xyz", "authorization: [redacted]"},
		{"X-Auth-Token: 1", "X-Auth-Token: [redacted]"},
		{"Cookie: sid=1", "Cookie: [redacted]"},
		{"Authorization: Bearer {{line tokens.txt}}", "Authorization: Bearer {{line tokens.txt}}"},
		{"Authorization: Bearer {{ env TOKEN }}", "Authorization: Bearer {{ env TOKEN }}"},
		{"X-Team: storm", "X-Team: storm"},
	}
	for _, tt := range tests {
		if got := RedactHeader(tt.in); got != tt.want {
			t.Errorf("RedactHeader(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	c := Config{Headers: []string{"Authorization: Bearer abc"}}
	if r := c.Redacted(); r.Headers[0] != "Authorization: [redacted]" || c.Headers[0] != "Authorization: Bearer abc" {
		t.Fatalf("Redacted: %v (original now %v)", r.Headers, c.Headers)
	}
}
