package actioncable

import (
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
	"github.com/stormbench/stormbench/internal/template"
)

const (
	ticks     = `{"channel":"TicksChannel"}`
	welcome   = `{"type":"welcome"}`
	subscribe = `{"command":"subscribe","identifier":"{\"channel\":\"TicksChannel\"}"}`
	confirm   = `{"identifier":"{\"channel\":\"TicksChannel\"}","type":"confirm_subscription"}`
	reject    = `{"identifier":"{\"channel\":\"TicksChannel\"}","type":"reject_subscription"}`
	broadcast = `{"identifier":"{\"channel\":\"TicksChannel\"}","message":{"seq":12}}`
	ping      = `{"type":"ping","message":1796503790}`
)

// welcomed is the welcome event: the stale rule announced.
var welcomed = profiletest.Describe(profile.Event{Kind: profile.Other, HeartbeatTimeout: StaleThreshold})

// joined is the opening of a conversation on TicksChannel.
var joined = []step{
	{Open: true},
	{Recv: welcome, Sent: strs(subscribe), Kinds: []profile.Traffic{profile.SendControl}, Events: strs(welcomed)},
	{Recv: confirm, Events: strs(kind(profile.Ready))},
}

func bye(reason string, reconnect int8) string {
	return profiletest.Describe(profile.Event{Kind: profile.Goodbye, Reason: []byte(reason), Reconnect: reconnect})
}

func TestTranscripts(t *testing.T) {
	for _, tt := range []struct {
		name  string
		join  string
		steps []step
	}{
		{
			name: "join, pings, data",
			join: ticks,
			steps: append(append([]step(nil), joined...),
				step{Recv: ping, Events: strs(kind(profile.ServerPing))},
				step{Recv: broadcast, Data: strs(`{"seq":12}`)},
				step{Recv: `{"message":{"seq":13},"identifier":"x"}`, Data: strs(`{"seq":13}`)},
				step{Recv: `{"identifier":"x","message":[1,2]}`, Data: strs(`[1,2]`)},
				// The client never pings.
				step{Ping: true, Pinged: false},
				// A second welcome or confirmation changes nothing.
				step{Recv: welcome, Events: strs(welcomed)},
				step{Recv: confirm, Events: strs(kind(profile.Other))},
				// The type's escapes are decoded.
				step{Recv: `{"type":"p\u0069ng","message":1}`, Events: strs(kind(profile.ServerPing))},
			),
		},
		{
			name: "identifier with parameters, per client, escaped as JSON.stringify does",
			join: `{"channel":"RoomChannel","room":"r{{client}}","tag":"a\\b"}`,
			steps: []step{
				{Open: true},
				{Recv: welcome, Sent: strs(`{"command":"subscribe","identifier":"{\"channel\":\"RoomChannel\",\"room\":\"r7\",\"tag\":\"a\\\\b\"}"}`), Events: strs(welcomed)},
			},
		},
		{
			name: "data before the confirmation still counts",
			join: ticks,
			steps: []step{
				{Open: true},
				{Recv: welcome, Sent: strs(subscribe), Events: strs(welcomed)},
				{Recv: broadcast, Data: strs(`{"seq":12}`)},
				{Recv: confirm, Events: strs(kind(profile.Ready))},
			},
		},
		{
			name: "refusal: the channel rejects the subscription",
			join: ticks,
			steps: []step{
				{Open: true},
				{Recv: welcome, Sent: strs(subscribe), Events: strs(welcomed)},
				{Recv: reject, Events: strs(kind(profile.Refused))},
				{Recv: confirm, Events: strs(kind(profile.Other))},
			},
		},
		{
			name: "goodbye: unauthorized instead of a welcome",
			join: ticks,
			steps: []step{
				{Open: true},
				{Recv: `{"type":"disconnect","reason":"unauthorized","reconnect":false}`, Events: strs(bye("unauthorized", -1))},
			},
		},
		{
			name: "goodbye: server restart, and the variants",
			join: ticks,
			steps: append(append([]step(nil), joined...),
				step{Recv: `{"type":"disconnect","reason":"server_restart","reconnect":true}`, Events: strs(bye("server_restart", 1))},
				step{Recv: `{"type":"disconnect","reason":"remote"}`, Events: strs(bye("remote", 0))},
				step{Recv: `{"type":"disconnect","reason":"caf\u00e9 \"x\"","reconnect":null}`, Events: strs(bye(`café "x"`, 0))},
				step{Recv: `{"type":"disconnect","reason":null,"reconnect":"yes"}`, Events: strs(bye("", 0))},
				step{Recv: `{"type":"disconnect"}`, Events: strs(bye("", 0))},
			),
		},
		{
			name: "malformed and unrecognised messages",
			join: ticks,
			steps: []step{
				{Open: true},
				{Recv: welcome, Op: ws.OpBinary, Events: strs(rule(RuleBinary))},
				{Recv: `not json`, Events: strs(rule(RuleNotObject))},
				{Recv: `[{"type":"welcome"}]`, Events: strs(rule(RuleNotObject))},
				{Recv: `{"type":"welcome"`, Events: strs(rule(RuleNotObject))},
				{Recv: ``, Events: strs(rule(RuleNotObject))},
				{Recv: `{}`, Events: strs(kind(profile.Unrecognised))},
				{Recv: `{"type":"news"}`, Events: strs(kind(profile.Unrecognised))},
				{Recv: `{"type":7,"x":1}`, Events: strs(kind(profile.Unrecognised))},
				{Recv: `{"message":{"seq":1}}`, Events: strs(kind(profile.Unrecognised))},
				// Any other type with identifier and message: the
				// reference client hands it to the subscription.
				{Recv: `{"type":"news","identifier":"x","message":{"seq":2}}`, Data: strs(`{"seq":2}`)},
				{Recv: welcome, Sent: strs(subscribe), Events: strs(welcomed)},
			},
		},
		{
			name: "resume after reconnect: a fresh join",
			join: ticks,
			steps: append(append(append([]step(nil), joined...),
				step{Recv: broadcast, Data: strs(`{"seq":12}`)}),
				joined...),
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := profiletest.Play(t, newProfile(t, tt.join), template.Vars{Client: 7}, tt.steps)
			if st.Partial != nil || st.Resume != nil {
				t.Errorf("state keeps Partial %q, Resume %q: Action Cable needs neither", st.Partial, st.Resume)
			}
		})
	}
}

