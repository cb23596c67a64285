package handshake

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/protocol"
)

// FuzzParse checks that Parse never panics, keeps n within the input and
// MaxHead, answers consistently for prefixes of its input, and agrees with
// net/http: what http.ReadResponse reads as a 101 with the headers §4.1
// demands, Parse accepts, with the same head length and subprotocol; and
// what Parse accepts, http.ReadResponse reads as such a 101.
func FuzzParse(f *testing.F) {
	withProto := valid101[:len(valid101)-2] + "Sec-WebSocket-Protocol: superchat\r\n\r\n"
	for _, s := range []string{
		valid101, valid101 + frames, withProto + frames,
		"HTTP/1.1 101 x\nupgrade: WebSocket\nConnection: a, upgrade\nSec-WebSocket-Accept: " + sampleAccept + "\n\n",
		statusLine + upgradeH + "X: a\r\n b\r\n" + connH + acceptH + "\r\n",
		"HTTP/1.1 503 x\r\nRetry-After: Sun, 01 Mar 2026 12:00:30 GMT\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 429 x\r\nRetry-After: 12\r\n\r\n",
		"HTTP/1.0 101 x\r\n" + upgradeH + connH + acceptH + "\r\n",
		"HTTP/1.2  101\r\n" + connH + "Connection: keep-alive\r\n" + acceptH + upgradeH + "\r\n",
		statusLine + upgradeH + upgradeH + connH + acceptH + "\r\n",
		statusLine + upgradeH + connH + acceptH + "Sec-WebSocket-Extensions: x\r\n\r\n",
		statusLine + "Upgrade : websocket\r\n" + connH + acceptH + "\r\n",
		statusLine + upgradeH + connH + acceptH + "Transfer-Encoding: foo\r\nContent-Length: 1\r\nContent-Length: x\r\n\r\n",
		"HTTP/1.1 101", "GET / HTTP/1.1\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		exp := sampleExpect("chat", "superchat")
		r, n, err := Parse(b, &exp)
		if n < 0 || n > len(b) || n > MaxHead {
			t.Fatalf("n = %d for %d bytes", n, len(b))
		}
		if err == nil && n > 0 && r.Status != 101 {
			t.Fatalf("accepted status %d", r.Status)
		}
		if err == nil && n == 0 && len(b) >= MaxHead {
			t.Fatalf("need-more with %d bytes", len(b))
		}
		if n > 0 {
			// The verdict does not depend on what follows the head, and
			// one byte less is not yet a verdict (or the same early error).
			if r2, n2, err2 := Parse(b[:n], &exp); r2 != r || n2 != n || err2 != err {
				t.Fatalf("head alone: %+v %d %v; with the rest: %+v %d %v", r2, n2, err2, r, n, err)
			}
			if _, n3, err3 := Parse(b[:n-1], &exp); n3 != 0 || err3 != nil && !(err3 == ErrMalformed && err == ErrMalformed) {
				t.Fatalf("head less one byte: n = %d, err = %v; whole: %v", n3, err3, err)
			}
		}
		if n == 0 && err == nil {
			if _, n4, err4 := Parse(b[:len(b)/2], &exp); n4 != 0 || err4 != nil {
				t.Fatalf("need-more for %q but %d, %v for its first half", b, n4, err4)
			}
		}

		wantN, wantProto, ok := oracle101(b, &exp)
		if ok && (err != nil || n != wantN || r.Protocol != wantProto) {
			t.Fatalf("net/http reads a valid 101 of %d bytes (protocol %d) from %q; Parse: %+v, %d, %v",
				wantN, wantProto, b, r, n, err)
		}
		if err == nil && n > 0 && !ok {
			t.Fatalf("Parse accepted %q (%+v, %d), net/http does not read a valid 101", b, r, n)
		}
	})
}

