package signalr

import (
	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
)

// Step values: how far the handshake went.
const (
	stepHandshake uint8 = 1 // handshake request sent
	stepReady     uint8 = 2 // handshake answered with {}
)

// Messages of the client, each ended by the record separator.
const (
	handshakeRequest = `{"protocol":"json","version":1}` + "\x1e"
	pingMessage      = `{"type":6}` + "\x1e"
)

// Open implements profile.Profile: the handshake request, the first
// message of every connection.
func (p *Profile) Open(c profile.Conn, st *profile.State) {
	st.Step, st.Ready, st.Partial = stepHandshake, false, nil
	c.Send(profile.SendControl, ws.OpText, append(c.Buffer(), handshakeRequest...))
}

// Ping implements profile.Profile: the client's keep-alive ping, type 6.
// SignalR does not answer pings, so no Pong follows it.
func (p *Profile) Ping(c profile.Conn, _ *profile.State) bool {
	c.Send(profile.SendPing, ws.OpText, append(c.Buffer(), pingMessage...))
	return true
}
