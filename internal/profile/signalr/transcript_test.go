package signalr

import (
	"slices"
	"strings"
	"testing"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// Messages of the JSON hub protocol; rs ends each.
const (
	hs        = "{\"protocol\":\"json\",\"version\":1}\x1e"
	hsOK      = "{}\x1e"
	pingRec   = "{\"type\":6}\x1e"
	tickRec   = "{\"type\":1,\"target\":\"tick\",\"arguments\":[{\"seq\":1}]}\x1e"
	pingSent  = "ping {\"type\":6}\x1e"
	closeRec  = "{\"type\":7,\"error\":\"Server is shutting down.\",\"allowReconnect\":true}\x1e"
	closeBare = "{\"type\":7}\x1e"
)

// TestTranscripts plays conversations with a hub through the profile: what
// the client sends (byte for byte what @microsoft/signalr 11.0.0 sends,
// captured), the data it reports and the events.
func TestTranscripts(t *testing.T) {
	tests := []struct {
		name   string
		mod    func(*profile.Config)
		steps  []step
		sent   []string
		data   []string
		events []string
	}{
		{
			name:   "handshake, ready and the first ping, server ping, data, own ping",
			steps:  []step{open(), recv(hsOK), recv(pingRec), recv(tickRec), ping()},
			sent:   []string{hs, pingSent, pingSent},
			data:   []string{`{"seq":1}`},
			events: []string{"ready", "server-ping"},
		},
		{
			name:   "records share a message, the handshake answer first",
			steps:  []step{open(), recv(hsOK + tickRec + pingRec + "{\"type\":1,\"target\":\"Tick\",\"arguments\":[\"two\",3]}\x1e")},
			sent:   []string{hs, pingSent},
			data:   []string{`{"seq":1}`, `"two"`},
			events: []string{"ready", "server-ping"},
		},
		{
			name: "other methods, stream items, completions, later types",
			steps: []step{open(), recv(hsOK), recv("{\"type\":1,\"target\":\"news\",\"arguments\":[1]}\x1e"),
				recv("{\"type\":2,\"invocationId\":\"1\",\"item\":42}\x1e{\"type\":3,\"invocationId\":\"1\"}\x1e"),
				recv("{\"type\":8,\"sequenceId\":3}\x1e{\"type\":42}\x1e"), recv("{\"type\":1,\"target\":\"tick\",\"arguments\":[]}\x1e")},
			sent:   []string{hs, pingSent},
			data:   []string{""},
			events: []string{"ready", "other", "other", "other", "other", "other"},
		},
		{
			name:   "handshake refused",
			steps:  []step{open(), recv("{\"error\":\"Requested protocol 'json' is not available.\"}\x1e")},
			sent:   []string{hs},
			events: []string{"refused Requested protocol 'json' is not available."},
		},
		{
			name:   "close allowing a reconnect, and a bare close",
			steps:  []step{open(), recv(hsOK), recv(closeRec), recv(closeBare)},
			sent:   []string{hs, pingSent},
			events: []string{"ready", "goodbye Server is shutting down. reconnect +1", "goodbye reconnect -1"},
		},
		{
			name:   "a reconnect handshakes again",
			steps:  []step{open(), recv(hsOK), open(), recv(tickRec), recv(hsOK)},
			sent:   []string{hs, pingSent, hs, pingSent},
			events: []string{"ready", "malformed: " + ruleHandshake, "ready"},
		},
		{
			name:   "a message not ended by the separator",
			steps:  []step{open(), recv(hsOK), recv("{\"type\":6}"), recv(tickRec + "{\"type\":6}"), recv("")},
			sent:   []string{hs, pingSent},
			events: []string{"ready", "malformed: " + ruleIncomplete, "malformed: " + ruleIncomplete, "malformed: " + ruleIncomplete},
		},
		{
			name:   "binary message",
			steps:  []step{open(), recvBinary(hsOK)},
			sent:   []string{hs},
			events: []string{"malformed: " + ruleBinary},
		},
		{
			name: "not the hub protocol",
			steps: []step{open(), recv(hsOK), recv("{\"event\":\"tick\"}\x1e"), recv("{\"type\":4,\"target\":\"x\",\"arguments\":[]}\x1e"),
				recv("[6]\x1e")},
			sent:   []string{hs, pingSent},
			events: []string{"ready", "unrecognised", "unrecognised", "unrecognised"},
		},
		{
			name:   "broken records end the message",
			steps:  []step{open(), recv(hsOK), recv("{\"type\":6\x1e" + pingRec), recv("\x1e"), recv("{\"type\":1,\"target\":\"tick\",\"arguments\":{}}\x1e")},
			sent:   []string{hs, pingSent},
			events: []string{"ready", "malformed: " + ruleNotJSON, "malformed: " + ruleNotJSON, "malformed: " + ruleArguments},
		},
		{
			name:   "a broken handshake answer",
			steps:  []step{open(), recv("{\x1e")},
			sent:   []string{hs},
			events: []string{"malformed: " + ruleNotJSON},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustNew(t, config(t, tc.mod))
			c := run(p, &profile.State{}, tc.steps)
			if got := sent(c); !slices.Equal(got, tc.sent) {
				t.Errorf("sent\n%q\nwant\n%q", got, tc.sent)
			}
			if got := datums(c); !slices.Equal(got, tc.data) {
				t.Errorf("data %q, want %q", got, tc.data)
			}
			if got := events(c); !slices.Equal(got, tc.events) {
				t.Errorf("events\n%q\nwant\n%q", got, tc.events)
			}
		})
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		cfg  profile.Config
		err  string
	}{
		{"no join", profile.Config{}, "--join METHOD"},
		{"two joins", profile.Config{Join: []*template.Template{tmpl(t, "a"), tmpl(t, "b")}}, "give --join once"},
		{"empty join", profile.Config{Join: []*template.Template{tmpl(t, "")}}, "--join is empty"},
		{"per-client method", profile.Config{Join: []*template.Template{tmpl(t, "m{{client}}")}}, "cannot vary per client"},
		{"auth", profile.Config{Join: []*template.Template{tmpl(t, "tick")}, Auth: tmpl(t, "x")}, "--auth is not used"},
		{"method", profile.Config{Join: []*template.Template{tmpl(t, "ReceiveMessage")}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %v, want one naming %q", err, tc.err)
			}
		})
	}
}