// oracle101 reads b with net/http and reports whether it is a 101 that
// passes §4.1 by net/http's reading of the headers, with the head's length
// and the selected subprotocol. Inputs whose head Parse refuses by design
// while net/http tolerates it — obs-fold, whitespace in a header name, a
// head beyond MaxHead — are not valid. Content-Length and
// Transfer-Encoding are renamed before net/http reads the head: a 101 has
// no body (RFC 7230 §3.3.3), so Parse does not interpret them, while
// http.ReadResponse refuses values it cannot frame a body with.
func oracle101(b []byte, exp *Expect) (n, proto int, ok bool) {
	end := headEnd(b[:min(len(b), MaxHead)])
	if end == 0 {
		return 0, 0, false
	}
	status, lines := nextLine(b[:end])
	kept := append(append([]byte(nil), status...), "\r\n"...)
	for len(lines) > 0 {
		var line []byte
		line, lines = nextLine(lines)
		if len(line) > 0 && isOWS(line[0]) {
			return 0, 0, false
		}
		name, _, found := bytes.Cut(line, []byte(":"))
		if found && bytes.ContainsAny(name, " \t") {
			return 0, 0, false
		}
		if found && (equalLower(name, "content-length") || equalLower(name, "transfer-encoding")) {
			// Renamed, not dropped: net/http still judges the value's bytes.
			line = append([]byte("X-Framing:"), line[len(name)+1:]...)
		}
		kept = append(append(kept, line...), "\r\n"...)
	}
	src := bytes.NewReader(kept)
	br := bufio.NewReader(src)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 || resp.ProtoMajor != 1 || resp.ProtoMinor < 1 {
		return 0, 0, false
	}
	if src.Len()+br.Buffered() != 0 {
		return 0, 0, false // net/http saw the head end elsewhere
	}
	n = end
	h := resp.Header
	if up := h.Values("Upgrade"); len(up) != 1 || !strings.EqualFold(strings.TrimSpace(up[0]), "websocket") {
		return 0, 0, false
	}
	hasUpgrade := false
	for _, v := range h.Values("Connection") {
		for _, tok := range strings.Split(v, ",") {
			hasUpgrade = hasUpgrade || strings.EqualFold(strings.Trim(tok, " \t"), "upgrade")
		}
	}
	if !hasUpgrade {
		return 0, 0, false
	}
	if acc := h.Values("Sec-WebSocket-Accept"); len(acc) != 1 || strings.TrimSpace(acc[0]) != exp.Accept.String() {
		return 0, 0, false
	}
	if _, has := h["Sec-Websocket-Extensions"]; has {
		return 0, 0, false
	}
	proto = -1
	if ps, has := h["Sec-Websocket-Protocol"]; has {
		if len(ps) != 1 {
			return 0, 0, false
		}
		for i, p := range exp.Protocols {
			if strings.Trim(ps[0], " \t") == p {
				proto = i
			}
		}
		if proto < 0 {
			return 0, 0, false
		}
	}
	return n, proto, true
}

