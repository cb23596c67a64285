package handshake

import (
	"strings"
	"testing"
	"time"
)

const (
	statusLine = "HTTP/1.1 101 Switching Protocols\r\n"
	upgradeH   = "Upgrade: websocket\r\n"
	connH      = "Connection: Upgrade\r\n"
	acceptH    = "Sec-WebSocket-Accept: " + sampleAccept + "\r\n"
	valid101   = statusLine + upgradeH + connH + acceptH + "\r\n"
)

// frames are two unmasked server frames: text "hi" and a ping.
const frames = "\x81\x02hi\x89\x00"

var refNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func sampleExpect(protocols ...string) Expect {
	k := sampleKeyValue()
	return Expect{Accept: k.Accept(), Protocols: protocols, Now: refNow}
}

type parseCase struct {
	name      string
	in        string
	offered   []string
	err       error
	status    int
	protocol  int
	retry     time.Duration
	hasRetry  bool
	headBytes int // expected n; -1: len(in) - len(frames) when in ends in frames, else len(in)
}

func runParseCases(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			exp := sampleExpect(tc.offered...)
			r, n, err := Parse([]byte(tc.in), &exp)
			if err != tc.err {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			wantN := tc.headBytes
			if wantN < 0 {
				wantN = len(tc.in)
				if strings.HasSuffix(tc.in, frames) {
					wantN -= len(frames)
				}
			}
			if n != wantN {
				t.Fatalf("n = %d, want %d", n, wantN)
			}
			if r.Status != tc.status || r.Protocol != tc.protocol ||
				r.RetryAfter != tc.retry || r.HasRetryAfter != tc.hasRetry {
				t.Fatalf("response = %+v, want status %d protocol %d retry %v/%v",
					r, tc.status, tc.protocol, tc.retry, tc.hasRetry)
			}
		})
	}
}

func ok101(name, in string) parseCase {
	return parseCase{name: name, in: in, status: 101, protocol: -1, headBytes: -1}
}

func fail101(name, in string, err Failure) parseCase {
	return parseCase{name: name, in: in, err: err, status: 101, protocol: -1, headBytes: -1}
}

func TestParseValid(t *testing.T) {
	runParseCases(t, []parseCase{
		ok101("minimal", valid101),
		ok101("frames behind the head", valid101+frames),
		ok101("no reason phrase", "HTTP/1.1 101\r\n"+upgradeH+connH+acceptH+"\r\n"),
		ok101("spaces before the status", "HTTP/1.1   101 x\r\n"+upgradeH+connH+acceptH+"\r\n"),
		ok101("HTTP/1.2", "HTTP/1.2 101 x\r\n"+upgradeH+connH+acceptH+"\r\n"),
		ok101("header order and other headers", statusLine+"Server: x\r\n"+acceptH+"Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"+connH+upgradeH+"\r\n"),
		ok101("names and tokens in any case", statusLine+"UPGRADE: WebSocket\r\nconnection: uPgRaDe\r\nsec-websocket-accept: "+sampleAccept+"\r\n\r\n"),
		ok101("values trimmed", statusLine+"Upgrade: \t websocket \t\r\nConnection:Upgrade  \r\nSec-WebSocket-Accept:"+sampleAccept+"\t\r\n\r\n"),
		ok101("connection list", statusLine+upgradeH+"Connection: keep-alive, Upgrade\r\n"+acceptH+"\r\n"),
		ok101("connection list with empty elements", statusLine+upgradeH+"Connection: ,, keep-alive ,upgrade,\r\n"+acceptH+"\r\n"),
		ok101("connection on two lines", statusLine+upgradeH+"Connection: keep-alive\r\n"+acceptH+"Connection: Upgrade\r\n\r\n"),
		ok101("bare LF line ends", "HTTP/1.1 101 x\n"+"Upgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Accept: "+sampleAccept+"\n\n"+frames),
		ok101("retry-after ignored in a 101", statusLine+upgradeH+connH+acceptH+"Retry-After: 5\r\n\r\n"),
		ok101("obs-text in another header", statusLine+upgradeH+connH+acceptH+"X-Name: caf\xc3\xa9\r\n\r\n"),
		{name: "subprotocol selected", in: valid101[:len(valid101)-2] + "Sec-WebSocket-Protocol: superchat\r\n\r\n" + frames,
			offered: []string{"chat", "superchat"}, status: 101, protocol: 1, headBytes: -1},
		{name: "subprotocol trimmed", in: valid101[:len(valid101)-2] + "Sec-WebSocket-Protocol:  chat \r\n\r\n",
			offered: []string{"chat", "superchat"}, status: 101, protocol: 0, headBytes: -1},
		{name: "offered, none selected", in: valid101, offered: []string{"chat"}, status: 101, protocol: -1, headBytes: -1},
	})
}

