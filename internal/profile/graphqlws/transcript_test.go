package graphqlws

import (
	"testing"

	"github.com/gobwas/ws"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
	"github.com/stormbench/stormbench/internal/template"
)

// The subscription id of client 7 of shard 0, and of client 2⁴⁸+5 of
// shard 3.
const (
	id7      = "00000000-0000-4000-8000-000000000007"
	idBig    = "00000003-0001-4000-8000-000000000005"
	query    = "subscription { ticks { seq } }"
	subQuery = `{"id":"` + id7 + `","type":"subscribe","payload":{"query":"subscription { ticks { seq } }"}}`
	initMsg  = `{"type":"connection_init"}`
	ack      = `{"type":"connection_ack"}`
)

// joined is the opening of every conversation of client 7: init, ack,
// subscribe, ready.
var joined = []step{
	{Open: true, Sent: strs(initMsg), Kinds: []profile.Traffic{profile.SendControl}},
	{Recv: ack, Sent: strs(subQuery), Kinds: []profile.Traffic{profile.SendControl}, Events: strs(kind(profile.Ready))},
}

func TestTranscripts(t *testing.T) {
	v7 := template.Vars{Client: 7}
	for _, tt := range []struct {
		name       string
		join, auth string
		v          template.Vars
		steps      []step
	}{
		{
			name: "join, data, heartbeat both ways, complete",
			join: query, v: v7,
			steps: append(append([]step(nil), joined...),
				step{Recv: `{"id":"` + id7 + `","type":"next","payload":{"data":{"ticks":{"seq":109}}}}`, Data: strs(`{"data":{"ticks":{"seq":109}}}`)},
				// The type need not come first; escapes in it are decoded.
				step{Recv: `{"payload":{"data":{"ticks":{"seq":110}}},"id":"` + id7 + `","type":"ne\u0078t"}`, Data: strs(`{"data":{"ticks":{"seq":110}}}`)},
				// An id may be written with escapes.
				step{Recv: `{"id":"00000000-0000-4000-8000-00000000000\u0037","type":"next","payload":{}}`, Data: strs(`{}`)},
				step{Ping: true, Pinged: true, Sent: strs(`{"type":"ping"}`), Kinds: []profile.Traffic{profile.SendPing}},
				step{Recv: `{"type":"pong"}`, Events: strs(kind(profile.Pong))},
				// A second pong answers no Ping: the server's one-way heartbeat.
				step{Recv: `{"type":"pong","payload":null}`, Events: strs(kind(profile.ServerPing))},
				step{Recv: `{"type":"ping"}`, Sent: strs(`{"type":"pong"}`), Kinds: []profile.Traffic{profile.SendPong}, Events: strs(kind(profile.ServerPing))},
				step{Recv: `{"type":"ping","payload":{"t":1}}`, Sent: strs(`{"type":"pong","payload":{"t":1}}`), Events: strs(kind(profile.ServerPing))},
				step{Recv: ack, Events: strs(kind(profile.Other))},
				step{Recv: `{"id":"` + id7 + `","type":"complete"}`, Events: strs(kind(profile.Goodbye))},
				// Over: the reference client ignores what follows for it.
				step{Recv: `{"id":"` + id7 + `","type":"next","payload":{}}`, Events: strs(kind(profile.Unrecognised))},
			),
		},
		{
			name: "pings before the ack and two pings in flight",
			join: query, v: v7,
			steps: []step{
				{Open: true, Sent: strs(initMsg)},
				{Ping: true, Pinged: true, Sent: strs(`{"type":"ping"}`)},
				{Ping: true, Pinged: true, Sent: strs(`{"type":"ping"}`)},
				{Recv: `{"type":"pong"}`, Events: strs(kind(profile.Pong))},
				{Recv: ack, Sent: strs(subQuery), Events: strs(kind(profile.Ready))},
				{Recv: `{"type":"pong"}`, Events: strs(kind(profile.Pong))},
				{Recv: `{"type":"pong"}`, Events: strs(kind(profile.ServerPing))},
			},
		},
		{
			name: "auth and an id from shard and client",
			join: "subscription { ticks { seq } }", auth: `{"token":"t{{client}}"}`, v: template.Vars{Client: 1<<48 + 5, Shard: 3},
			steps: []step{
				{Open: true, Sent: strs(`{"type":"connection_init","payload":{"token":"t281474976710661"}}`)},
				{Recv: ack, Sent: strs(`{"id":"` + idBig + `","type":"subscribe","payload":{"query":"subscription { ticks { seq } }"}}`), Events: strs(kind(profile.Ready))},
				{Recv: `{"id":"` + idBig + `","type":"next","payload":{"data":null}}`, Data: strs(`{"data":null}`)},
			},
		},
		{
			name: "query escaped as JSON.stringify does",
			join: "subscription {\n\tticks(room: \"r{{client}}\\\\x\") { seq }\n}", v: v7,
			steps: []step{
				{Open: true, Sent: strs(initMsg)},
				{Recv: ack, Sent: strs(`{"id":"` + id7 + `","type":"subscribe","payload":{"query":"subscription {\n\tticks(room: \"r7\\\\x\") { seq }\n}"}}`), Events: strs(kind(profile.Ready))},
			},
		},
		{
			name: "refusal: the subscription's error",
			join: "subscription { nope }", v: v7,
			steps: []step{
				{Open: true, Sent: strs(initMsg)},
				{Recv: ack, Sent: strs(`{"id":"` + id7 + `","type":"subscribe","payload":{"query":"subscription { nope }"}}`), Events: strs(kind(profile.Ready))},
				{Recv: `{"id":"` + id7 + `","type":"error","payload":[{"message":"Cannot query field \"nope\" on type \"Subscription\".","locations":[{"line":1,"column":16}]}]}`,
					Events: strs(reason(profile.Refused, `Cannot query field "nope" on type "Subscription".`))},
				{Recv: `{"id":"` + id7 + `","type":"error","payload":[{"message":"again"}]}`, Events: strs(kind(profile.Unrecognised))},
			},
		},
		{
			name: "refusal without a message: the payload is the reason",
			join: query, v: v7,
			steps: append(append([]step(nil), joined...),
				step{Recv: `{"id":"` + id7 + `","type":"error","payload":[ {"path":["x"]} ]}`, Events: strs(reason(profile.Refused, `[ {"path":["x"]} ]`))},
			),
		},
		{
			name: "another subscription's messages are not ours",
			join: query, v: v7,
			steps: append(append([]step(nil), joined...),
				step{Recv: `{"id":"other","type":"next","payload":{"data":{}}}`, Events: strs(kind(profile.Unrecognised))},
				step{Recv: `{"id":"other","type":"complete"}`, Events: strs(kind(profile.Unrecognised))},
				step{Recv: `{"id":"other","type":"error","payload":[]}`, Events: strs(kind(profile.Unrecognised))},
				step{Recv: `{"type":"subscribe","id":"x","payload":{"query":"q"}}`, Events: strs(kind(profile.Unrecognised))},
			),
		},
		{
			name: "malformed messages",
			join: query, v: v7,
			steps: []step{
				{Open: true, Sent: strs(initMsg)},
				{Recv: `{"id":"` + id7 + `","type":"next","payload":{}}`, Events: strs(rule(RuleBeforeAck))},
				{Recv: `{"type":"connection_ack"}`, Op: ws.OpBinary, Events: strs(rule(RuleBinary))},
				{Recv: `not json`, Events: strs(rule(RuleNoType))},
				{Recv: `{"type":1}`, Events: strs(rule(RuleNoType))},
				{Recv: `{"type":"welcome"}`, Events: strs(rule(RuleUnknownType))},
				{Recv: `{"type":"ping","payload":"x"}`, Events: strs(rule(RulePingPayload))},
				{Recv: `{"type":"pong","payload":[1]}`, Events: strs(rule(RulePingPayload))},
				{Recv: ack, Sent: strs(subQuery), Events: strs(kind(profile.Ready))},
				{Recv: `{"type":"next","payload":{}}`, Events: strs(rule(RuleNoID))},
				{Recv: `{"id":"","type":"complete"}`, Events: strs(rule(RuleNoID))},
				{Recv: `{"id":"` + id7 + `","type":"next","payload":"x"}`, Events: strs(rule(RuleNextPayload))},
				{Recv: `{"id":"` + id7 + `","type":"next"}`, Events: strs(rule(RuleNextPayload))},
				{Recv: `{"id":"` + id7 + `","type":"error","payload":{"message":"x"}}`, Events: strs(rule(RuleErrPayload))},
			},
		},
		{
			name: "resume after reconnect: a fresh join with the same id",
			join: query, v: v7,
			steps: append(append(append(append([]step(nil), joined...),
				step{Recv: `{"id":"` + id7 + `","type":"next","payload":{"data":{"ticks":{"seq":1}}}}`, Data: strs(`{"data":{"ticks":{"seq":1}}}`)},
				step{Ping: true, Pinged: true, Sent: strs(`{"type":"ping"}`)}),
				// The connection drops with the ping unanswered; the next
				// one starts over and inherits nothing.
				joined...),
				step{Recv: `{"type":"pong"}`, Events: strs(kind(profile.ServerPing))},
				step{Recv: `{"id":"` + id7 + `","type":"next","payload":{"data":{"ticks":{"seq":40}}}}`, Data: strs(`{"data":{"ticks":{"seq":40}}}`)},
			),
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := profiletest.Play(t, newProfile(t, tt.join, tt.auth), tt.v, tt.steps)
			if st.Partial != nil || st.Resume != nil {
				t.Errorf("state keeps Partial %q, Resume %q: graphql-ws needs neither", st.Partial, st.Resume)
			}
		})
	}
}

