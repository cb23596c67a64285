package handshake

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/protocol"
)

// ioBound keeps a broken test from hanging; no assertion depends on it.
const ioBound = 10 * time.Second

// exchange sends req over a fresh TCP connection to addr and reads until
// Parse has a verdict. It returns the connection, still open, and all the
// bytes read.
func exchange(t *testing.T, addr string, req []byte, exp *Expect) (r Response, n int, err error, got []byte, c net.Conn) {
	t.Helper()
	c, derr := net.Dial("tcp", addr)
	if derr != nil {
		t.Fatal(derr)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(ioBound))
	if _, werr := c.Write(req); werr != nil {
		t.Fatal(werr)
	}
	buf := make([]byte, 0, 512)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		m, rerr := c.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		r, n, err = Parse(buf, exp)
		if n > 0 || err != nil {
			return r, n, err, buf, c
		}
		if rerr != nil {
			t.Fatalf("read after %q: %v", buf, rerr)
		}
	}
}

// readFrames reads count frames from the bytes behind the head, then from c.
func readFrames(t *testing.T, leftover []byte, c net.Conn, count int) []string {
	t.Helper()
	rd := io.MultiReader(bytes.NewReader(leftover), c)
	var out []string
	for range count {
		f, err := ws.ReadFrame(rd)
		if err != nil {
			t.Fatalf("frame %d: %v", len(out), err)
		}
		out = append(out, string(f.Payload))
	}
	return out
}

// seen is what a reference server observed of a request.
type seen struct {
	uri, host, origin, extra, protocol string
	err                                error
}

// gobwasServer upgrades each accepted connection with up, reports what it
// saw, and on success writes two text frames right behind its 101.
func gobwasServer(t *testing.T, up ws.Upgrader) (string, <-chan seen) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	out := make(chan seen, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(ioBound))
				var s seen
				u := up
				u.OnRequest = func(uri []byte) error { s.uri = string(uri); return nil }
				u.OnHost = func(h []byte) error { s.host = string(h); return nil }
				u.OnHeader = func(k, v []byte) error {
					switch strings.ToLower(string(k)) {
					case "origin":
						s.origin = string(v)
					case "x-run":
						s.extra = string(v)
					}
					return nil
				}
				hs, err := u.Upgrade(c)
				s.protocol, s.err = hs.Protocol, err
				if err == nil {
					// One write: the frames may share a segment with the 101 or not.
					var b bytes.Buffer
					_ = ws.WriteFrame(&b, ws.NewTextFrame([]byte("one")))
					_ = ws.WriteFrame(&b, ws.NewTextFrame([]byte("two")))
					_, _ = c.Write(b.Bytes())
				}
				out <- s
				_, _ = io.Copy(io.Discard, c) // until the client closes
			}()
		}
	}()
	return ln.Addr().String(), out
}

func TestGobwasUpgraderAcceptsRequestAndParsesResponse(t *testing.T) {
	for _, tc := range []struct {
		name     string
		offered  []string
		serverOK string // the one subprotocol the server accepts
		want     int
	}{
		{"no subprotocol", nil, "", -1},
		{"subprotocol selected", []string{"chat", "superchat"}, "superchat", 1},
		{"offered, none selected", []string{"chat"}, "", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up := ws.Upgrader{}
			if tc.serverOK != "" {
				up.Protocol = func(p []byte) bool { return string(p) == tc.serverOK }
			}
			addr, seenc := gobwasServer(t, up)
			tm := mustTemplate(t, "ws://"+addr+"/ws?fleet=a", Options{
				Protocols: tc.offered,
				Origin:    "http://origin.example",
				Headers:   []Header{{"X-Run", "storm 1"}},
			})
			k := sampleKeyValue()
			req := tm.AppendRequest(nil, protocol.Query{Client: 7, HasClient: true, Resume: 42, HasResume: true}, &k)
			exp := tm.Expect(&k)
			r, n, err, got, c := exchange(t, addr, req, &exp)
			s := <-seenc
			if s.err != nil {
				t.Fatalf("gobwas refused the request %q: %v", req, s.err)
			}
			if err != nil || r.Status != 101 || r.Protocol != tc.want {
				t.Fatalf("Parse(%q) = %+v, %d, %v", got, r, n, err)
			}
			if s.uri != "/ws?fleet=a&client=7&resume=42" || s.host != addr ||
				s.origin != "http://origin.example" || s.extra != "storm 1" || s.protocol != tc.serverOK {
				t.Fatalf("server saw %+v", s)
			}
			if frames := readFrames(t, got[n:], c, 2); frames[0] != "one" || frames[1] != "two" {
				t.Fatalf("frames behind the head: %q", frames)
			}
		})
	}
}

