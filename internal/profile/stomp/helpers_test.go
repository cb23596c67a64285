package stomp

import (
	"fmt"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
	"github.com/stormbench/stormbench/internal/template"
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

// config is the tables' configuration: destination /topic/ticks,
// heart-beat 10 s (stompjs's default), changed by mod.
func config(t testing.TB, mod func(*profile.Config)) profile.Config {
	cfg := profile.Config{
		Join:              []*template.Template{tmpl(t, "/topic/ticks")},
		HeartbeatInterval: 10 * time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	return cfg
}

// describe writes an event the way the tables expect it.
func describe(e profile.Event) string {
	s := [...]string{"other", "unrecognised", "ready", "refused", "server-ping", "pong", "goodbye", "malformed"}[e.Kind]
	if e.Code != 0 {
		s += fmt.Sprintf(" %d", e.Code)
	}
	if len(e.Reason) > 0 {
		s += " " + string(e.Reason)
	}
	if e.HeartbeatTimeout != 0 {
		s += " timeout " + e.HeartbeatTimeout.String()
	}
	if e.Rule != "" {
		s += ": " + e.Rule
	}
	return s
}
