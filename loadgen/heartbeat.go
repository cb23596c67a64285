package loadgen

import "strings"

// HeartbeatMode is how the clients keep their connections alive and find
// dead ones (docs/metrics.md, "Detection rule"), written as its name.
type HeartbeatMode string

// Heartbeat modes; what each does is in heartbeatModes.
const (
	// HeartbeatWSPing sends RFC 6455 ping control frames (§5.5.2).
	HeartbeatWSPing HeartbeatMode = "ws-ping"
	// HeartbeatApp sends {"type":"ping","t":…} text frames, as browser code must.
	HeartbeatApp HeartbeatMode = "app"
	// HeartbeatServer is passive: the server pings, the client answers and
	// watches for the server's pings.
	HeartbeatServer HeartbeatMode = "server"
	// HeartbeatNone sends nothing and detects only what the socket reports.
	HeartbeatNone HeartbeatMode = "none"
)

// DefaultHeartbeatMode is the mode of a zero Heartbeat.Mode and of --heartbeat.
const DefaultHeartbeatMode = HeartbeatWSPing

// pinger is who sends a mode's pings.
type pinger uint8

const (
	pingerNobody pinger = iota
	// pingerClient: each client pings every Interval, the first ping
	// U(0, Spread) after it connects; any byte received proves the
	// connection alive.
	pingerClient
	// pingerServer: the server pings every Interval; only its pings prove
	// the connection alive.
	pingerServer
)

// heartbeatSpec is what a heartbeat mode does. Whatever the mode, a
// client answers the server's RFC 6455 pings with pongs (§5.5.2).
type heartbeatSpec struct {
	mode HeartbeatMode
	// pings says who pings; nobody means no deadline either: only the
	// socket reports a dead connection (close frame, FIN, RST, a failed
	// write).
	pings pinger
	// app: the client's pings are application messages (stormbench's
	// {"type":"ping","t":…} or Formats.AppPing) answered by an application
	// pong (Formats.AppPong); otherwise they are RFC 6455 ping frames
	// answered by pongs.
	app bool
}

// heartbeatModes is the table: every mode and what it does.
var heartbeatModes = [...]heartbeatSpec{
	{mode: HeartbeatWSPing, pings: pingerClient},
	{mode: HeartbeatApp, pings: pingerClient, app: true},
	{mode: HeartbeatServer, pings: pingerServer},
	{mode: HeartbeatNone, pings: pingerNobody},
}

// HeartbeatModes returns the modes in the order the docs present them.
func HeartbeatModes() []HeartbeatMode {
	out := make([]HeartbeatMode, len(heartbeatModes))
	for i, s := range heartbeatModes {
		out[i] = s.mode
	}
	return out
}

// spec returns m's row of the table; "" is the default mode. An unknown
// mode (Validate refuses it) reads as none.
func (m HeartbeatMode) spec() heartbeatSpec {
	if m == "" {
		m = DefaultHeartbeatMode
	}
	for _, s := range heartbeatModes {
		if s.mode == m {
			return s
		}
	}
	return heartbeatSpec{mode: m}
}

// known reports whether m is "" or a mode of the table.
func (m HeartbeatMode) known() bool {
	for _, s := range heartbeatModes {
		if s.mode == m {
			return true
		}
	}
	return m == ""
}

// String returns the mode's name.
func (m HeartbeatMode) String() string { return string(m) }

// ClientPings reports whether each client pings (ws-ping, app).
func (m HeartbeatMode) ClientPings() bool { return m.spec().pings == pingerClient }

// ServerPings reports whether the server pings and the clients only
// answer and watch for its pings (server); a server that stormbench starts
// is then told to ping at the heartbeat interval.
func (m HeartbeatMode) ServerPings() bool { return m.spec().pings == pingerServer }

// AppLevel reports whether the pings are application messages (app),
// which the --app-ping and --app-pong formats describe.
func (m HeartbeatMode) AppLevel() bool { return m.spec().app }

// Detects reports whether the mode declares a connection dead after
// Heartbeat.Timeout without a sign of life (all but none), and so whether
// Interval and Timeout mean anything.
func (m HeartbeatMode) Detects() bool { return m.spec().pings != pingerNobody }

// joinHeartbeatModes writes the modes as "a, b, c" for error messages.
func joinHeartbeatModes() string {
	s := make([]string, len(heartbeatModes))
	for i, h := range heartbeatModes {
		s[i] = string(h.mode)
	}
	return strings.Join(s, ", ")
}