func TestNew(t *testing.T) {
	join := []*template.Template{tmpl(t, ticks)}
	const example = `e.g. --join '{"channel":"TicksChannel"}'`
	for _, tt := range []struct {
		name string
		cfg  profile.Config
		want string // error text; "" for none
	}{
		{"join", profile.Config{Join: join}, ""},
		{"join with parameters", profile.Config{Join: []*template.Template{tmpl(t, ` {"channel":"Room","id":{{client}}} `)}}, ""},
		{"no join", profile.Config{}, "--join: actioncable needs the channel identifier to subscribe to, a JSON object, " + example},
		{"two joins", profile.Config{Join: append(join, join[0])}, "--join given 2 times: actioncable subscribes to one channel per connection, " + example},
		{"a channel name alone", profile.Config{Join: []*template.Template{tmpl(t, "TicksChannel")}}, `--join "TicksChannel": actioncable needs the channel identifier as a JSON object, ` + example},
		{"no channel", profile.Config{Join: []*template.Template{tmpl(t, `{"room":1}`)}}, `--join "{\"room\":1}": the channel identifier has no "channel" (the channel's class name), ` + example},
		{"auth", profile.Config{Join: join, Auth: tmpl(t, `{}`)}, "--auth: actioncable has no credentials message: Action Cable authenticates the handshake (its connect method reads cookies, headers or URL parameters); use -H 'Cookie: …' or a URL parameter instead"},
		{"resume", profile.Config{Join: join, Resume: true}, "--resume: actioncable cannot resume a subscription (a reconnecting client subscribes again and misses what was broadcast meanwhile)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.cfg)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Fatalf("New: error %v, want %q", err, tt.want)
			case tt.want == "":
				if p.Name() != "actioncable" || len(p.Subprotocols()) != 2 || p.Subprotocols()[0] != "actioncable-v1-json" || p.Subprotocols()[1] != "actioncable-unsupported" {
					t.Errorf("Name %q, Subprotocols %q", p.Name(), p.Subprotocols())
				}
			}
		})
	}
}
