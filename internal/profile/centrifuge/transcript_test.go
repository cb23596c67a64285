package centrifuge

import (
	"slices"
	"strings"
	"testing"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// Replies and pushes as Centrifugo 6 and the centrifuge library send them
// (captured; client ids shortened).
const (
	connectReply   = `{"id":1,"connect":{"client":"6d5fb364","version":"6.9.1 OSS","ping":25,"pong":true}}`
	subscribeReply = `{"id":2,"subscribe":{"recoverable":true,"epoch":"eKHSbFgh","offset":8,"positioned":true}}`
	pub9           = `{"push":{"channel":"ticks","pub":{"data":{"seq":9},"offset":9}}}`
	joinSent       = `{"connect":{"name":"js"},"id":1}` + "\n" + `{"subscribe":{"channel":"ticks","flag":1},"id":2}`
)

// TestTranscripts plays conversations with a server through the profile:
// what the client sends (byte for byte what centrifuge-js sends, captured
// from centrifuge-js 5.8.0), the data it reports and the events.
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
			name:   "join, ready, server ping answered, data",
			steps:  []step{open(), recv(connectReply), recv(subscribeReply), recv(`{}`), recv(pub9)},
			sent:   []string{joinSent, "pong {}"},
			data:   []string{`{"seq":9} @9`},
			events: []string{"other timeout 35s", "ready", "server-ping"},
		},
		{
			name: "replies and pushes share one message, newline-separated",
			steps: []step{open(), recv(connectReply + "\n" + subscribeReply + "\n" + pub9 + "\n" +
				`{"push":{"channel":"ticks","pub":{"data":"text","offset":10}}}` + "\n")},
			sent:   []string{joinSent},
			data:   []string{`{"seq":9} @9`, `"text" @10`},
			events: []string{"other timeout 35s", "ready"},
		},
		{
			name:  "token from --auth, per client",
			mod:   func(c *profile.Config) { c.Auth = tmpl(t, "tok-{{client}}") },
			steps: []step{open()},
			sent: []string{`{"connect":{"token":"tok-7","name":"js"},"id":1}` + "\n" +
				`{"subscribe":{"channel":"ticks","flag":1},"id":2}`},
		},
		{
			name:  "an empty token is left out",
			mod:   func(c *profile.Config) { c.Auth = tmpl(t, "") },
			steps: []step{open()},
			sent:  []string{joinSent},
		},
		{
			name:   "no pong wanted: pings not answered",
			steps:  []step{open(), recv(`{"id":1,"connect":{"client":"x","ping":5}}`), recv(`{ }`)},
			sent:   []string{joinSent},
			events: []string{"other timeout 15s", "server-ping"},
		},
		{
			name:   "no pings announced",
			steps:  []step{open(), recv(`{"id":1,"connect":{"client":"x"}}`), recv(`{"id":2,"subscribe":{}}`)},
			sent:   []string{joinSent},
			events: []string{"other", "ready"},
		},
		{
			name:   "publication without history: no offset",
			steps:  []step{open(), recv(`{"push":{"channel":"ticks","pub":{"data":{"n":1}}}}`)},
			sent:   []string{joinSent},
			data:   []string{`{"n":1}`},
			events: nil,
		},
		{
			name:   "subscription refused for good",
			steps:  []step{open(), recv(connectReply), recv(`{"id":2,"error":{"code":103,"message":"permission denied"}}`)},
			sent:   []string{joinSent},
			events: []string{"other timeout 35s", "refused 103 permission denied reconnect -1"},
		},
		{
			name:   "subscription refused for now",
			steps:  []step{open(), recv(connectReply), recv(`{"id":2,"error":{"code":111,"message":"too many requests","temporary":true}}`)},
			sent:   []string{joinSent},
			events: []string{"other timeout 35s", "refused 111 too many requests reconnect +1"},
		},
		{
			name:   "connect refused: token expired",
			steps:  []step{open(), recv(`{"id":1,"error":{"code":109,"message":"token expired"}}`)},
			sent:   []string{joinSent},
			events: []string{"refused 109 token expired reconnect +1"},
		},
		{
			name: "disconnect pushes",
			steps: []step{open(), recv(`{"push":{"disconnect":{"code":3001,"reason":"shutdown"}}}`),
				recv(`{"push":{"disconnect":{"code":3500,"reason":"invalid token"}}}`),
				recv(`{"push":{"disconnect":{"code":4501,"reason":"banned"}}}`)},
			sent:   []string{joinSent},
			events: []string{"goodbye 3001 shutdown reconnect +1", "goodbye 3500 invalid token reconnect -1", "goodbye 4501 banned reconnect -1"},
		},
		{
			name: "unsubscribe pushes",
			steps: []step{open(), recv(`{"push":{"channel":"ticks","unsubscribe":{"code":2500,"reason":"insufficient state"}}}`),
				recv(`{"push":{"channel":"ticks","unsubscribe":{"code":2000,"reason":"server unsubscribe"}}}`)},
			sent:   []string{joinSent},
			events: []string{"goodbye 2500 insufficient state reconnect +1", "goodbye 2000 server unsubscribe reconnect -1"},
		},
		{
			name: "other pushes and replies to someone else",
			steps: []step{open(), recv(`{"push":{"channel":"ticks","join":{"info":{"client":"a"}}}}`),
				recv(`{"push":{"message":{"data":{}}}}`), recv(`{"id":99,"rpc":{}}`), recv(`{"id":98,"error":{"code":100}}`)},
			sent:   []string{joinSent},
			events: []string{"other", "other", "other", "other"},
		},
		{
			name:   "unrecognised JSON",
			steps:  []step{open(), recv(`{"type":"welcome"}`), recv(`[1,2]`)},
			sent:   []string{joinSent},
			events: []string{"unrecognised", "unrecognised"},
		},
		{
			name:   "a line that is not JSON ends the message",
			steps:  []step{open(), recv(`{"push":` + "\n" + pub9)},
			sent:   []string{joinSent},
			events: []string{"malformed: " + ruleNotJSON},
		},
		{
			name:   "binary message",
			steps:  []step{open(), recvBinary(pub9)},
			sent:   []string{joinSent},
			events: []string{"malformed: " + ruleBinary},
		},
		{
			name:   "push that is not an object",
			steps:  []step{open(), recv(`{"push":[1]}`), recv(`{"push":{"pub":"x"}}`)},
			sent:   []string{joinSent},
			events: []string{"malformed: " + rulePushShape, "malformed: " + rulePubShape},
		},
		{
			name:   "reply to connect without its result",
			steps:  []step{open(), recv(`{"id":1}`)},
			sent:   []string{joinSent},
			events: []string{"malformed: " + ruleReplyShape},
		},
		{
			name:   "recovered publications that are not objects",
			steps:  []step{open(), recv(`{"id":2,"subscribe":{"publications":[1]}}`)},
			sent:   []string{joinSent},
			events: []string{"ready", "malformed: " + rulePubsShape},
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

// TestResume: with --resume a client keeps its stream position while the
// subscription is recoverable and asks to recover from it on the next
// connection, as centrifuge-js does (captured with a subscription created
// with recoverable: true); the reply's recovered publications are data.
func TestResume(t *testing.T) {
	p := mustNew(t, config(t, func(c *profile.Config) { c.Resume = true; c.Auth = tmpl(t, "TOK") }))
	st := &profile.State{}
	c := run(p, st, []step{open(), recv(`{"id":1,"connect":{"client":"a","ping":25,"pong":true}}`),
		recv(`{"id":2,"subscribe":{"recoverable":true,"epoch":"EP","offset":7,"positioned":true}}`),
		recv(`{"push":{"channel":"ticks","pub":{"data":{"seq":8},"offset":8}}}`)})
	want := `{"connect":{"token":"TOK","name":"js"},"id":1}` + "\n" + `{"subscribe":{"channel":"ticks","recoverable":true,"flag":1},"id":2}`
	if got := sent(c); !slices.Equal(got, []string{want}) {
		t.Fatalf("first join %q, want %q", got, want)
	}
	if off, epoch, ok := position(st); !ok || off != 8 || string(epoch) != "EP" {
		t.Fatalf("position %d %q %v, want 8 EP", off, epoch, ok)
	}

	// The connection is lost; the next one recovers.
	c = run(p, st, []step{open(), recv(`{"id":3,"connect":{"client":"b","ping":25,"pong":true}}` + "\n" +
		`{"id":4,"subscribe":{"recoverable":true,"epoch":"EP","publications":[{"data":{"seq":9},"offset":9},{"data":{"seq":10},"offset":10}],"recovered":true,"offset":8,"positioned":true,"was_recovering":true}}`),
		recv(`{"push":{"channel":"ticks","pub":{"data":{"seq":11},"offset":11}}}`)})
	want = `{"connect":{"token":"TOK","name":"js"},"id":3}` + "\n" +
		`{"subscribe":{"channel":"ticks","recoverable":true,"flag":1,"recover":true,"offset":8,"epoch":"EP"},"id":4}`
	if got := sent(c); !slices.Equal(got, []string{want}) {
		t.Fatalf("reconnect join\n%q\nwant\n%q", got, want)
	}
	if got, want := datums(c), []string{`{"seq":9} @9`, `{"seq":10} @10`, `{"seq":11} @11`}; !slices.Equal(got, want) {
		t.Errorf("data %q, want %q", got, want)
	}
	if got, want := events(c), []string{"other timeout 35s", "ready"}; !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	if off, _, _ := position(st); off != 11 {
		t.Errorf("position %d after the recovery, want 11", off)
	}

	// A restarted node (new epoch, no history): the position follows the
	// server's; a subscription that is no longer recoverable forgets it.
	run(p, st, []step{open(), recv(`{"id":6,"subscribe":{"recoverable":true,"epoch":"Ne\"w","positioned":true,"was_recovering":true}}`)})
	if off, epoch, ok := position(st); !ok || off != 0 || string(epoch) != `Ne\"w` {
		t.Fatalf("position %d %q %v after a new epoch", off, epoch, ok)
	}
	c = run(p, st, []step{open(), recv(`{"id":8,"subscribe":{}}`), open()})
	if got := c.Sent[0].Payload; !strings.Contains(got, `"recover":true,"epoch":"Ne\"w"},"id":8}`) {
		t.Errorf("an offset of 0 is left out, the epoch written as it came: %q", got)
	}
	if strings.Contains(c.Sent[1].Payload, "recover\"") {
		t.Errorf("recovery asked after an unrecoverable subscription: %q", c.Sent[1].Payload)
	}
}

// TestNoResume: without --resume no position is kept or asked for, even
// when the server calls the subscription recoverable.
func TestNoResume(t *testing.T) {
	p := mustNew(t, config(t, nil))
	st := &profile.State{}
	c := run(p, st, []step{open(), recv(subscribeReply), recv(pub9), open()})
	if len(st.Resume) != 0 {
		t.Errorf("Resume %q kept without --resume", st.Resume)
	}
	if got := c.Sent[1].Payload; got != `{"connect":{"name":"js"},"id":3}`+"\n"+`{"subscribe":{"channel":"ticks","flag":1},"id":4}` {
		t.Errorf("reconnect sent %q", got)
	}
}

// TestStaleReplies: a reply carrying the id of an earlier connection's
// command does not make the client ready.
func TestStaleReplies(t *testing.T) {
	p := mustNew(t, config(t, nil))
	st := &profile.State{}
	c := run(p, st, []step{open(), open(), recv(`{"id":2,"subscribe":{}}`), recv(`{"id":2,"error":{"code":103}}`)})
	if got, want := events(c), []string{"other", "other"}; !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	if st.Ready {
		t.Error("ready on a stale reply")
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		cfg  profile.Config
		err  string
	}{
		{"no join", profile.Config{}, "--join CHANNEL"},
		{"two joins", profile.Config{Join: []*template.Template{tmpl(t, "a"), tmpl(t, "b")}}, "give --join once"},
		{"empty join", profile.Config{Join: []*template.Template{tmpl(t, "")}}, "--join is empty"},
		{"quote in join", profile.Config{Join: []*template.Template{tmpl(t, `a"b`)}}, "--join"},
		{"control in auth", profile.Config{Join: []*template.Template{tmpl(t, "a")}, Auth: tmpl(t, "a\tb")}, "--auth"},
		{"per-client channel", profile.Config{Join: []*template.Template{tmpl(t, "user#{{client}}")}}, ""},
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

func TestNameTarget(t *testing.T) {
	p := mustNew(t, config(t, nil))
	if p.Name() != "centrifuge" || p.Subprotocols() != nil || p.Ping(nil, nil) {
		t.Errorf("name %q, subprotocols %q, ping", p.Name(), p.Subprotocols())
	}
}
