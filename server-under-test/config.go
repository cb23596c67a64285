package sut

import (
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"time"

	"github.com/stormbench/stormbench/internal/fielderr"
)

// Defaults of Config: a zero field means its default (Resolve), and the
// commands' flags (serve, run's --server-*) show and set the same values.
const (
	DefaultListen              = "127.0.0.1:8080"
	DefaultPath                = "/ws"
	DefaultControl             = "127.0.0.1:8081"
	DefaultReplay              = 1000
	DefaultRetryAfter          = time.Second
	DefaultOfflineQueue        = 1000
	DefaultSessionTTL          = 2 * time.Minute
	DefaultSeed         uint64 = 1
	// DefaultBroadcastInterval is the flags' default only: a zero
	// BroadcastInterval means no broadcast.
	DefaultBroadcastInterval = time.Second
)

// Config configures a Server. The zero value is usable: zero means default.
type Config struct {
	// Listen is the WebSocket listen address; empty means 127.0.0.1:8080.
	Listen string `json:"listen"`
	// Path is the URL path that accepts upgrades; empty means "/ws".
	// Other paths get 404.
	Path string `json:"path"`
	// Control is the control API listen address; empty means
	// 127.0.0.1:8081. An address beyond loopback (ControlOnLoopback)
	// needs a ControlToken of at least MinRemoteTokenLen characters.
	Control string `json:"control"`
	// ControlToken guards the control API (Authorization: Bearer T);
	// empty means a random token is generated (on loopback only).
	ControlToken string `json:"-"`
	// ControlTLS serves the control API over HTTPS with the server's own
	// certificate (TLS, which it needs), so that its token does not
	// cross a network in clear.
	ControlTLS bool `json:"control_tls,omitempty"`
	// PingInterval makes the server send an RFC 6455 ping to every client
	// this often; zero means the server does not ping.
	PingInterval time.Duration `json:"ping_interval"`
	// IdleTimeout closes a connection on which nothing arrived for this
	// long (a server-side detection); zero means never.
	IdleTimeout time.Duration `json:"idle_timeout"`
	// BroadcastInterval publishes message N of the stream at
	// Epoch + N×interval to every open client; zero means no broadcast.
	BroadcastInterval time.Duration `json:"broadcast_interval"`
	// Replay is how many of the latest messages a resuming client can be
	// sent again; zero means 1000, negative means none.
	Replay int `json:"replay"`
	// Epoch is the start of the broadcast stream. Worker processes and a
	// restarted server share it so that sequence numbers agree; zero
	// means the server's start time.
	Epoch time.Time `json:"epoch"`
	// SeriesStart aligns the stats series: row n covers the n-th interval
	// after it. Workers of one group share it so that their rows add up;
	// zero means the server's start.
	SeriesStart time.Time `json:"-"`
	// MaxConns refuses upgrades (503) while this many connections are
	// open; zero means no limit.
	MaxConns int `json:"max_conns"`
	// AcceptRate admits at most this many upgrades per second (token
	// bucket); zero means no limit.
	AcceptRate float64 `json:"accept_rate"`
	// AcceptBurst is the token bucket's size; zero means AcceptRate/10,
	// at least 1.
	AcceptBurst int `json:"accept_burst"`
	// RetryAfter is the Retry-After a refused client is told; zero means 1s.
	RetryAfter time.Duration `json:"retry_after"`
	// Loops is the number of event loops; zero means GOMAXPROCS.
	Loops int `json:"loops"`
	// Handshakes bounds upgrades in progress at once; zero means 512.
	Handshakes int `json:"handshakes"`
	// HandshakeTimeout bounds one upgrade; zero means 10s.
	HandshakeTimeout time.Duration `json:"handshake_timeout"`
	// ReusePort sets SO_REUSEPORT on the listener so that several worker
	// processes can share one port.
	ReusePort bool `json:"reuse_port"`
	// Seed seeds the choice of connections a partial fault hits; zero
	// means a fixed default (1).
	Seed uint64 `json:"seed"`
	// DirectRate makes the server produce this many numbered direct
	// messages per second for every session (direct.go); zero means none.
	DirectRate float64 `json:"direct_rate"`
	// OfflineQueue bounds the direct messages a session keeps for its
	// client (undelivered ones while it is away, and the latest delivered
	// ones for a client that resumes with ?direct=); beyond it the oldest
	// is dropped. Zero means 1000.
	OfflineQueue int `json:"offline_queue"`
	// SessionTTL is how long a session outlives its last connection
	// before its memory is freed; zero means 2m.
	SessionTTL time.Duration `json:"session_ttl"`
	// TLS, when set, makes the server serve wss:// (tls.go).
	TLS *TLS `json:"tls,omitempty"`
}

// Resolve returns the config with every default filled in.
func (c Config) Resolve() Config {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.Path == "" {
		c.Path = DefaultPath
	}
	if c.Control == "" {
		c.Control = DefaultControl
	}
	if c.Replay == 0 {
		c.Replay = DefaultReplay
	} else if c.Replay < 0 {
		c.Replay = 0
	}
	if c.AcceptRate > 0 && c.AcceptBurst == 0 {
		c.AcceptBurst = max(1, int(c.AcceptRate/10))
	}
	if c.RetryAfter == 0 {
		c.RetryAfter = DefaultRetryAfter
	}
	if c.Handshakes == 0 {
		c.Handshakes = 512
	}
	if c.HandshakeTimeout == 0 {
		c.HandshakeTimeout = 10 * time.Second
	}
	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	if c.OfflineQueue == 0 {
		c.OfflineQueue = DefaultOfflineQueue
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = DefaultSessionTTL
	}
	return c
}

