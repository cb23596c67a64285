package loadgen

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestHeartbeatModes pins what each mode does (README: Detection rule)
// and that its name survives config.json.
func TestHeartbeatModes(t *testing.T) {
	tests := []struct {
		mode                                   HeartbeatMode
		clientPings, serverPings, app, detects bool
	}{
		{HeartbeatWSPing, true, false, false, true},
		{HeartbeatApp, true, false, true, true},
		{HeartbeatServer, false, true, false, true},
		{HeartbeatNone, false, false, false, false},
	}
	var modes []HeartbeatMode
	for _, tt := range tests {
		m := tt.mode
		modes = append(modes, m)
		if m.ClientPings() != tt.clientPings || m.ServerPings() != tt.serverPings || m.AppLevel() != tt.app || m.Detects() != tt.detects {
			t.Errorf("%s: client pings %v, server pings %v, app %v, detects %v", m,
				m.ClientPings(), m.ServerPings(), m.AppLevel(), m.Detects())
		}
		if m.ClientPings() && m.ServerPings() {
			t.Errorf("%s: both ends ping", m)
		}
		b, err := json.Marshal(Heartbeat{Mode: m})
		var back Heartbeat
		if err != nil || !strings.HasPrefix(string(b), `{"mode":"`+string(m)+`"`) || json.Unmarshal(b, &back) != nil || back.Mode != m {
			t.Errorf("%s: JSON %s read back as %q (%v)", m, b, back.Mode, err)
		}
		if err := (Config{Heartbeat: Heartbeat{Mode: m, Interval: time.Second, Timeout: 3 * time.Second}}).Validate(); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
	if !slices.Equal(HeartbeatModes(), modes) {
		t.Errorf("HeartbeatModes() = %v, want %v", HeartbeatModes(), modes)
	}
	if d := HeartbeatMode(""); d.spec() != DefaultHeartbeatMode.spec() || (Config{}).Resolve().Heartbeat.Mode != DefaultHeartbeatMode {
		t.Error(`"" is not the default mode`)
	}
	err := (Config{Heartbeat: Heartbeat{Mode: "pong"}}).Validate()
	if err == nil || !strings.Contains(err.Error(), `Heartbeat.Mode must be one of ws-ping, app, server, none (got "pong")`) {
		t.Errorf("unknown mode: %v", err)
	}
}
