package graphqlws

import (
	"testing"

	"github.com/stormbench/stormbench/internal/profile"
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
	{open: true, sent: strs(initMsg), kinds: []profile.Traffic{profile.SendControl}},
	{recv: ack, sent: strs(subQuery), kinds: []profile.Traffic{profile.SendControl}, events: strs(kind(profile.Ready))},
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
				step{recv: `{"id":"` + id7 + `","type":"next","payload":{"data":{"ticks":{"seq":109}}}}`, data: strs(`{"data":{"ticks":{"seq":109}}}`)},
				// The type need not come first; escapes in it are decoded.
				step{recv: `{"payload":{"data":{"ticks":{"seq":110}}},"id":"` + id7 + `","type":"ne\u0078t"}`, data: strs(`{"data":{"ticks":{"seq":110}}}`)},
				step{ping: true, pinged: true, sent: strs(`{"type":"ping"}`), kinds: []profile.Traffic{profile.SendPing}},
				step{recv: `{"type":"pong"}`, events: strs(kind(profile.Pong))},
				// A second pong answers no ping: the server's one-way heartbeat.
				step{recv: `{"type":"pong","payload":null}`, events: strs(kind(profile.ServerPing))},
				step{recv: `{"type":"ping"}`, sent: strs(`{"type":"pong"}`), kinds: []profile.Traffic{profile.SendPong}, events: strs(kind(profile.ServerPing))},
				step{recv: `{"type":"ping","payload":{"t":1}}`, sent: strs(`{"type":"pong","payload":{"t":1}}`), events: strs(kind(profile.ServerPing))},
				step{recv: ack, events: strs(kind(profile.Other))},
				step{recv: `{"id":"` + id7 + `","type":"complete"}`, events: strs(kind(profile.Goodbye))},
				// Over: the reference client ignores what follows for it.
				step{recv: `{"id":"` + id7 + `","type":"next","payload":{}}`, events: strs(kind(profile.Unrecognised))},
			),
		},
		{
			name: "pings before the ack and two pings in flight",
			join: query, v: v7,
			steps: []step{
				{open: true, sent: strs(initMsg)},
				{ping: true, pinged: true, sent: strs(`{"type":"ping"}`)},
				{ping: true, pinged: true, sent: strs(`{"type":"ping"}`)},
				{recv: `{"type":"pong"}`, events: strs(kind(profile.Pong))},
				{recv: ack, sent: strs(subQuery), events: strs(kind(profile.Ready))},
				{recv: `{"type":"pong"}`, events: strs(kind(profile.Pong))},
				{recv: `{"type":"pong"}`, events: strs(kind(profile.ServerPing))},
			},
		},
		{
			name: "auth and an id from shard and client",
			join: "subscription { ticks { seq } }", auth: `{"token":"t{{client}}"}`, v: template.Vars{Client: 1<<48 + 5, Shard: 3},
			steps: []step{
				{open: true, sent: strs(`{"type":"connection_init","payload":{"token":"t281474976710661"}}`)},
				{recv: ack, sent: strs(`{"id":"` + idBig + `","type":"subscribe","payload":{"query":"subscription { ticks { seq } }"}}`), events: strs(kind(profile.Ready))},
				{recv: `{"id":"` + idBig + `","type":"next","payload":{"data":null}}`, data: strs(`{"data":null}`)},
			},
		},
		{
			name: "query escaped as JSON.stringify does",
			join: "subscription {\n\tticks(room: \"r{{client}}\\\\x\") { seq }\n}", v: v7,
			steps: []step{
				{open: true, sent: strs(initMsg)},
				{recv: ack, sent: strs(`{"id":"` + id7 + `","type":"subscribe","payload":{"query":"subscription {\n\tticks(room: \"r7\\\\x\") { seq }\n}"}}`), events: strs(kind(profile.Ready))},
			},
		},
		{
			name: "refusal: the subscription's error",
			join: "subscription { nope }", v: v7,
			steps: []step{
				{open: true, sent: strs(initMsg)},
				{recv: ack, sent: strs(`{"id":"` + id7 + `","type":"subscribe","payload":{"query":"subscription { nope }"}}`), events: strs(kind(profile.Ready))},
				{recv: `{"id":"` + id7 + `","type":"error","payload":[{"message":"Cannot query field \"nope\" on type \"Subscription\".","locations":[{"line":1,"column":16}]}]}`,
					events: strs(reason(profile.Refused, `Cannot query field "nope" on type "Subscription".`))},
				{recv: `{"id":"` + id7 + `","type":"error","payload":[{"message":"again"}]}`, events: strs(kind(profile.Unrecognised))},
			},
		},
		{
			name: "refusal without a message: the payload is the reason",
			join: query, v: v7,
			steps: append(append([]step(nil), joined...),
				step{recv: `{"id":"` + id7 + `","type":"error","payload":[ {"path":["x"]} ]}`, events: strs(reason(profile.Refused, `[ {"path":["x"]} ]`))},
			),
		},
		{
			name: "another subscription's messages are not ours",
			join: query, v: v7,
			steps: append(append([]step(nil), joined...),
				step{recv: `{"id":"other","type":"next","payload":{"data":{}}}`, events: strs(kind(profile.Unrecognised))},
				step{recv: `{"id":"other","type":"complete"}`, events: strs(kind(profile.Unrecognised))},
				step{recv: `{"id":"other","type":"error","payload":[]}`, events: strs(kind(profile.Unrecognised))},
				step{recv: `{"type":"subscribe","id":"x","payload":{"query":"q"}}`, events: strs(kind(profile.Unrecognised))},
			),
		},
		{
			name: "malformed messages",
			join: query, v: v7,
			steps: []step{
				{open: true, sent: strs(initMsg)},
				{recv: `{"id":"` + id7 + `","type":"next","payload":{}}`, events: strs(rule(RuleBeforeAck))},
				{recv: `{"type":"connection_ack"}`, op: 2, events: strs(rule(RuleBinary))},
				{recv: `not json`, events: strs(rule(RuleNoType))},
				{recv: `{"type":1}`, events: strs(rule(RuleNoType))},
				{recv: `{"type":"welcome"}`, events: strs(rule(RuleUnknownType))},
				{recv: `{"type":"ping","payload":"x"}`, events: strs(rule(RulePingPayload))},
				{recv: `{"type":"pong","payload":[1]}`, events: strs(rule(RulePingPayload))},
				{recv: ack, sent: strs(subQuery), events: strs(kind(profile.Ready))},
				{recv: `{"type":"next","payload":{}}`, events: strs(rule(RuleNoID))},
				{recv: `{"id":"","type":"complete"}`, events: strs(rule(RuleNoID))},
				{recv: `{"id":"` + id7 + `","type":"next","payload":"x"}`, events: strs(rule(RuleNextPayload))},
				{recv: `{"id":"` + id7 + `","type":"next"}`, events: strs(rule(RuleNextPayload))},
				{recv: `{"id":"` + id7 + `","type":"error","payload":{"message":"x"}}`, events: strs(rule(RuleErrPayload))},
			},
		},
		{
			name: "resume after reconnect: a fresh join with the same id",
			join: query, v: v7,
			steps: append(append(append(append([]step(nil), joined...),
				step{recv: `{"id":"` + id7 + `","type":"next","payload":{"data":{"ticks":{"seq":1}}}}`, data: strs(`{"data":{"ticks":{"seq":1}}}`)},
				step{ping: true, pinged: true, sent: strs(`{"type":"ping"}`)}),
				// The connection drops with the ping unanswered; the next
				// one starts over and inherits nothing.
				joined...),
				step{recv: `{"type":"pong"}`, events: strs(kind(profile.ServerPing))},
				step{recv: `{"id":"` + id7 + `","type":"next","payload":{"data":{"ticks":{"seq":40}}}}`, data: strs(`{"data":{"ticks":{"seq":40}}}`)},
			),
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := play(t, newProfile(t, tt.join, tt.auth), tt.v, tt.steps)
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
