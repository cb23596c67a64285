package mqtt

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
	"github.com/stormbench/stormbench/internal/template"
)

// step is one thing that happens on a connection: the client opens it or
// pings, or the server sends a message (hex; text for a text message).
type step struct {
	open, ping bool
	recv, text string
}

func open() step             { return step{open: true} }
func ping() step             { return step{ping: true} }
func recv(h string) step     { return step{recv: h} }
func recvText(s string) step { return step{text: s} }

// describe writes an event the way the tables expect it.
func describe(e profile.Event) string {
	s := [...]string{"other", "unrecognised", "ready", "refused", "server-ping", "pong", "goodbye", "malformed"}[e.Kind]
	if e.Code != 0 || e.Kind == profile.Refused {
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

// run plays steps through a new profile of cfg on client 7.
func run(t *testing.T, cfg profile.Config, steps []step) (*profiletest.Conn, *profile.State) {
	t.Helper()
	p := mustNew(t, cfg)
	c := &profiletest.Conn{}
	c.V.Client = 7
	st := &profile.State{}
	for _, s := range steps {
		switch {
		case s.open:
			p.Open(c, st)
		case s.ping:
			if !p.Ping(c, st) {
				t.Error("Ping reports no heartbeat")
			}
		case s.text != "":
			p.Receive(c, st, ws.OpText, []byte(s.text))
		default:
			play(p, c, st, hx(s.recv))
		}
	}
	return c, st
}

// config is the tables' configuration: client id c1, keep-alive 60 s,
// topic filter ticks, changed by mod.
func config(t testing.TB, mod func(*profile.Config)) profile.Config {
	cfg := profile.Config{
		Join:              []*template.Template{tmpl(t, "ticks")},
		ClientID:          tmpl(t, "c1"),
		HeartbeatInterval: 60 * time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	return cfg
}

// The client's side of each conversation is what MQTT.js (mqtt-packet
// 9.0.2) encodes for the same packet; the broker's side is what mosquitto
// 2.0.11 sends, or the spec's packet where mosquitto would not send it.
func TestTranscripts(t *testing.T) {
	v5 := func(c *profile.Config) { c.Version = V5 }
	persistent := func(c *profile.Config) { c.Persistent, c.QoS = true, 1 }
	for _, tc := range []struct {
		name   string
		mod    func(*profile.Config)
		steps  []step
		sent   []string
		data   []string
		events []string
	}{{
		name: "join, data, heartbeat (3.1.1)",
		steps: []step{open(), recv("20020000"), recv("9003000100"),
			recv("301000057469636b737b22736571223a377d"), ping(), recv("d000")},
		sent:   []string{"100e00044d5154540402003c00026331", "820a000100057469636b7300", "c000"},
		data:   []string{`{"seq":7}`},
		events: []string{"other", "ready", "pong"},
	}, {
		name:  "default client id and user name",
		mod:   func(c *profile.Config) { c.ClientID, c.Auth = nil, tmpl(t, "u") },
		steps: []step{open()},
		// "stormbench-7", then user name "u", flags 0x82.
		sent: []string{"101b00044d5154540482003c000c73746f726d62656e63682d37000175"},
	}, {
		name:  "keep-alive off",
		mod:   func(c *profile.Config) { c.HeartbeatInterval = 0 },
		steps: []step{open()},
		sent:  []string{"100e00044d5154540402000000026331"},
	}, {
		name: "several topic filters in one SUBSCRIBE, QoS 1",
		mod: func(c *profile.Config) {
			c.Join, c.QoS = append(c.Join, tmpl(t, "a/+/c"), tmpl(t, "x/{{client}}")), 1
		},
		steps:  []step{open(), recv("20020000"), recv("900500010101 01")},
		sent:   []string{"100e00044d5154540402003c00026331", "8218000100057469636b73010005612f2b2f6301000378 2f3701"},
		events: []string{"other", "ready"},
	}, {
		name: "QoS 1 PUBLISH acknowledged",
		mod:  func(c *profile.Config) { c.QoS = 1 },
		steps: []step{open(), recv("20020000"), recv("9003000101"),
			recv("3212 00057469636b73 0007 7b22736571223a377d")},
		sent:   []string{"100e00044d5154540402003c00026331", "820a000100057469636b7301", "40020007"},
		data:   []string{`{"seq":7}`},
		events: []string{"other", "ready"},
	}, {
		name:   "CONNACK refused (3.1.1)",
		steps:  []step{open(), recv("20020005"), recv("d000")},
		sent:   []string{"100e00044d5154540402003c00026331"},
		events: []string{"refused 5 not authorized"},
	}, {
		name:   "SUBACK failure (3.1.1)",
		steps:  []step{open(), recv("20020000"), recv("9003000180")},
		sent:   []string{"100e00044d5154540402003c00026331", "820a000100057469636b7300"},
		events: []string{"other", "refused 128 unspecified error"},
	}, {
		name: "MQTT 5 join, data with properties, heartbeat",
		mod:  v5,
		steps: []step{open(), recv("2003000000"), recv("900400010000"),
			recv("301400057469636b73 03 010100 7b22736571223a377d"), ping(), recv("d000")},
		sent:   []string{"100f00044d5154540502003c0000026331", "820b00010000057469636b7300", "c000"},
		data:   []string{`{"seq":7}`},
		events: []string{"other", "ready", "pong"},
	}, {
		name:   "MQTT 5 server keep alive",
		mod:    v5,
		steps:  []step{open(), recv("20060000 03 13000a")},
		sent:   []string{"100f00044d5154540502003c0000026331", "820b00010000057469636b7300"},
		events: []string{"other timeout 15s"},
	}, {
		name:   "MQTT 5 CONNACK refused with a reason string",
		mod:    v5,
		steps:  []step{open(), recv("2009 0087 06 1f0003 6e6f21")},
		sent:   []string{"100f00044d5154540502003c0000026331"},
		events: []string{"refused 135 no!"},
	}, {
		name:   "MQTT 5 CONNACK refused",
		mod:    v5,
		steps:  []step{open(), recv("2003008a00")},
		sent:   []string{"100f00044d5154540502003c0000026331"},
		events: []string{"refused 138 banned"},
	}, {
		name:   "MQTT 5 SUBACK refused",
		mod:    v5,
		steps:  []step{open(), recv("2003000000"), recv("900400010087")},
		sent:   []string{"100f00044d5154540502003c0000026331", "820b00010000057469636b7300"},
		events: []string{"other", "refused 135 not authorized"},
	}, {
		name:   "MQTT 5 server DISCONNECT",
		mod:    v5,
		steps:  []step{open(), recv("2003000000"), recv("900400010000"), recv("e0028b00"), recv("d000")},
		sent:   []string{"100f00044d5154540502003c0000026331", "820b00010000057469636b7300"},
		events: []string{"other", "ready", "goodbye 139 server shutting down"},
	}, {
		name:   "MQTT 5 server DISCONNECT, reason string, normal",
		mod:    v5,
		steps:  []step{open(), recv("2003000000"), recv("900400010000"), recv("e0078e04 1f000162"), recv("e000")},
		sent:   []string{"100f00044d5154540502003c0000026331", "820b00010000057469636b7300"},
		events: []string{"other", "ready", "goodbye 142 b"},
	}, {
		name:   "MQTT 5 server DISCONNECT without a code",
		mod:    v5,
		steps:  []step{open(), recv("2003000000"), recv("e000")},
		sent:   []string{"100f00044d5154540502003c0000026331", "820b00010000057469636b7300"},
		events: []string{"other", "goodbye normal disconnection"},
	}, {
		name: "persistent session resumed: no SUBSCRIBE, DUP redelivery acknowledged",
		mod:  persistent,
		steps: []step{open(), recv("20020000"), recv("9003000101"),
			open(), recv("20020100"),
			recv("3a12 00057469636b73 0009 7b22736571223a387d"),
			recv("3212 00057469636b73 000a 7b22736571223a397d")},
		sent: []string{"100e00044d5154540400003c00026331", "820a000100057469636b7301",
			"100e00044d5154540400003c00026331", "40020009", "4002000a"},
		data:   []string{`{"seq":8}`, `{"seq":9}`},
		events: []string{"other", "ready", "other", "ready"},
	}, {
		name: "persistent session lost: subscribe again",
		mod:  persistent,
		steps: []step{open(), recv("20020000"), recv("9003000101"),
			open(), recv("20020000"), recv("9003000201")},
		sent: []string{"100e00044d5154540400003c00026331", "820a000100057469636b7301",
			"100e00044d5154540400003c00026331", "820a000200057469636b7301"},
		events: []string{"other", "ready", "other", "ready"},
	}, {
		name:   "persistent, not yet subscribed: a session present still subscribes",
		mod:    persistent,
		steps:  []step{open(), recv("20020100"), recv("9003000101")},
		sent:   []string{"100e00044d5154540400003c00026331", "820a000100057469636b7301"},
		events: []string{"other", "ready"},
	}, {
		name:  "MQTT 5 persistent: session expiry",
		mod:   func(c *profile.Config) { persistent(c); v5(c) },
		steps: []step{open()},
		sent:  []string{"101400044d5154540500003c051100000e1000026331"},
	}, {
		name: "packets split across messages and several in one",
		steps: []step{open(), recv("20"), recv("02"), recv("00"), recv("0090"), recv("03000100 3010"),
			recv("00057469636b737b22736571223a"), recv("377d d0"), recv("00 d000 30")},
		sent:   []string{"100e00044d5154540402003c00026331", "820a000100057469636b7300"},
		data:   []string{`{"seq":7}`},
		events: []string{"other", "ready", "pong", "pong"},
	}, {
		name:   "clean session but session present",
		steps:  []step{open(), recv("20020100")},
		sent:   []string{"100e00044d5154540402003c00026331"},
		events: []string{"malformed: " + ruleSessionClean},
	}, {
		name:   "text message",
		steps:  []step{open(), recvText("hello")},
		sent:   []string{"100e00044d5154540402003c00026331"},
		events: []string{"malformed: " + ruleText},
	}, {
		name:   "first packet not CONNACK",
		steps:  []step{open(), recv("d000")},
		sent:   []string{"100e00044d5154540402003c00026331"},
		events: []string{"malformed: " + ruleFirst},
	}, {
		name:   "remaining length of 5 bytes",
		steps:  []step{open(), recv("20ffffffff01")},
		sent:   []string{"100e00044d5154540402003c00026331"},
		events: []string{"malformed: " + ruleLength},
	}, {
		name:   "packet over 1 MiB, announced in pieces",
		steps:  []step{open(), recv("20020000"), recv("9003000100"), recv("30"), recv("81"), recv("80"), recv("40"), recv("00")},
		sent:   []string{"100e00044d5154540402003c00026331", "820a000100057469636b7300"},
		events: []string{"other", "ready", "malformed: " + ruleTooLong},
	}, {
		name:   "QoS 3",
		steps:  []step{open(), recv("20020000"), recv("3603000161")},
		sent:   []string{"100e00044d5154540402003c00026331", "820a000100057469636b7300"},
		events: []string{"other", "malformed: " + ruleQoS3},
	}, {
		name:   "SUBACK for another packet identifier",
		steps:  []step{open(), recv("20020000"), recv("9003000200")},
		sent:   []string{"100e00044d5154540402003c00026331", "820a000100057469636b7300"},
		events: []string{"other", "malformed: " + ruleSuback},
	}, {
		name:   "PUBLISH shorter than its topic",
		steps:  []step{open(), recv("20020000"), recv("3003000561")},
		sent:   []string{"100e00044d5154540402003c00026331", "820a000100057469636b7300"},
		events: []string{"other", "malformed: " + ruleShort},
	}, {
		name:   "reserved flags on PINGRESP",
		steps:  []step{open(), recv("20020000"), recv("d100")},
		sent:   []string{"100e00044d5154540402003c00026331", "820a000100057469636b7300"},
		events: []string{"other", "malformed: " + ruleFlags},
	}, {
		name:   "an UNSUBACK the client never asked for",
		steps:  []step{open(), recv("20020000"), recv("b0020001")},
		sent:   []string{"100e00044d5154540402003c00026331", "820a000100057469636b7300"},
		events: []string{"other", "unrecognised"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := run(t, config(t, tc.mod), tc.steps)
			var data, events []string
			for _, d := range c.Datums {
				data = append(data, d.Payload)
				if d.HasSeq {
					t.Errorf("data %q reports a sequence number", d.Payload)
				}
			}
			for _, e := range c.Events {
				events = append(events, describe(e))
			}
			for i := range tc.sent {
				tc.sent[i] = strings.ReplaceAll(tc.sent[i], " ", "")
			}
			if got := sentHex(c); !slices.Equal(got, tc.sent) {
				t.Errorf("sent\n%q, want\n%q", got, tc.sent)
			}
			if !slices.Equal(data, tc.data) {
				t.Errorf("data %q, want %q", data, tc.data)
			}
			if !slices.Equal(events, tc.events) {
				t.Errorf("events\n%q, want\n%q", events, tc.events)
			}
		})
	}
}
