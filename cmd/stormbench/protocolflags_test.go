package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/loadgen"
)

// TestProtocolFlags: with a framework's protocol, what the user did not
// set comes from the reference client, and what the user set is kept as
// given: a run against graphql-ws needs no --resume=false (its protocol
// cannot resume, so resuming is off), an explicit --resume is refused by
// name (exit 2), and --heartbeat-interval alone changes how often MQTT's
// own PINGREQ goes, not what the heartbeat is.
func TestProtocolFlags(t *testing.T) {
	const gql = "subscription { ticks { seq } }"
	url := []string{"--url", "ws://127.0.0.1:1/graphql", "--fault", "none"}
	tests := []struct {
		name  string
		args  []string
		check func(*loadgen.Config) string // "" when right
	}{
		{"graphql-ws resumes nothing", []string{"--protocol", "graphql-ws", "--join", gql}, func(c *loadgen.Config) string {
			if *c.Resume || c.Policy.Preset != "graphql-ws" {
				return "want resume off and the graphql-ws preset"
			}
			return ""
		}},
		{"socketio resumes", []string{"--protocol", "socketio"}, func(c *loadgen.Config) string {
			if !*c.Resume {
				return "want resume on"
			}
			return ""
		}},
		{"mqtt interval", []string{"--protocol", "mqtt", "--join", "ticks", "--heartbeat-interval", "1s"}, func(c *loadgen.Config) string {
			if h := c.Heartbeat; h.Mode != loadgen.HeartbeatApp || h.Interval != time.Second || !h.FollowServer {
				return "want MQTT's own ping (app) every second, following the broker"
			}
			return ""
		}},
		{"mqtt ws-ping named", []string{"--protocol", "mqtt", "--join", "ticks", "--heartbeat", "ws-ping"}, func(c *loadgen.Config) string {
			if h := c.Heartbeat; h.Mode != loadgen.HeartbeatWSPing || h.FollowServer {
				return "want the user's ws-ping heartbeat"
			}
			return ""
		}},
		// The attempt is bounded, join included, as the framework's
		// client bounds it; --connect-timeout, when given, bounds it
		// for every protocol.
		{"socketio connect timeout", []string{"--protocol", "socketio"}, timeouts(20*time.Second, 20*time.Second)},
		{"mqtt connect timeout", []string{"--protocol", "mqtt", "--join", "ticks"}, timeouts(30*time.Second, 30*time.Second)},
		{"stomp waits for CONNECTED", []string{"--protocol", "stomp", "--join", "/topic/t"}, timeouts(loadgen.DefaultConnectTimeout, -1)},
		{"graphql-ws waits for its ack", []string{"--protocol", "graphql-ws", "--join", gql}, timeouts(loadgen.DefaultConnectTimeout, -1)},
		{"explicit bounds the join", []string{"--protocol", "stomp", "--join", "/topic/t", "--connect-timeout", "3s"}, timeouts(3*time.Second, 3*time.Second)},
		{"explicit beats the client's", []string{"--protocol", "centrifuge", "--join", "ticks", "--connect-timeout", "7s"}, timeouts(7*time.Second, 7*time.Second)},
		{"a preset's own", []string{"--policy", "socketio"}, timeouts(20*time.Second, 20*time.Second)},
		{"a chosen policy keeps its own", []string{"--protocol", "mqtt", "--join", "ticks", "--policy", "centrifuge"}, timeouts(5*time.Second, 5*time.Second)},
		{"default", nil, timeouts(loadgen.DefaultConnectTimeout, loadgen.DefaultConnectTimeout)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := planArgs(t, append(append([]string{}, url...), tt.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			cfg := plan.Loadgen
			if msg := tt.check(&cfg); msg != "" {
				t.Fatalf("%s: resume %v, preset %q, heartbeat %+v", msg, *cfg.Resume, cfg.Policy.Preset, cfg.Heartbeat)
			}
		})
	}

	var stdout, stderr bytes.Buffer
	err := dispatch(context.Background(), append(append([]string{"run"}, url...), "--protocol", "graphql-ws", "--join", gql, "--resume"), &stdout, &stderr)
	if code := exitCode(err, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "--resume") || !strings.Contains(stderr.String(), "cannot resume") {
		t.Fatalf("graphql-ws with --resume: exit %d, %q; want 2 naming --resume", code, stderr.String())
	}
}

// timeouts checks the resolved connect and join timeouts (join -1: none).
func timeouts(connect, join time.Duration) func(*loadgen.Config) string {
	return func(c *loadgen.Config) string {
		if c.ConnectTimeout != connect || (join < 0) != (c.JoinTimeout < 0) || join >= 0 && c.JoinTimeout != join {
			return fmt.Sprintf("connect timeout %v, join timeout %v; want %v, %v", c.ConnectTimeout, c.JoinTimeout, connect, join)
		}
		return ""
	}
}
