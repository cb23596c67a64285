package stomp

import (
	"slices"
	"strings"
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
)

// step is one thing that happens on a connection: the client opens it or
// pings (nopping: Ping must report false), or the server sends a message.
type step struct {
	open, ping, nopping bool
	recv                string
}

func open() step         { return step{open: true} }
func ping() step         { return step{ping: true} }
func noping() step       { return step{nopping: true} }
func recv(s string) step { return step{recv: s} }

// What RabbitMQ 3.10.8's web-STOMP sends (captured).
const (
	connected = "CONNECTED\nserver:RabbitMQ/3.10.8\nsession:session-wf-28tRHU1RFdrPOvS7EjQ\nheart-beat:10000,10000\nversion:1.2\n\n\x00\n"
	receipt0  = "RECEIPT\nreceipt-id:sub-0\n\n\x00\n"
	message   = "MESSAGE\nsubscription:sub-0\ndestination:/topic/ticks\nmessage-id:T_sub-0@@session-wf-28tRHU1RFdrPOvS7EjQ@@1\nredelivered:false\ncontent-type:application/json\ncontent-length:9\n\n{\"seq\":5}\x00\n"
	badVhost  = "ERROR\nmessage:Bad CONNECT\ncontent-type:text/plain\nversion:1.0,1.1,1.2\ncontent-length:38\n\nVirtual host '127.0.0.1' access denied\x00\n"
	badDest   = "ERROR\nmessage:Unknown destination\ncontent-type:text/plain\nversion:1.0,1.1,1.2\ncontent-length:39\n\n'/bogus/x' is not a valid destination.\n\x00\n"
)

// What the client sends with the tables' configuration: the CONNECT
// @stomp/stompjs 7.5.0 sends (its headers, plus host), and its SUBSCRIBE
// plus a receipt.
const (
	connect    = "CONNECT\naccept-version:1.2,1.1,1.0\nhost:/\nheart-beat:10000,10000\n\n\x00"
	subscribe0 = "SUBSCRIBE\nid:sub-0\ndestination:/topic/ticks\nreceipt:sub-0\n\n\x00"
)