// MinRemoteTokenLen is the shortest control token accepted for a control
// API that listens beyond loopback. Even 16 hex digits (64 bits) would
// take a guesser far longer than any run at the pace the control API lets
// one address try wrong tokens (ControlLimits); a generated token has 32.
const MinRemoteTokenLen = 16

// ControlOnLoopback reports whether a control listen address (host:port,
// or "" for the default) stays on this machine: an IP of 127.0.0.0/8 or
// ::1, or the name localhost. Any other host — another IP, a name, or an
// empty host, which is every interface — listens beyond loopback.
func ControlOnLoopback(addr string) bool {
	if addr == "" {
		return true
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// FieldError is a setting out of range, keyed by the path of its field
// in Config: commands map it to their own flag names.
type FieldError = fielderr.Error

// Validate reports every setting that is out of range as *FieldError
// values joined together. Zero values are defaults and always valid.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, a ...any) { errs = append(errs, fielderr.New(field, format, a...)) }
	if _, _, err := net.SplitHostPort(c.Listen); c.Listen != "" && err != nil {
		bad("Listen", "must be host:port (got %q)", c.Listen)
	}
	if c.Control != "" {
		if _, _, err := net.SplitHostPort(c.Control); err != nil {
			bad("Control", "must be host:port, e.g. 127.0.0.1:8081 or 198.18.0.1:8081 (got %q)", c.Control)
		} else if !ControlOnLoopback(c.Control) && len(c.ControlToken) < MinRemoteTokenLen {
			bad("ControlToken", "must be at least %d characters when {Control} listens beyond loopback (%s), e.g. openssl rand -hex 16 (got %d)",
				MinRemoteTokenLen, c.Control, len(c.ControlToken))
		}
	}
	if c.ControlTLS && c.TLS == nil {
		bad("ControlTLS", "serves the control API with the server's certificate: it needs {TLS.CertFile} and {TLS.KeyFile}")
	}
	if c.Path != "" && !strings.HasPrefix(c.Path, "/") {
		bad("Path", "must start with / (got %q)", c.Path)
	}
	checks := []struct {
		bad   bool
		field string
		want  string
		got   any
	}{
		{c.PingInterval < 0, "PingInterval", "≥ 0 (0 = off)", c.PingInterval},
		{c.PingInterval > 0 && c.PingInterval < 10*time.Millisecond, "PingInterval", "0 or ≥ 10ms", c.PingInterval},
		{c.IdleTimeout < 0, "IdleTimeout", "≥ 0 (0 = off)", c.IdleTimeout},
		{c.BroadcastInterval < 0, "BroadcastInterval", "≥ 0 (0 = off)", c.BroadcastInterval},
		{c.BroadcastInterval > 0 && c.BroadcastInterval < time.Millisecond, "BroadcastInterval", "0 or ≥ 1ms", c.BroadcastInterval},
		{c.MaxConns < 0, "MaxConns", "≥ 0 (0 = no limit)", c.MaxConns},
		{c.AcceptRate < 0 || math.IsNaN(c.AcceptRate) || math.IsInf(c.AcceptRate, 0), "AcceptRate", "≥ 0 (0 = no limit)", c.AcceptRate},
		{c.AcceptBurst < 0, "AcceptBurst", "≥ 1", c.AcceptBurst},
		{c.RetryAfter < 0, "RetryAfter", "≥ 1s", c.RetryAfter},
		{c.RetryAfter > 0 && c.RetryAfter < time.Second, "RetryAfter", "≥ 1s (Retry-After is in whole seconds)", c.RetryAfter},
		{c.Loops < 0, "Loops", "≥ 1", c.Loops},
		{c.Handshakes < 0, "Handshakes", "≥ 1", c.Handshakes},
		{c.HandshakeTimeout < 0, "HandshakeTimeout", "> 0", c.HandshakeTimeout},
		{c.DirectRate < 0 || math.IsNaN(c.DirectRate) || math.IsInf(c.DirectRate, 0), "DirectRate", "≥ 0 (0 = off)", c.DirectRate},
		{c.DirectRate > maxDirectRate, "DirectRate", fmt.Sprintf("≤ %d per second per session", maxDirectRate), c.DirectRate},
		{c.OfflineQueue < 0, "OfflineQueue", "≥ 1", c.OfflineQueue},
		{c.OfflineQueue > maxOfflineQueue, "OfflineQueue", fmt.Sprintf("≤ %d", maxOfflineQueue), c.OfflineQueue},
		{c.SessionTTL < 0, "SessionTTL", "> 0", c.SessionTTL},
		{c.SessionTTL > 0 && c.SessionTTL < 10*time.Millisecond, "SessionTTL", "≥ 10ms", c.SessionTTL},
	}
	for _, ch := range checks {
		if ch.bad {
			bad(ch.field, "must be %s (got %v)", ch.want, ch.got)
		}
	}
	errs = append(errs, c.TLS.validate()...)
	return errors.Join(errs...)
}