// FuzzRequest builds requests from arbitrary URLs, headers, subprotocols
// and origins, and checks that whatever NewTemplate accepts, net/http reads
// back field by field and a gobwas Upgrader accepts, and that Parse accepts
// the gobwas server's answer.
func FuzzRequest(f *testing.F) {
	f.Add("ws://127.0.0.1:8080/ws?x=1", "X-Run", "storm 1", "chat", "http://o.example", uint64(7), int64(42), true)
	f.Add("ws://[::1]/a%20b?", "Authorization", "Bearer a:b", "", "", uint64(0), int64(0), false)
	f.Add("wss://h:443/p?client=3", "Cookie", "a=b; c=d", "v1.chat", "null", uint64(1<<63), int64(-1), true)
	f.Fuzz(func(t *testing.T, rawURL, hname, hvalue, proto, origin string, client uint64, resume int64, hasResume bool) {
		u, err := url.Parse(rawURL)
		if err != nil {
			return
		}
		o := Options{Origin: origin}
		if hname != "" {
			o.Headers = []Header{{hname, hvalue}}
		}
		if proto != "" {
			o.Protocols = strings.Split(proto, ",")
		}
		tm, err := NewTemplate(u, o)
		if err != nil {
			return
		}
		q := protocol.Query{Client: client, HasClient: true, Resume: resume, HasResume: hasResume && resume >= 0}
		k := KeyFromBits(client, uint64(resume))
		req := tm.AppendRequest(nil, q, &k)
		if len(req) > tm.MaxSize() {
			t.Fatalf("%d bytes, MaxSize %d", len(req), tm.MaxSize())
		}

		src := bytes.NewReader(req)
		hr, err := http.ReadRequest(bufio.NewReader(src))
		if err != nil {
			t.Fatalf("net/http cannot read %q: %v", req, err)
		}
		if rest, _ := io.ReadAll(hr.Body); len(rest) > 0 || src.Len() > 0 {
			t.Fatalf("bytes after the head of %q", req)
		}
		h := hr.Header
		if hr.Method != "GET" || hr.Proto != "HTTP/1.1" || h.Get("Upgrade") != "websocket" ||
			h.Get("Connection") != "Upgrade" || h.Get("Sec-WebSocket-Version") != "13" ||
			h.Get("Sec-WebSocket-Key") != k.String() || h.Get("Origin") != origin ||
			h.Get("Sec-WebSocket-Protocol") != strings.Join(o.Protocols, ", ") {
			t.Fatalf("net/http reads %q as %s %s %v", req, hr.Method, hr.Proto, h)
		}
		if hname != "" && h.Get(hname) != hvalue {
			t.Fatalf("header %q: net/http reads %q from %q", hname, h.Get(hname), req)
		}
		wantHost := u.Hostname()
		if i := strings.IndexByte(wantHost, '%'); i >= 0 {
			wantHost = wantHost[:i]
		}
		if strings.Contains(wantHost, ":") {
			wantHost = "[" + wantHost + "]"
		}
		defPort := "80"
		if u.Scheme == "wss" || u.Scheme == "https" {
			defPort = "443"
		}
		if p := u.Port(); p != "" && p != defPort {
			wantHost += ":" + p
		}
		if hr.Host != wantHost {
			t.Fatalf("Host %q, want %q", hr.Host, wantHost)
		}
		// The URL's own query, then the client's parameters.
		wantURI := strings.TrimSuffix(u.RequestURI(), "?")
		if !strings.HasPrefix(hr.RequestURI, wantURI) {
			t.Fatalf("request-target %q does not start with %q", hr.RequestURI, wantURI)
		}
		vals := hr.URL.Query()
		if cl := vals["client"]; len(cl) == 0 || cl[len(cl)-1] != strconv.FormatUint(client, 10) {
			t.Fatalf("client %d: query %q", client, hr.URL.RawQuery)
		}
		if rs := vals["resume"]; q.HasResume && (len(rs) == 0 || rs[len(rs)-1] != strconv.FormatInt(resume, 10)) {
			t.Fatalf("resume %d: query %q", resume, hr.URL.RawQuery)
		}

		// gobwas, as a server, over an in-memory connection.
		var out bytes.Buffer
		up := ws.Upgrader{}
		if len(o.Protocols) > 0 {
			last := o.Protocols[len(o.Protocols)-1]
			up.Protocol = func(p []byte) bool { return string(p) == last }
		}
		if _, err := up.Upgrade(struct {
			io.Reader
			io.Writer
		}{bytes.NewReader(req), &out}); err != nil {
			t.Fatalf("gobwas refuses %q: %v", req, err)
		}
		exp := tm.Expect(&k)
		r, n, err := Parse(out.Bytes(), &exp)
		if err != nil || n != out.Len() || len(o.Protocols) > 0 && r.Protocol != len(o.Protocols)-1 {
			t.Fatalf("Parse(%q) = %+v, %d, %v", out.Bytes(), r, n, err)
		}
	})
}
