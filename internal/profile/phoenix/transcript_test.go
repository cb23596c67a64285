package phoenix

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// Messages as Phoenix's V2 serializer writes them.
const (
	joinSent  = `["1","1","room:lobby","phx_join",{}]`
	joinOK    = `["1","1","room:lobby","phx_reply",{"status":"ok","response":{}}]`
	heartbeat = `[null,"2","phoenix","heartbeat",{}]`
	beatOK    = `[null,"2","phoenix","phx_reply",{"status":"ok","response":{}}]`
	tick      = `[null,null,"room:lobby","tick",{"seq":1}]`
)

// TestTranscripts plays conversations with a server through the profile:
// what the client sends (what phoenix.js 1.8.16 sends, captured, but for
// its socket-wide reference numbers), the data it reports and the events.
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
			name:   "join, ready, heartbeat and its reply, broadcast",
			steps:  []step{open(), recv(joinOK), ping(), recv(beatOK), recv(tick)},
			sent:   []string{joinSent, "ping " + heartbeat},
			data:   []string{`{"seq":1}`},
			events: []string{"ready", "pong"},
		},
		{
			name:  "join payload from --auth, per client",
			mod:   func(c *profile.Config) { c.Auth = tmpl(t, `{"token":"t-{{client}}"}`) },
			steps: []step{open()},
			sent:  []string{`["1","1","room:lobby","phx_join",{"token":"t-7"}]`},
		},
		{
			name:  "topic per client",
			mod:   func(c *profile.Config) { c.Join[0] = tmpl(t, "user:{{client}}") },
			steps: []step{open()},
			sent:  []string{`["1","1","user:7","phx_join",{}]`},
		},
		{
			name:   "join refused",
			steps:  []step{open(), recv(`["1","1","room:lobby","phx_reply",{"status":"error","response":{"reason":"unauthorized"}}]`)},
			sent:   []string{joinSent},
			events: []string{`refused {"reason":"unauthorized"} reconnect +1`},
		},
		{
			name:   "no channel for the topic",
			steps:  []step{open(), recv(`[null,"1","room:lobby","phx_reply",{"status":"error","response":{"reason":"unmatched topic"}}]`)},
			sent:   []string{joinSent},
			events: []string{`refused {"reason":"unmatched topic"} reconnect +1`},
		},
		{
			name: "a late heartbeat reply is not the pong",
			steps: []step{open(), recv(joinOK), ping(), ping(), recv(beatOK),
				recv(`[null,"3","phoenix","phx_reply",{"status":"ok","response":{}}]`),
				recv(`[null,"3","phoenix","phx_reply",{"status":"ok","response":{}}]`)},
			sent:   []string{joinSent, "ping " + heartbeat, `ping [null,"3","phoenix","heartbeat",{}]`},
			events: []string{"ready", "other", "pong", "other"},
		},
		{
			name: "channel crashed, channel closed",
			steps: []step{open(), recv(joinOK), recv(`["1","1","room:lobby","phx_error",{"reason":"channel_crash"}]`),
				recv(`["1","1","room:lobby","phx_error",{}]`), recv(`["1","1","room:lobby","phx_close",{}]`)},
			sent:   []string{joinSent},
			events: []string{"ready", "goodbye channel_crash reconnect +1", "goodbye phx_error reconnect +1", "goodbye phx_close reconnect -1"},
		},
		{
			name: "pushes of this join are data, of an earlier join not",
			steps: []step{open(), recv(joinOK), recv(`["1",null,"room:lobby","new_msg",{"body":"hi"}]`),
				recv(`["5",null,"room:lobby","new_msg",{"body":"old"}]`), recv(`["1",null,"room:lobby","phx_error",{}]`)},
			sent:   []string{joinSent},
			data:   []string{`{"body":"hi"}`},
			events: []string{"ready", "other", "goodbye phx_error reconnect +1"},
		},
		{
			name: "presence and other housekeeping",
			steps: []step{open(), recv(joinOK), recv(`[null,null,"room:lobby","presence_diff",{"joins":{},"leaves":{}}]`),
				recv(`["1",null,"room:lobby","presence_state",{}]`), recv(joinOK), recv(`[null,"9","room:lobby","phx_reply",{"status":"ok","response":{}}]`)},
			sent:   []string{joinSent},
			events: []string{"ready", "other", "other", "other", "other"},
		},
		{
			name:   "a payload that is not an object is passed on",
			steps:  []step{open(), recv(`[null,null,"room:lobby","raw","text"]`), recv(`[null, null, "room:lobby", "n", 12, "extra"]`)},
			sent:   []string{joinSent},
			data:   []string{`"text"`, `12`},
			events: nil,
		},
		{
			name:   "rejoin on every connection",
			steps:  []step{open(), recv(joinOK), ping(), open(), recv(beatOK), recv(joinOK), ping()},
			sent:   []string{joinSent, "ping " + heartbeat, joinSent, "ping " + heartbeat},
			events: []string{"ready", "other", "ready"},
		},
		{
			name: "binary broadcast, push and replies",
			steps: []step{open(),
				recvBinary("\x01\x01\x01\x0a\x02" + "1" + "1" + "room:lobby" + "ok" + "{}"),
				recvBinary("\x02\x0a\x04" + "room:lobby" + "tick" + "\x00\x01bin"),
				recvBinary("\x00\x01\x0a\x04" + "1" + "room:lobby" + "push" + "p"),
				recvBinary("\x00\x01\x0a\x04" + "4" + "room:lobby" + "push" + "old"),
				recvBinary("\x01\x00\x01\x07\x02" + "" + "1" + "phoenix" + "ok")},
			sent:   []string{joinSent},
			data:   []string{"\x00\x01bin", "p"},
			events: []string{"ready", "other", "other"},
		},
		{
			name:   "binary join refused",
			steps:  []step{open(), recvBinary("\x01\x01\x01\x0a\x05" + "1" + "1" + "room:lobby" + "error" + `{"reason":"no"}`)},
			sent:   []string{joinSent},
			events: []string{`refused {"reason":"no"} reconnect +1`},
		},
		{
			name: "broken binary messages",
			steps: []step{open(), recvBinary(""), recvBinary("\x07abc"), recvBinary("\x02\x0a"),
				recvBinary("\x02\x0a\x04room"), recvBinary("\x01\x01\x01\x0a\x02" + "1" + "1" + "room")},
			sent: []string{joinSent},
			events: []string{"malformed: " + ruleBinaryShort, "malformed: " + ruleBinaryKind, "malformed: " + ruleBinaryShort,
				"malformed: " + ruleBinaryShort, "malformed: " + ruleBinaryShort},
		},
		{
			name: "not the V2 serializer",
			steps: []step{open(), recv(`{"topic":"room:lobby","event":"phx_reply","payload":{},"ref":"1"}`), recv(`[1,2,3,4,5]`),
				recv(`[null,null,"t","e"]`), recv(`["1","1","room:lobby",null,{}]`)},
			sent:   []string{joinSent},
			events: []string{"unrecognised", "unrecognised", "unrecognised", "unrecognised"},
		},
		{
			name:   "not JSON",
			steps:  []step{open(), recv(`[null,null,"room:lobby","tick",{"seq":`), recv("tick")},
			sent:   []string{joinSent},
			events: []string{"malformed: " + ruleNotJSON, "malformed: " + ruleNotJSON},
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

func TestTarget(t *testing.T) {
	for in, want := range map[string]string{
		"ws://h:4000/socket":                    "ws://h:4000/socket/websocket?vsn=2.0.0",
		"ws://h:4000/socket/":                   "ws://h:4000/socket/websocket?vsn=2.0.0",
		"wss://h/socket?token=x&user=1":         "wss://h/socket/websocket?token=x&user=1&vsn=2.0.0",
		"ws://h/socket/websocket":               "ws://h/socket/websocket?vsn=2.0.0",
		"ws://h/socket/websocket?vsn=1.0.0&z=1": "ws://h/socket/websocket?vsn=2.0.0&z=1",
		"ws://h":                                "ws://h/websocket?vsn=2.0.0",
		"ws://h/live%2Fsocket?token={{client}}": "ws://h/live%2Fsocket/websocket?token={{client}}&vsn=2.0.0",
	} {
		u, err := url.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		mustNew(t, config(t, nil)).Target(u)
		if u.String() != want {
			t.Errorf("%s: %s, want %s", in, u, want)
		}
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		cfg  profile.Config
		err  string
	}{
		{"no join", profile.Config{}, "--join TOPIC"},
		{"two joins", profile.Config{Join: []*template.Template{tmpl(t, "a"), tmpl(t, "b")}}, "give --join once"},
		{"empty join", profile.Config{Join: []*template.Template{tmpl(t, "")}}, "--join is empty"},
		{"quote in join", profile.Config{Join: []*template.Template{tmpl(t, `a"b`)}}, "--join"},
		{"auth not an object", profile.Config{Join: []*template.Template{tmpl(t, "a")}, Auth: tmpl(t, `"token"`)}, "--auth is the join payload"},
		{"auth not JSON", profile.Config{Join: []*template.Template{tmpl(t, "a")}, Auth: tmpl(t, `{token}`)}, "--auth"},
		{"auth per client", profile.Config{Join: []*template.Template{tmpl(t, "a")}, Auth: tmpl(t, `{"t":"{{client}}"}`)}, ""},
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