func TestParseUpgradeChecks(t *testing.T) {
	runParseCases(t, []parseCase{
		fail101("upgrade missing", statusLine+connH+acceptH+"\r\n", ErrUpgradeHeader),
		fail101("upgrade h2c", statusLine+"Upgrade: h2c\r\n"+connH+acceptH+"\r\n", ErrUpgradeHeader),
		fail101("upgrade list", statusLine+"Upgrade: websocket, h2c\r\n"+connH+acceptH+"\r\n", ErrUpgradeHeader),
		fail101("upgrade versioned", statusLine+"Upgrade: websocket/13\r\n"+connH+acceptH+"\r\n", ErrUpgradeHeader),
		fail101("upgrade empty", statusLine+"Upgrade:\r\n"+connH+acceptH+"\r\n", ErrUpgradeHeader),
		fail101("upgrade twice", statusLine+upgradeH+upgradeH+connH+acceptH+"\r\n", ErrUpgradeHeader),
		fail101("connection missing", statusLine+upgradeH+acceptH+"\r\n", ErrConnectionHeader),
		fail101("connection keep-alive", statusLine+upgradeH+"Connection: keep-alive\r\n"+acceptH+"\r\n", ErrConnectionHeader),
		fail101("connection token is a prefix", statusLine+upgradeH+"Connection: upgrades\r\n"+acceptH+"\r\n", ErrConnectionHeader),
		fail101("connection token inside another", statusLine+upgradeH+"Connection: keep-alive upgrade\r\n"+acceptH+"\r\n", ErrConnectionHeader),
		fail101("accept missing", statusLine+upgradeH+connH+"\r\n", ErrAccept),
		fail101("accept wrong", statusLine+upgradeH+connH+"Sec-WebSocket-Accept: "+strings.Replace(sampleAccept, "s3p", "s3q", 1)+"\r\n\r\n", ErrAccept),
		fail101("accept in another case", statusLine+upgradeH+connH+"Sec-WebSocket-Accept: "+strings.ToLower(sampleAccept)+"\r\n\r\n", ErrAccept),
		fail101("accept is the key", statusLine+upgradeH+connH+"Sec-WebSocket-Accept: "+sampleKey+"\r\n\r\n", ErrAccept),
		fail101("accept twice", statusLine+upgradeH+connH+acceptH+acceptH+"\r\n", ErrAccept),
		fail101("accept truncated", statusLine+upgradeH+connH+"Sec-WebSocket-Accept: "+sampleAccept[:27]+"\r\n\r\n", ErrAccept),
		fail101("extension not offered", statusLine+upgradeH+connH+acceptH+"Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n", ErrExtension),
		fail101("empty extensions", statusLine+upgradeH+connH+acceptH+"Sec-WebSocket-Extensions:\r\n\r\n", ErrExtension),
		fail101("subprotocol when none offered", statusLine+upgradeH+connH+acceptH+"Sec-WebSocket-Protocol: chat\r\n\r\n", ErrSubprotocol),
		{name: "subprotocol not offered", in: valid101[:len(valid101)-2] + "Sec-WebSocket-Protocol: other\r\n\r\n",
			offered: []string{"chat"}, err: ErrSubprotocol, status: 101, protocol: -1, headBytes: -1},
		{name: "subprotocol in another case", in: valid101[:len(valid101)-2] + "Sec-WebSocket-Protocol: Chat\r\n\r\n",
			offered: []string{"chat"}, err: ErrSubprotocol, status: 101, protocol: -1, headBytes: -1},
		{name: "subprotocol list", in: valid101[:len(valid101)-2] + "Sec-WebSocket-Protocol: chat, superchat\r\n\r\n",
			offered: []string{"chat", "superchat"}, err: ErrSubprotocol, status: 101, protocol: -1, headBytes: -1},
		{name: "subprotocol twice", in: valid101[:len(valid101)-2] + "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: chat\r\n\r\n",
			offered: []string{"chat"}, err: ErrSubprotocol, status: 101, protocol: 0, headBytes: -1},
		{name: "subprotocol empty", in: valid101[:len(valid101)-2] + "Sec-WebSocket-Protocol:\r\n\r\n",
			offered: []string{"chat"}, err: ErrSubprotocol, status: 101, protocol: -1, headBytes: -1},
		// The first failing check in header order is the one reported.
		fail101("first failure wins", statusLine+"Upgrade: h2c\r\nSec-WebSocket-Extensions: x\r\n"+connH+acceptH+"\r\n", ErrUpgradeHeader),
		fail101("failure before a malformed line", statusLine+"Sec-WebSocket-Extensions: x\r\nbroken\r\n\r\n", ErrExtension),
	})
}

