package mqtt

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
)

// tmpl is profiletest.Tmpl: a message-body template for 10 clients.
var tmpl = profiletest.Tmpl

// mustNew makes a profile or fails the test.
func mustNew(t testing.TB, cfg profile.Config) *Profile {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p.(*Profile)
}

// hx decodes hex written with optional spaces.
func hx(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// play hands the server's messages to p, each a copy (Receive may modify
// it), as binary messages.
func play(p *Profile, c *profiletest.Conn, st *profile.State, msgs ...[]byte) {
	for _, m := range msgs {
		p.Receive(c, st, ws.OpBinary, append([]byte(nil), m...))
	}
}

// sentHex returns what was sent, each message in hex.
func sentHex(c *profiletest.Conn) []string {
	out := make([]string, len(c.Sent))
	for i, s := range c.Sent {
		out[i] = hex.EncodeToString([]byte(s.Payload))
	}
	return out
}
