package phoenix

import (
	"testing"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
)

// The transcript tables' helpers are profiletest's.

type step = profiletest.Move

var (
	tmpl       = profiletest.Tmpl
	open       = profiletest.OpenMove
	ping       = profiletest.PingMove
	recv       = profiletest.RecvMove
	recvBinary = profiletest.RecvBinaryMove
	describe   = profiletest.Label
)

// config is the tables' configuration: topic room:lobby, changed by mod.
func config(t testing.TB, mod func(*profile.Config)) profile.Config {
	return profiletest.JoinConfig(t, "room:lobby", mod)
}

func mustNew(t testing.TB, cfg profile.Config) *Profile {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p.(*Profile)
}

// run plays steps through p on client 7 with st.
func run(p *Profile, st *profile.State, steps []step) *profiletest.Conn {
	return profiletest.Replay(p, st, steps)
}

func events(c *profiletest.Conn) []string { return c.EventLines() }
func datums(c *profiletest.Conn) []string { return c.DatumLines() }
func sent(c *profiletest.Conn) []string   { return c.SentLines() }
