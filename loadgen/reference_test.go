package loadgen

import (
	"testing"
	"time"
)

// TestWithReferenceHeartbeat: a framework's protocol takes its reference
// client's heartbeat, and each heartbeat setting the user gave changes
// only itself: the protocol's own ping (MQTT's PINGREQ) stays the ping
// when only the interval is given, since the broker does not count a
// WebSocket ping; another mode is the user's heartbeat altogether; a
// timeout the user gave is kept, not replaced by the server's.
func TestWithReferenceHeartbeat(t *testing.T) {
	user := Heartbeat{Mode: DefaultHeartbeatMode, Interval: time.Second, Timeout: 7 * time.Second, Spread: 50 * time.Millisecond}
	tests := []struct {
		name     string
		protocol Protocol
		mode     HeartbeatMode // the user's --heartbeat; "" for ws-ping, the flag's default
		set      HeartbeatSet
		want     Heartbeat
	}{
		{"mqtt, nothing set", ProtocolMQTT, "", HeartbeatSet{},
			Heartbeat{Mode: HeartbeatApp, Interval: 60 * time.Second, Timeout: 90 * time.Second, FollowServer: true}},
		{"mqtt, interval", ProtocolMQTT, "", HeartbeatSet{Interval: true},
			Heartbeat{Mode: HeartbeatApp, Interval: time.Second, FollowServer: true}},
		{"mqtt, interval and timeout", ProtocolMQTT, "", HeartbeatSet{Interval: true, Timeout: true},
			Heartbeat{Mode: HeartbeatApp, Interval: time.Second, Timeout: 7 * time.Second}},
		{"mqtt, spread", ProtocolMQTT, "", HeartbeatSet{Spread: true},
			Heartbeat{Mode: HeartbeatApp, Interval: 60 * time.Second, Timeout: 90 * time.Second, Spread: 50 * time.Millisecond, FollowServer: true}},
		{"mqtt, another mode", ProtocolMQTT, HeartbeatWSPing, HeartbeatSet{Mode: true, Interval: true}, user},
		{"socketio, the reference's mode named", ProtocolSocketIO, HeartbeatServer, HeartbeatSet{Mode: true},
			Heartbeat{Mode: HeartbeatServer, Interval: 25 * time.Second, Timeout: 45 * time.Second, FollowServer: true}},
		{"socketio, interval", ProtocolSocketIO, "", HeartbeatSet{Interval: true},
			Heartbeat{Mode: HeartbeatServer, Interval: time.Second, FollowServer: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := user
			if tt.mode != "" {
				h.Mode = tt.mode
			}
			c := Config{Protocol: tt.protocol, Heartbeat: h}.WithReference(false, tt.set)
			if c.Heartbeat != tt.want {
				t.Fatalf("heartbeat %+v, want %+v", c.Heartbeat, tt.want)
			}
			if c.Policy.Preset == "" {
				t.Errorf("no reference preset")
			}
		})
	}
	// stormbench's own protocol has no reference: the user's settings as they are.
	if c := (Config{Heartbeat: user}).WithReference(false, HeartbeatSet{}); c.Heartbeat != user || c.Policy.Preset != "" {
		t.Errorf("stormbench: %+v, %q", c.Heartbeat, c.Policy.Preset)
	}
}

// TestDefaultResume: resuming is on unless the user turns it off, except
// for a framework whose protocol cannot resume (graphql-ws, Action Cable),
// where it is off unless the user asks for it (which the profile refuses).
func TestDefaultResume(t *testing.T) {
	for _, tt := range []struct {
		protocol Protocol
		want     bool
	}{
		{"", true}, {ProtocolStormbench, true}, {ProtocolJSON, true},
		{ProtocolSocketIO, true}, {ProtocolCentrifuge, true},
		{ProtocolGraphQLWS, false}, {ProtocolActionCable, false}, {ProtocolPhoenix, false},
		{ProtocolSignalR, false}, {ProtocolMQTT, false}, {ProtocolSTOMP, false},
	} {
		if c := (Config{Protocol: tt.protocol}).Resolve(); *c.Resume != tt.want {
			t.Errorf("%q: resume %v, want %v", tt.protocol, *c.Resume, tt.want)
		}
	}
	on := true
	cfg := Config{URL: "ws://127.0.0.1:1/", Protocol: ProtocolGraphQLWS, Framework: Framework{Join: []string{"subscription { t }"}}}
	if err := cfg.Resolve().Validate(); err != nil {
		t.Errorf("graphql-ws by default: %v", err)
	}
	cfg.Resume = &on
	if err := cfg.Resolve().Validate(); err == nil {
		t.Error("graphql-ws with Resume asked for: no error")
	}
}
