package loadgen

import (
	"maps"
	"net"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

// TestCloseCodes: the close code a server sends is counted by code, a
// close frame without one as 1005 and an end without a close frame as
// 1006 (RFC 6455 §7.1.5, §7.4.1); a reason after the code is counted by
// code and reason (close_reasons), a close frame without one is not.
func TestCloseCodes(t *testing.T) {
	const clients = 4
	tests := []struct {
		name   string
		script []byte // written after the upgrade; nil: hang up at once
		code   int
		reason string // the close_reasons key, "" for none
	}{
		{"going away", ws.MustCompileFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusGoingAway, "restart"))), 1001, "1001 restart"},
		{"application code", ws.MustCompileFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(4408, "init timeout"))), 4408, "4408 init timeout"},
		{"code without reason", ws.MustCompileFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(3001, ""))), 3001, ""},
		{"no status code", ws.MustCompileFrame(ws.NewCloseFrame(nil)), 1005, ""},
		{"no close frame", nil, 1006, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := ""
			if tt.script != nil {
				addr = startMisbehaving(t, tt.script).ln.Addr().String()
			} else {
				addr = startHangUp(t)
			}
			s := runAgainst(t, addr, clients)
			if len(s.closeCodes) != 1 || s.closeCodes[tt.code] < clients {
				t.Fatalf("close codes %v, want only %d, at least once per client (%d)", s.closeCodes, tt.code, clients)
			}
			if n := sum(maps.Values(s.closeCodes)); n > len(s.causes) {
				t.Errorf("%d close codes for %d ended connections", n, len(s.causes))
			}
			switch {
			case tt.reason == "" && len(s.reasons) != 0:
				t.Errorf("close reasons %v, want none", s.reasons)
			case tt.reason != "" && (len(s.reasons) != 1 || s.reasons[tt.reason] != s.closeCodes[tt.code]):
				t.Errorf("close reasons %v, want %q once per close frame (%d)", s.reasons, tt.reason, s.closeCodes[tt.code])
			}
		})
	}
}

// startHangUp starts a server that closes every connection right after
// the upgrade, without a close frame.
func startHangUp(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				_, _ = ws.Upgrade(c)
			}()
		}
	}()
	return ln.Addr().String()
}

func sum(vs func(func(int) bool)) int {
	n := 0
	for v := range vs {
		n += v
	}
	return n
}