func TestParseMalformed(t *testing.T) {
	mal := func(name, in string) parseCase {
		return parseCase{name: name, in: in, err: ErrMalformed, status: 101, protocol: -1, headBytes: -1}
	}
	early := func(name, in string) parseCase {
		return parseCase{name: name, in: in, err: ErrMalformed, protocol: -1}
	}
	runParseCases(t, []parseCase{
		mal("obs-fold", statusLine+upgradeH+"X-A: b\r\n c\r\n"+connH+acceptH+"\r\n"),
		mal("obs-fold of the accept", statusLine+upgradeH+connH+"Sec-WebSocket-Accept:\r\n\t"+sampleAccept+"\r\n\r\n"),
		mal("first header line folded", statusLine+" "+upgradeH+connH+acceptH+"\r\n"),
		mal("space before the colon", statusLine+"Upgrade : websocket\r\n"+connH+acceptH+"\r\n"),
		mal("no colon", statusLine+upgradeH+"Connection Upgrade\r\n"+acceptH+"\r\n"),
		mal("empty name", statusLine+upgradeH+": x\r\n"+connH+acceptH+"\r\n"),
		mal("name not a token", statusLine+upgradeH+"X(y): z\r\n"+connH+acceptH+"\r\n"),
		mal("NUL in a value", statusLine+upgradeH+"X: a\x00b\r\n"+connH+acceptH+"\r\n"),
		mal("CR in a value", statusLine+upgradeH+"X: a\rb\r\n"+connH+acceptH+"\r\n"),
		mal("DEL in a value", statusLine+upgradeH+"X: \x7f\r\n"+connH+acceptH+"\r\n"),
		mal("101 from HTTP/1.0", "HTTP/1.0 101 x\r\n"+upgradeH+connH+acceptH+"\r\n"),
		{name: "empty status line", in: "\r\n" + upgradeH + "\r\n", err: ErrMalformed, protocol: -1, headBytes: 2},
		early("not HTTP", "SSH-2.0-OpenSSH\r\n"),
		early("not HTTP, short", "GE"),
		early("request line", "GET / HTTP/1.1\r\n"),
		early("HTTP/2", "HTTP/2.0 101 x\r\n"),
		early("status with four digits", "HTTP/1.1 1010 x\r\n"),
		early("status with two digits", "HTTP/1.1 10\r\n"),
		early("status not digits", "HTTP/1.1 abc\r\n"),
		early("no space after the version", "HTTP/1.1\t101 x\r\n"),
		early("version without minor", "HTTP/1 101 x\r\n"),
		{name: "bad status line, complete head", in: "HTTP/1.1 1x1 x\r\n\r\n", err: ErrMalformed, protocol: -1, headBytes: -1},
	})
}

func TestParseIncomplete(t *testing.T) {
	for _, in := range []string{"", "H", "HTTP/", "HTTP/1.1 101", statusLine, valid101[:len(valid101)-1], valid101[:len(valid101)-2]} {
		exp := sampleExpect()
		r, n, err := Parse([]byte(in), &exp)
		if n != 0 || err != nil {
			t.Errorf("Parse(%q) = %+v, %d, %v; want need-more", in, r, n, err)
		}
	}
}

func TestParseBound(t *testing.T) {
	pad := func(total int) string { // a valid 101 whose head is total bytes long
		fill := total - len(valid101) - len("X-Pad: \r\n")
		return statusLine + upgradeH + connH + acceptH + "X-Pad: " + strings.Repeat("p", fill) + "\r\n\r\n"
	}
	exp := sampleExpect()
	in := pad(MaxHead)
	if _, n, err := Parse([]byte(in+frames), &exp); err != nil || n != MaxHead {
		t.Fatalf("head of MaxHead bytes: n = %d, err = %v", n, err)
	}
	in = pad(MaxHead + 1)
	if _, n, err := Parse([]byte(in), &exp); err != ErrTooLarge || n != 0 {
		t.Fatalf("head of MaxHead+1 bytes: n = %d, err = %v", n, err)
	}
	if _, n, err := Parse([]byte(in[:MaxHead-1]), &exp); err != nil || n != 0 {
		t.Fatalf("MaxHead-1 bytes of it: n = %d, err = %v, want need-more", n, err)
	}
	if _, n, err := Parse([]byte(in[:MaxHead]), &exp); err != ErrTooLarge || n != 0 {
		t.Fatalf("MaxHead bytes of it: n = %d, err = %v, want ErrTooLarge", n, err)
	}
}