// TestGobwasUpgraderRefusesBrokenRequests shows that the reference server
// does check what TestGobwasUpgraderAcceptsRequestAndParsesResponse relies
// on, and that its refusals parse as statuses.
func TestGobwasUpgraderRefusesBrokenRequests(t *testing.T) {
	addr, seenc := gobwasServer(t, ws.Upgrader{})
	tm := mustTemplate(t, "ws://"+addr+"/", Options{})
	k := sampleKeyValue()
	good := string(tm.AppendRequest(nil, protocol.Query{}, &k))
	for _, tc := range []struct {
		name, old, new string
		status         int
	}{
		{"no Host", "Host: " + addr + "\r\n", "", 400},
		{"no Upgrade", "Upgrade: websocket\r\n", "", 400},
		{"Upgrade h2c", "Upgrade: websocket", "Upgrade: h2c", 400},
		{"no Connection", "Connection: Upgrade\r\n", "", 400},
		{"Connection close", "Connection: Upgrade", "Connection: close", 400},
		{"no key", "Sec-WebSocket-Key: " + sampleKey + "\r\n", "", 400},
		{"short key", "Sec-WebSocket-Key: " + sampleKey, "Sec-WebSocket-Key: abc", 400},
		{"no version", "Sec-WebSocket-Version: 13\r\n", "", 400},
		{"version 8", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8", 426},
		{"HTTP/1.0", "HTTP/1.1", "HTTP/1.0", 505},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := strings.Replace(good, tc.old, tc.new, 1)
			if req == good {
				t.Fatalf("%q not in the request", tc.old)
			}
			exp := tm.Expect(&k)
			r, n, err, got, _ := exchange(t, addr, []byte(req), &exp)
			if s := <-seenc; s.err == nil {
				t.Fatalf("gobwas accepted %q", req)
			}
			if err != ErrStatus || r.Status != tc.status || n == 0 {
				t.Fatalf("Parse(%q) = %+v, %d, %v; want ErrStatus %d", got, r, n, err, tc.status)
			}
		})
	}
}

func TestGobwasHTTPUpgraderOverNetHTTP(t *testing.T) {
	type result struct {
		protocol, uri string
		err           error
	}
	results := make(chan result, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		up := ws.HTTPUpgrader{Protocol: func(p string) bool { return p == "chat" }}
		c, _, hs, err := up.Upgrade(req, w)
		results <- result{hs.Protocol, req.RequestURI, err}
		if err != nil {
			return
		}
		defer c.Close()
		var b bytes.Buffer
		_ = ws.WriteFrame(&b, ws.NewTextFrame([]byte("one")))
		_ = ws.WriteFrame(&b, ws.NewTextFrame([]byte("two")))
		_, _ = c.Write(b.Bytes())
		_, _ = io.Copy(io.Discard, c)
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	tm := mustTemplate(t, "ws://"+addr+"/socket", Options{Protocols: []string{"superchat", "chat"}})
	k := KeyFromBits(0x0123456789abcdef, 0xfedcba9876543210)
	req := tm.AppendRequest(nil, protocol.Query{Client: 1, HasClient: true}, &k)
	exp := tm.Expect(&k)
	r, n, err, got, c := exchange(t, addr, req, &exp)
	res := <-results
	if res.err != nil {
		t.Fatalf("HTTPUpgrader refused %q: %v", req, res.err)
	}
	if err != nil || r.Status != 101 || r.Protocol != 1 || res.protocol != "chat" || res.uri != "/socket?client=1" {
		t.Fatalf("Parse(%q) = %+v, %d, %v; server %+v", got, r, n, err, res)
	}
	if frames := readFrames(t, got[n:], c, 2); frames[0] != "one" || frames[1] != "two" {
		t.Fatalf("frames behind the head: %q", frames)
	}
}

// TestNetHTTPRefusalsParseToStatus runs a plain net/http server that turns
// upgrade requests away the ways servers under load do.
func TestNetHTTPRefusalsParseToStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch req.URL.Path {
		case "/401":
			w.Header().Set("WWW-Authenticate", "Bearer")
			http.Error(w, "no", http.StatusUnauthorized)
		case "/429":
			w.Header().Set("Retry-After", "7")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		case "/503":
			w.Header().Set("Retry-After", refNow.Add(30*time.Second).Format(http.TimeFormat))
			http.Error(w, "busy", http.StatusServiceUnavailable)
		default:
			http.NotFound(w, req)
		}
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	for _, tc := range []struct {
		path   string
		status int
		retry  time.Duration
		has    bool
	}{
		{"/401", 401, 0, false},
		{"/404", 404, 0, false},
		{"/429", 429, 7 * time.Second, true},
		{"/503", 503, 30 * time.Second, true},
	} {
		t.Run(tc.path, func(t *testing.T) {
			tm := mustTemplate(t, "ws://"+addr+tc.path, Options{})
			k := sampleKeyValue()
			exp := tm.Expect(&k)
			exp.Now = refNow
			r, n, err, got, _ := exchange(t, addr, tm.AppendRequest(nil, protocol.Query{}, &k), &exp)
			if err != ErrStatus || r.Status != tc.status || r.RetryAfter != tc.retry || r.HasRetryAfter != tc.has {
				t.Fatalf("Parse(%q) = %+v, %v", got, r, err)
			}
			if head := bytes.Index(got, []byte("\r\n\r\n")) + 4; n != head {
				t.Fatalf("n = %d, head is %d bytes", n, head)
			}
		})
	}
}
