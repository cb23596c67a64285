package stomp

import (
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/profile"
)

// TestNewRefuses: bad settings are refused before anything starts, naming
// the flag and what is allowed.
func TestNewRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*profile.Config)
		want []string
	}{
		{"no join", func(c *profile.Config) { c.Join = nil }, []string{"--join is required", "--join /topic/ticks"}},
		{"empty destination", func(c *profile.Config) { c.Join[0] = tmpl(t, "") }, []string{`--join ""`, "not empty"}},
		{"LF in a destination", func(c *profile.Config) { c.Join[0] = tmpl(t, "/topic/a\nb") }, []string{"--join", "no NUL, CR or LF"}},
		{"auth without a colon", func(c *profile.Config) { c.Auth = tmpl(t, "guest") }, []string{`--auth "guest"`, "login:passcode"}},
		{"auth with a CR", func(c *profile.Config) { c.Auth = tmpl(t, "guest:a\rb") }, []string{"--auth", "no NUL, CR or LF"}},
		{"heart-beat in µs", func(c *profile.Config) { c.HeartbeatInterval = 1500 * time.Microsecond }, []string{"--heartbeat-interval 1.5ms", "whole milliseconds"}},
		{"negative heart-beat", func(c *profile.Config) { c.HeartbeatInterval = -time.Second }, []string{"--heartbeat-interval -1s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(config(t, tc.mod))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestNewAccepts: what is valid is taken as given.
func TestNewAccepts(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*profile.Config)
	}{
		{"defaults", nil},
		{"no heart-beat", func(c *profile.Config) { c.HeartbeatInterval = 0 }},
		{"auth per client", func(c *profile.Config) { c.Auth = tmpl(t, "{{client}}") }},
		{"destination per client", func(c *profile.Config) { c.Join[0] = tmpl(t, "/queue/{{client}}") }},
		{"auth with an empty passcode", func(c *profile.Config) { c.Auth = tmpl(t, "guest:") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(config(t, tc.mod)); err != nil {
				t.Fatal(err)
			}
		})
	}
}
