package graphqlws

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/jsonstr"
	"github.com/stormbench/stormbench/internal/template"
)

// Name is the profile's name in --protocol and in results files.
const Name = "graphql-ws"

// Subprotocol is the Sec-WebSocket-Protocol the client offers: the
// GraphQL over WebSocket protocol of the graphql-ws library. (The name
// graphql-ws itself belongs to the older subscriptions-transport-ws
// protocol, which graphql-ws servers refuse with 4406.)
const Subprotocol = "graphql-transport-ws"

// ExampleJoin is the --join example the errors give.
const ExampleJoin = `--join 'subscription { ticks { seq } }'`

// Steps of a connection (profile.State.Step).
const (
	// stepInit: connection_init sent, connection_ack awaited.
	stepInit uint8 = iota
	// stepSubscribed: acknowledged, subscribe sent: ready.
	stepSubscribed
	// stepDone: the server ended the subscription (error or complete).
	stepDone
)

// gqlws is the profile: the subscription query and the connection_init
// payload, both per-client templates.
type gqlws struct {
	query *template.Template
	auth  *template.Template
}

// New returns the graphql-ws profile for cfg. It needs one --join, the
// GraphQL document the client subscribes to; --auth, when set, must
// render to a JSON object (the connection_init payload). It refuses the
// settings graphql-ws has no use for (--resume: the protocol cannot
// resume a subscription).
func New(cfg profile.Config) (profile.Profile, error) {
	switch {
	case len(cfg.Join) == 0 || cfg.Join[0] == nil:
		return nil, fmt.Errorf("--join: graphql-ws needs the GraphQL subscription to start, e.g. %s", ExampleJoin)
	case len(cfg.Join) > 1:
		return nil, fmt.Errorf("--join given %d times: graphql-ws starts one subscription per connection, e.g. %s", len(cfg.Join), ExampleJoin)
	case cfg.Resume:
		return nil, errors.New("--resume: graphql-ws cannot resume a subscription (a reconnecting client subscribes again and misses what was sent meanwhile)")
	}
	if q := cfg.Join[0].Append(nil, template.Vars{}); len(bytes.TrimSpace(q)) == 0 {
		return nil, fmt.Errorf("--join %q: empty; graphql-ws needs the GraphQL subscription to start, e.g. %s", cfg.Join[0].String(), ExampleJoin)
	}
	if cfg.Auth != nil {
		a := bytes.TrimSpace(cfg.Auth.Append(nil, template.Vars{}))
		if len(a) == 0 || a[0] != '{' || !json.Valid(a) {
			return nil, fmt.Errorf(`--auth %q: graphql-ws sends it as the connection_init payload, which must be a JSON object, e.g. --auth '{"token":"{{line tokens.txt}}"}'`, cfg.Auth.String())
		}
	}
	return &gqlws{query: cfg.Join[0], auth: cfg.Auth}, nil
}

// Name implements profile.Profile.
func (*gqlws) Name() string { return Name }

// Target implements profile.Profile: the URL is used as given (the
// reference client adds nothing; servers conventionally listen on
// /graphql).
func (*gqlws) Target(*url.URL) {}

var subprotocols = []string{Subprotocol}

// Subprotocols implements profile.Profile.
func (*gqlws) Subprotocols() []string { return subprotocols }

// Open implements profile.Profile: a new connection starts with
// connection_init, its payload the rendered --auth (no payload key at all
// without one, as the reference client sends it).
func (p *gqlws) Open(c profile.Conn, st *profile.State) {
	*st = profile.State{}
	b := append(c.Buffer(), `{"type":"connection_init"`...)
	if p.auth != nil {
		b = append(b, `,"payload":`...)
		b = p.auth.Append(b, c.Vars())
	}
	b = append(b, '}')
	c.Send(profile.SendControl, ws.OpText, b)
}

// Ping implements profile.Profile: the protocol's own ping, which the
// server answers with a pong. st.Ref counts the pings not yet answered, so
// that only a pong answering one ends a round trip.
func (*gqlws) Ping(c profile.Conn, st *profile.State) bool {
	c.Send(profile.SendPing, ws.OpText, append(c.Buffer(), msgPing...))
	st.Ref++
	return true
}

const (
	msgPing = `{"type":"ping"}`
	msgPong = `{"type":"pong"}`
)

// subscribe writes the subscribe message: the client's subscription id
// and the rendered query, escaped as a JSON string.
func (p *gqlws) subscribe(c profile.Conn) {
	var id [idLen]byte
	v := c.Vars()
	b := append(c.Buffer(), `{"id":"`...)
	b = append(b, subscriptionID(&id, v)...)
	b = append(b, `","type":"subscribe","payload":{"query":"`...)
	start := len(b)
	b = p.query.Append(b, v)
	b = jsonstr.EscapeTail(b, start)
	b = append(b, `"}}`...)
	c.Send(profile.SendControl, ws.OpText, b)
}

// idLen is the length of a subscription id: a UUID's text.
const idLen = 36

// subscriptionID writes the client's subscription id into id: shaped like
// the reference client's random UUID v4 (version 4, variant 8), but made
// of the shard (first group) and the client ID (second and last groups),
// so that it is the same on every reconnect of the client, as the
// reference client reuses its id when it subscribes again.
func subscriptionID(id *[idLen]byte, v template.Vars) []byte {
	const hex = "0123456789abcdef"
	put := func(at, n int, x uint64) {
		for i := at + n - 1; i >= at; i-- {
			id[i] = hex[x&0xf]
			x >>= 4
		}
	}
	put(0, 8, uint64(uint32(v.Shard)))
	id[8] = '-'
	put(9, 4, v.Client>>48)
	copy(id[13:24], "-4000-8000-")
	put(24, 12, v.Client&(1<<48-1))
	return id[:]
}