func TestNew(t *testing.T) {
	join := []*template.Template{tmpl(t, query)}
	for _, tt := range []struct {
		name string
		cfg  profile.Config
		want string // error text; "" for none
	}{
		{"join", profile.Config{Join: join}, ""},
		{"join and auth", profile.Config{Join: join, Auth: tmpl(t, ` {"token":"{{client}}"} `)}, ""},
		{"no join", profile.Config{}, "--join: graphql-ws needs the GraphQL subscription to start, e.g. --join 'subscription { ticks { seq } }'"},
		{"empty join", profile.Config{Join: []*template.Template{tmpl(t, "  ")}}, `--join "  ": empty; graphql-ws needs the GraphQL subscription to start, e.g. --join 'subscription { ticks { seq } }'`},
		{"two joins", profile.Config{Join: append(join, join[0])}, "--join given 2 times: graphql-ws starts one subscription per connection, e.g. --join 'subscription { ticks { seq } }'"},
		{"auth not an object", profile.Config{Join: join, Auth: tmpl(t, `"tok"`)}, `--auth "\"tok\"": graphql-ws sends it as the connection_init payload, which must be a JSON object, e.g. --auth '{"token":"{{line tokens.txt}}"}'`},
		{"auth not JSON", profile.Config{Join: join, Auth: tmpl(t, `{token}`)}, `--auth "{token}": graphql-ws sends it as the connection_init payload, which must be a JSON object, e.g. --auth '{"token":"{{line tokens.txt}}"}'`},
		{"resume", profile.Config{Join: join, Resume: true}, "--resume: graphql-ws cannot resume a subscription (a reconnecting client subscribes again and misses what was sent meanwhile)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.cfg)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Fatalf("New: error %v, want %q", err, tt.want)
			case tt.want == "":
				if p.Name() != "graphql-ws" || len(p.Subprotocols()) != 1 || p.Subprotocols()[0] != "graphql-transport-ws" {
					t.Errorf("Name %q, Subprotocols %q", p.Name(), p.Subprotocols())
				}
			}
		})
	}
}