func TestTranscripts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mod    func(*profile.Config)
		steps  []step
		sent   []string
		data   []string
		events []string
	}{{
		name:   "join, data, heart-beats both ways (RabbitMQ)",
		steps:  []step{open(), noping(), recv(connected), recv(receipt0), recv(message), recv("\n"), ping()},
		sent:   []string{connect, subscribe0, "\n"},
		data:   []string{`{"seq":5}`},
		events: []string{"other timeout 20s", "ready", "server-ping"},
	}, {
		name:  "login and passcode, the passcode with a colon",
		mod:   func(c *profile.Config) { c.Auth = tmpl(t, "guest:gu:est") },
		steps: []step{open()},
		sent:  []string{"CONNECT\nlogin:guest\npasscode:gu:est\naccept-version:1.2,1.1,1.0\nhost:/\nheart-beat:10000,10000\n\n\x00"},
	}, {
		name:  "login per client, without a passcode",
		mod:   func(c *profile.Config) { c.Auth = tmpl(t, "user-{{client}}") },
		steps: []step{open()},
		sent:  []string{"CONNECT\nlogin:user-7\naccept-version:1.2,1.1,1.0\nhost:/\nheart-beat:10000,10000\n\n\x00"},
	}, {
		name:   "the server wants no heart-beats from the client, beats slower itself",
		steps:  []step{open(), recv("CONNECTED\nversion:1.2\nheart-beat:30000,0\n\n\x00"), noping()},
		sent:   []string{connect, subscribe0},
		events: []string{"other timeout 1m0s"},
	}, {
		name:   "the server asks for faster client beats than offered, beats faster itself",
		steps:  []step{open(), recv("CONNECTED\nversion:1.2\nheart-beat:5000,2000\n\n\x00"), ping()},
		sent:   []string{connect, subscribe0, "\n"},
		events: []string{"other timeout 20s"},
	}, {
		name:   "no heart-beats from the server",
		steps:  []step{open(), recv("CONNECTED\nversion:1.2\nheart-beat:0,10000\n\n\x00"), ping()},
		sent:   []string{connect, subscribe0, "\n"},
		events: []string{"other"},
	}, {
		name:   "the client offers none",
		mod:    func(c *profile.Config) { c.HeartbeatInterval = 0 },
		steps:  []step{open(), recv(connected), noping()},
		sent:   []string{strings.Replace(connect, "10000,10000", "0,0", 1), subscribe0},
		events: []string{"other"},
	}, {
		name:   "STOMP 1.0: no heart-beating, no escaping",
		mod:    func(c *profile.Config) { c.Join[0] = tmpl(t, "/queue/a:b") },
		steps:  []step{open(), recv("CONNECTED\nheart-beat:10000,10000\n\n\x00"), noping()},
		sent:   []string{connect, "SUBSCRIBE\nid:sub-0\ndestination:/queue/a:b\nreceipt:sub-0\n\n\x00"},
		events: []string{"other"},
	}, {
		name:   "STOMP 1.2 escapes the destination",
		mod:    func(c *profile.Config) { c.Join[0] = tmpl(t, `/queue/a:b\c`) },
		steps:  []step{open(), recv(connected)},
		sent:   []string{connect, `SUBSCRIBE` + "\nid:sub-0\ndestination:" + `/queue/a\cb\\c` + "\nreceipt:sub-0\n\n\x00"},
		events: []string{"other timeout 20s"},
	}, {
		name: "several destinations: ready at the last one's receipt",
		mod:  func(c *profile.Config) { c.Join = append(c.Join, tmpl(t, "/topic/u.{{client}}")) },
		steps: []step{open(), recv(connected), recv(receipt0),
			recv("RECEIPT\nreceipt-id:sub-1\n\n\x00")},
		sent: []string{connect, "SUBSCRIBE\nid:sub-0\ndestination:/topic/ticks\n\n\x00",
			"SUBSCRIBE\nid:sub-1\ndestination:/topic/u.7\nreceipt:sub-1\n\n\x00"},
		events: []string{"other timeout 20s", "other", "ready"},
	}, {
		name:   "refused at CONNECT (RabbitMQ, unknown virtual host)",
		steps:  []step{open(), recv(badVhost), recv(connected)},
		sent:   []string{connect},
		events: []string{"refused Bad CONNECT"},
	}, {
		name:   "refused at SUBSCRIBE (RabbitMQ, unknown destination)",
		steps:  []step{open(), recv(connected), recv(badDest + "\n")},
		sent:   []string{connect, subscribe0},
		events: []string{"other timeout 20s", "refused Unknown destination"},
	}, {
		name:   "ERROR once ready: goodbye",
		steps:  []step{open(), recv(connected), recv(receipt0), recv("ERROR\nmessage:shutting down\n\nbye\x00"), recv(message)},
		sent:   []string{connect, subscribe0},
		events: []string{"other timeout 20s", "ready", "goodbye shutting down"},
	}, {
		name: "frames, padding and beats across messages",
		steps: []step{open(), recv(connected + receipt0 + "\n" + message[:20]), recv(message[20:60]),
			recv(message[60:] + "MESSAGE\nsubscription:sub-0\n\n{\"seq\":6}\x00\n\nMESS"), recv("AGE\n"), recv("content-length:3\n\na\x00b\x00"),
			recv("\r\n"), recv("MESSAGE\r\nk:v\r\n\r\n{\"seq\":7}\x00\r\n")},
		sent:   []string{connect, subscribe0},
		data:   []string{`{"seq":5}`, `{"seq":6}`, "a\x00b", `{"seq":7}`},
		events: []string{"other timeout 20s", "ready", "server-ping"},
	}, {
		name:   "a frame the client does not know",
		steps:  []step{open(), recv(connected), recv("PONG\n\n\x00")},
		sent:   []string{connect, subscribe0},
		events: []string{"other timeout 20s", "unrecognised"},
	}, {
		name:   "first frame a MESSAGE",
		steps:  []step{open(), recv(message)},
		sent:   []string{connect},
		events: []string{"malformed: " + ruleFirst},
	}, {
		name:   "second CONNECTED",
		steps:  []step{open(), recv(connected), recv(connected)},
		sent:   []string{connect, subscribe0},
		events: []string{"other timeout 20s", "malformed: " + ruleSecond},
	}, {
		name:   "header without a colon",
		steps:  []step{open(), recv("CONNECTED\nversion\n\n\x00")},
		sent:   []string{connect},
		events: []string{"malformed: " + ruleHeader},
	}, {
		name:   "NUL in the command line",
		steps:  []step{open(), recv("CONN\x00")},
		sent:   []string{connect},
		events: []string{"malformed: " + ruleCommand},
	}, {
		name:   "content-length not a number",
		steps:  []step{open(), recv("CONNECTED\ncontent-length:x\n\n\x00")},
		sent:   []string{connect},
		events: []string{"malformed: " + ruleContentLength},
	}, {
		name:   "no NUL after the content-length",
		steps:  []step{open(), recv("CONNECTED\ncontent-length:1\n\nab\x00")},
		sent:   []string{connect},
		events: []string{"malformed: " + ruleNUL},
	}, {
		name:   "bad heart-beat",
		steps:  []step{open(), recv("CONNECTED\nversion:1.2\nheart-beat:10000\n\n\x00")},
		sent:   []string{connect},
		events: []string{"malformed: " + ruleHeartbeat},
	}, {
		name:   "a body over 1 MiB without a NUL, in pieces",
		steps:  []step{open(), recv(connected), recv("MESSAGE\n\n"), recv(strings.Repeat("x", MaxFrame/2)), recv(strings.Repeat("x", MaxFrame/2))},
		sent:   []string{connect, subscribe0},
		events: []string{"other timeout 20s", "malformed: " + ruleTooLong},
	}, {
		name:   "content-length over 1 MiB",
		steps:  []step{open(), recv(connected), recv("MESSAGE\ncontent-length:1048576\n\n")},
		sent:   []string{connect, subscribe0},
		events: []string{"other timeout 20s", "malformed: " + ruleTooLong},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			p := mustNew(t, config(t, tc.mod))
			c := &profiletest.Conn{}
			c.V.Client = 7
			st := &profile.State{}
			for _, s := range tc.steps {
				switch {
				case s.open:
					p.Open(c, st)
				case s.ping:
					if !p.Ping(c, st) {
						t.Error("Ping sent nothing")
					}
				case s.nopping:
					if p.Ping(c, st) {
						t.Error("Ping sent a heart-beat")
					}
				default:
					p.Receive(c, st, ws.OpText, []byte(s.recv))
				}
				if len(st.Partial) >= MaxFrame {
					t.Fatalf("Partial holds %d bytes", len(st.Partial))
				}
			}
			var data, events []string
			for _, d := range c.Datums {
				data = append(data, d.Payload)
			}
			for _, e := range c.Events {
				events = append(events, describe(e))
			}
			if got := c.Payloads(); !slices.Equal(got, tc.sent) {
				t.Errorf("sent\n%q, want\n%q", got, tc.sent)
			}
			for _, s := range c.Sent {
				if s.Op != ws.OpText {
					t.Errorf("sent %q as op %v", s.Payload, s.Op)
				}
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