func TestParseStatus(t *testing.T) {
	st := func(name, in string, status int, retry time.Duration, has bool) parseCase {
		return parseCase{name: name, in: in, err: ErrStatus, status: status, protocol: -1,
			retry: retry, hasRetry: has, headBytes: strings.Index(in, "\r\n\r\n") + 4}
	}
	body := "Content-Length: 5\r\n\r\nhello"
	runParseCases(t, []parseCase{
		st("401", "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\n"+body, 401, 0, false),
		st("403", "HTTP/1.1 403 Forbidden\r\n"+body, 403, 0, false),
		st("404 without reason", "HTTP/1.1 404\r\n"+body, 404, 0, false),
		st("426 names the version", "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n"+body, 426, 0, false),
		st("429 delta-seconds", "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\n"+body, 429, 120*time.Second, true),
		st("503 delta zero", "HTTP/1.1 503 Service Unavailable\r\nretry-after:0\r\n"+body, 503, 0, true),
		st("503 IMF-fixdate", "HTTP/1.1 503 x\r\nRetry-After: Sun, 01 Mar 2026 12:00:30 GMT\r\n"+body, 503, 30*time.Second, true),
		st("503 date passed", "HTTP/1.1 503 x\r\nRetry-After: Sun, 01 Mar 2026 11:00:00 GMT\r\n"+body, 503, 0, true),
		st("503 weekday not checked", "HTTP/1.1 503 x\r\nRetry-After: Mon, 01 Mar 2026 12:01:00 GMT\r\n"+body, 503, time.Minute, true),
		st("503 RFC 850 date", "HTTP/1.1 503 x\r\nRetry-After: Sunday, 01-Mar-26 12:00:10 GMT\r\n"+body, 503, 10*time.Second, true),
		st("503 asctime date", "HTTP/1.1 503 x\r\nRetry-After: Sun Mar  1 12:00:05 2026\r\n"+body, 503, 5*time.Second, true),
		st("503 not a date", "HTTP/1.1 503 x\r\nRetry-After: soon\r\n"+body, 503, 0, false),
		st("503 impossible date", "HTTP/1.1 503 x\r\nRetry-After: Mon, 31 Feb 2026 12:00:00 GMT\r\n"+body, 503, 0, false),
		st("503 negative", "HTTP/1.1 503 x\r\nRetry-After: -5\r\n"+body, 503, 0, false),
		st("503 digits then junk", "HTTP/1.1 503 x\r\nRetry-After: 5s\r\n"+body, 503, 0, false),
		st("503 huge delta capped", "HTTP/1.1 503 x\r\nRetry-After: 99999999999999999999999\r\n"+body, 503, maxDelta*time.Second, true),
		st("503 first valid value", "HTTP/1.1 503 x\r\nRetry-After: soon\r\nRetry-After: 7\r\nRetry-After: 9\r\n"+body, 503, 7*time.Second, true),
		st("503 odd headers still a 503", "HTTP/1.1 503 x\r\nBad Name: y\r\n folded\r\nRetry-After: 3\r\n"+body, 503, 3*time.Second, true),
		st("HTTP/1.0 503", "HTTP/1.0 503 x\r\nRetry-After: 1\r\n"+body, 503, time.Second, true),
		st("200", "HTTP/1.1 200 OK\r\n"+body, 200, 0, false),
		st("100 Continue is not 101", "HTTP/1.1 100 Continue\r\n\r\n", 100, 0, false),
	})
}

func TestRetryAfterNowDefaultsToClock(t *testing.T) {
	in := "HTTP/1.1 503 x\r\nRetry-After: " + time.Now().Add(time.Hour).UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT") + "\r\n\r\n"
	exp := sampleExpect()
	exp.Now = time.Time{}
	r, _, err := Parse([]byte(in), &exp)
	// Documented bound: the date is one hour ahead with one-second
	// resolution, and Parse runs after it was formatted.
	if err != ErrStatus || !r.HasRetryAfter || r.RetryAfter <= 58*time.Minute || r.RetryAfter > time.Hour {
		t.Fatalf("%+v, %v", r, err)
	}
}

// TestParseSplitPoints feeds a 101 with two frames behind it one byte
// more at a time: need-more until the head is complete, then the head's
// length, whatever else has arrived.
func TestParseSplitPoints(t *testing.T) {
	for _, offered := range [][]string{nil, {"chat", "superchat"}} {
		head := valid101
		if offered != nil {
			head = head[:len(head)-2] + "Sec-WebSocket-Protocol: superchat\r\n\r\n"
		}
		in := []byte(head + frames + frames)
		exp := sampleExpect(offered...)
		for i := 0; i <= len(in); i++ {
			r, n, err := Parse(in[:i], &exp)
			switch {
			case i < len(head):
				if n != 0 || err != nil {
					t.Fatalf("%d of %d bytes: n = %d, err = %v, want need-more", i, len(head), n, err)
				}
			default:
				if n != len(head) || err != nil || r.Status != 101 || r.Protocol != len(offered)-1 {
					t.Fatalf("%d bytes: %+v, n = %d, err = %v; want n = %d", i, r, n, err, len(head))
				}
				if string(in[n:i]) != string(in[len(head):i]) {
					t.Fatal("leftover is not the frames")
				}
			}
		}
	}
}
