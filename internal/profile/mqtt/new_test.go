package mqtt

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
		want []string // substrings of the error
	}{
		{"no join", func(c *profile.Config) { c.Join = nil }, []string{"--join is required", "--join ticks"}},
		{"QoS 2", func(c *profile.Config) { c.QoS = 2 }, []string{"--qos 2", "0 or 1"}},
		{"QoS -1", func(c *profile.Config) { c.QoS = -1 }, []string{"--qos -1"}},
		{"MQTT 3.1", func(c *profile.Config) { c.Version = 3 }, []string{"--protocol-version 3", "not supported"}},
		{"version 6", func(c *profile.Config) { c.Version = 6 }, []string{"--protocol-version 6", "4 (MQTT 3.1.1) or 5"}},
		{"keep-alive in ms", func(c *profile.Config) { c.HeartbeatInterval = 1500 * time.Millisecond }, []string{"--heartbeat-interval 1.5s", "whole seconds"}},
		{"keep-alive too long", func(c *profile.Config) { c.HeartbeatInterval = 65536 * time.Second }, []string{"--heartbeat-interval", "65535s"}},
		{"keep-alive negative", func(c *profile.Config) { c.HeartbeatInterval = -time.Second }, []string{"--heartbeat-interval -1s"}},
		{"empty filter", func(c *profile.Config) { c.Join[0] = tmpl(t, "") }, []string{`--join ""`, "at least one character"}},
		{"# not last", func(c *profile.Config) { c.Join[0] = tmpl(t, "a/#/b") }, []string{"--join", "# must be a whole level"}},
		{"# inside a level", func(c *profile.Config) { c.Join[0] = tmpl(t, "a/b#") }, []string{"# must be"}},
		{"+ inside a level", func(c *profile.Config) { c.Join[0] = tmpl(t, "a/b+/c") }, []string{"+ must be a whole level"}},
		{"NUL", func(c *profile.Config) { c.Join[0] = tmpl(t, "a\x00") }, []string{"U+0000"}},
		{"second filter bad", func(c *profile.Config) { c.Join = append(c.Join, tmpl(t, "x+")) }, []string{`--join "x+"`}},
		{"long filter", func(c *profile.Config) { c.Join[0] = tmpl(t, strings.Repeat("a", 65536)) }, []string{"65535"}},
		{"long client id", func(c *profile.Config) { c.ClientID = tmpl(t, strings.Repeat("a", 65536)) }, []string{"--client-id", "65535"}},
		{"empty client id, persistent", func(c *profile.Config) { c.ClientID, c.Persistent = tmpl(t, ""), true }, []string{"--client-id ''", "--persistent"}},
		{"long user name", func(c *profile.Config) { c.Auth = tmpl(t, strings.Repeat("a", 65536)) }, []string{"--auth", "65535"}},
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
		{"defaults", func(c *profile.Config) { c.ClientID, c.HeartbeatInterval = nil, 0 }},
		{"wildcards", func(c *profile.Config) { c.Join[0] = tmpl(t, "sensors/+/temp/#") }},
		{"just #", func(c *profile.Config) { c.Join[0] = tmpl(t, "#") }},
		{"client filter", func(c *profile.Config) { c.Join[0] = tmpl(t, "u/{{client}}") }},
		{"MQTT 5, QoS 1, persistent", func(c *profile.Config) { c.Version, c.QoS, c.Persistent = V5, 1, true }},
		{"longest keep-alive", func(c *profile.Config) { c.HeartbeatInterval = 65535 * time.Second }},
		{"empty client id, clean", func(c *profile.Config) { c.ClientID = tmpl(t, "") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(config(t, tc.mod)); err != nil {
				t.Fatal(err)
			}
		})
	}
}
