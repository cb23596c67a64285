package loadgen

import (
	"errors"
	"math"
	"net/netip"
	"net/url"
	"runtime"
	"time"

	"github.com/stormbench/stormbench/internal/fault"
	"github.com/stormbench/stormbench/internal/fielderr"
	"github.com/stormbench/stormbench/internal/wsframe"
)

// FaultKind is a fault kind (docs/faults.md), written as its name. It and
// the constants below re-export package internal/fault for users of this
// package; what each kind does is one table there (FaultKind.Behaviour).
type FaultKind = fault.Kind

// Fault kinds.
const (
	FaultClose     = fault.Close
	FaultRestart   = fault.Restart
	FaultAbort     = fault.Abort
	FaultCrash     = fault.Crash
	FaultBlackhole = fault.Blackhole
	FaultReset     = fault.Reset
	FaultPartition = fault.Partition
	// FaultExec runs the user's command (a deploy, a restart) at T0; the
	// storm is whatever it causes.
	FaultExec = fault.Exec
	// FaultObserve injects nothing: the run watches for mass disconnects
	// caused from outside and measures each as a storm.
	FaultObserve = fault.Observe
	FaultNone    = fault.None
)

// Defaults of Config: a zero field means its default (Resolve), and the
// command's flags show and set the same values.
const (
	DefaultClients                   = 10000
	DefaultRampRate          float64 = 2000
	DefaultHold                      = 5 * time.Second
	DefaultConnectTimeout            = 10 * time.Second
	DefaultHeartbeatInterval         = 5 * time.Second
	DefaultFaultKind                 = fault.Abort
	DefaultFaultFraction     float64 = 1
	DefaultFaultDuration             = 5 * time.Second
	DefaultStorms                    = 1
	DefaultRecoverTimeout            = 60 * time.Second
	DefaultStormThreshold    float64 = 0.1
	DefaultStormWindow               = time.Second
	DefaultSeed              uint64  = 1
	DefaultLatenessBound             = 5 * time.Millisecond
	DefaultInterval                  = 100 * time.Millisecond
	DefaultMaxMessage                = wsframe.DefaultMaxMessage
	DefaultResume                    = true
)

// Heartbeat configures the clients' keepalive. Zero means default.
type Heartbeat struct {
	// Mode is ws-ping, app, server or none; "" means ws-ping.
	Mode HeartbeatMode `json:"mode"`
	// Interval between a client's pings; zero means 5s. In server mode it
	// is the server's ping interval the client expects.
	Interval time.Duration `json:"interval"`
	// Timeout: a connection on which nothing was received for this long is
	// dead (server mode: no ping from the server for this long); zero
	// means 3 × Interval.
	Timeout time.Duration `json:"timeout"`
	// Spread delays a client's first ping after it connects by U(0,
	// Spread), so that a fleet that reconnected together does not ping
	// together; zero means Interval, negative means no spread.
	Spread time.Duration `json:"spread"`
	// FollowServer makes the detection rule follow what a framework's
	// server announces (Socket.IO's pingInterval + pingTimeout, STOMP's
	// negotiated heart-beat), as its reference client does; Timeout
	// holds until a server said.
	FollowServer bool `json:"follow_server,omitempty"`
}

// Fault configures the storms. Zero means default.
type Fault struct {
	// Kind is one of fault.Kinds(); "" means abort.
	Kind FaultKind `json:"kind"`
	// Fraction of the open connections the fault hits, in (0, 1]; zero means 1.
	Fraction float64 `json:"fraction"`
	// Duration of restart, crash, blackhole and partition; zero means 5s.
	// Negative means none, for restart and crash only: the server comes
	// back at once.
	Duration time.Duration `json:"duration"`
	// Code is the close code of close and restart; zero means the
	// server's default (1001, 1012).
	Code int `json:"code,omitempty"`
	// Storms is how many times fault + recovery repeat; zero means 1.
	Storms int `json:"storms"`
	// RecoverTimeout ends a storm whose affected clients are not all back
	// by T0 + RecoverTimeout; zero means 60s.
	RecoverTimeout time.Duration `json:"recover_timeout"`
	// Command is the shell command of an exec fault, run with sh -c at T0.
	Command string `json:"command,omitempty"`
	// At schedules the faults at these offsets from the run's start
	// instead of hold-then-fault; one storm per offset, increasing.
	At []time.Duration `json:"at,omitempty"`
	// Threshold (observe): a storm opens when at least this share of the
	// open clients is lost within Window; in (0, 1], zero means 0.1.
	Threshold float64 `json:"threshold,omitempty"`
	// Window (observe): see Threshold; zero means 1s. It is also the quiet
	// time after the last loss before an observed or exec storm can end.
	Window time.Duration `json:"window,omitempty"`
}

// Config configures a fleet run. The zero value is usable: zero means
// default. It is JSON-serialisable; config.json records the resolved one.
type Config struct {
	// URL is the WebSocket endpoint (ws://host:port/path). Its path and
	// query may hold templates ({{client}}, {{line FILE}}, …; see package
	// internal/template), rendered per client.
	URL string `json:"url"`
	// Headers are extra upgrade request headers, "Name: value"; values
	// may be templates (Authorization: Bearer {{line tokens.txt}}).
	Headers []string `json:"headers,omitempty"`
	// Subprotocols are offered in Sec-WebSocket-Protocol (RFC 6455 §4.1),
	// in order of preference.
	Subprotocols []string `json:"subprotocols,omitempty"`
	// Origin, when set, is sent as the Origin header (RFC 6455 §10.2).
	Origin string `json:"origin,omitempty"`
	// Protocol is what the clients speak after the upgrade; "" means
	// stormbench's own messages (or, when Formats describe a server's
	// own, json).
	Protocol Protocol `json:"protocol,omitempty"`
	// Framework is what a framework's protocol joins and how; only with
	// such a Protocol.
	Framework Framework `json:"framework,omitzero"`
	// Formats describe a server's own heartbeat and message formats; the
	// zero value is stormbench's protocol.
	Formats Formats `json:"formats"`
	// Send is the messages the clients send the server; the zero value
	// sends none.
	Send Send `json:"send"`
	// Clients is the fleet size; zero means 10000.
	Clients int `json:"clients"`
	// RampRate is new connections per second during the ramp; zero means 2000.
	RampRate float64 `json:"ramp_rate"`
	// Hold is the steady time before the first fault (and between storms);
	// zero means 5s, negative means none.
	Hold time.Duration `json:"hold"`
	// ConnectTimeout bounds dial + handshake of one attempt; zero means
	// the policy preset's own timeout, else 10s.
	ConnectTimeout time.Duration `json:"connect_timeout"`
	// JoinTimeout bounds an attempt up to ready with a framework's
	// protocol: a connection still not joined JoinTimeout after the
	// attempt's start ends with cause join_timeout, as the framework's
	// clients give up on it. Zero means ConnectTimeout; negative means no
	// bound (the reference clients of graphql-ws, STOMP and Action Cable
	// wait for the join as long as it takes: WithReference).
	JoinTimeout time.Duration `json:"join_timeout"`
	// Policy is the reconnect policy.
	Policy Policy `json:"policy"`
	// Heartbeat is the keepalive configuration.
	Heartbeat Heartbeat `json:"heartbeat"`
	// Fault is the storm configuration.
	Fault Fault `json:"fault"`
	// Resume makes clients reconnect with ?resume=<last seq> (a
	// framework's protocol: resume as the framework does) and count
	// messages lost and duplicated; nil means true, except for a
	// framework whose protocol cannot resume (Protocol.defaultResume).
	Resume *bool `json:"resume"`
	// RespectRetryAfter makes a client refused with 429 or 503 and a
	// Retry-After wait at least that long before its next attempt, where
	// its policy would retry sooner (counted).
	RespectRetryAfter bool `json:"respect_retry_after"`
	// Seed makes a run reproducible: every client draws from its own RNG
	// derived from (Seed, client ID); zero means 1.
	Seed uint64 `json:"seed"`
	// Loops is the number of event loops; zero means GOMAXPROCS.
	Loops int `json:"loops"`
	// SourceIPs spreads connections over these local addresses; empty
	// means the kernel's choice.
	SourceIPs []netip.Addr `json:"source_ips,omitempty"`
	// LatenessBound flags the run saturated when the timer lateness p99
	// exceeds it; zero means 5ms.
	LatenessBound time.Duration `json:"lateness_bound"`
	// Interval is the time-series resolution; zero means 100ms.
	Interval time.Duration `json:"interval"`
	// MaxMessage is the largest message a client accepts; a larger one
	// fails the connection with 1009 (RFC 6455 §7.4.1). Messages are
	// streamed, not buffered, so this bounds nothing but patience; zero
	// means 1 MiB, negative means no limit.
	MaxMessage int64 `json:"max_message"`
	// Live keeps cumulative figures readable while the run goes on
	// (LiveReader), for a live view such as Prometheus.
	Live bool `json:"live,omitempty"`
	// Shard selects this process's part of the fleet: client IDs g with
	// g mod Shard.Count == Shard.Index. Zero means the whole fleet.
	Shard Shard `json:"shard"`
	// TLS configures wss:// clients (tls.go).
	TLS TLS `json:"tls"`
	// Pin pins the URL's host and port to these addresses instead of
	// looking the host up: host:port:addr[,addr…], as curl's --resolve
	// (ParseResolve). Empty: a host name is resolved per attempt.
	Pin string `json:"resolve,omitempty"`
	// Resolver looks the URL's host up per attempt; nil means Go's own
	// DNS client. Tests give their own.
	Resolver Resolver `json:"-"`
}

// Shard is one part of a fleet split over processes or machines.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// Resolve returns cfg with every default filled in.
func (c Config) Resolve() Config {
	if c.Clients == 0 {
		c.Clients = DefaultClients
	}
	if c.RampRate == 0 {
		c.RampRate = DefaultRampRate
	}
	if c.Hold == 0 {
		c.Hold = DefaultHold
	} else if c.Hold < 0 {
		c.Hold = 0
	}
	if c.RunDrawUnset() {
		c.Policy.RunDraw = runDraw(c.Seed)
	}
	c.Policy = c.Policy.Resolve()
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = c.Policy.ConnectTimeout()
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.JoinTimeout == 0 {
		c.JoinTimeout = c.ConnectTimeout
	}
	h := &c.Heartbeat
	if h.Mode == "" {
		h.Mode = DefaultHeartbeatMode
	}
	if h.Interval == 0 {
		h.Interval = DefaultHeartbeatInterval
	}
	if h.Timeout == 0 {
		h.Timeout = 3 * h.Interval
	}
	if h.Spread == 0 {
		h.Spread = h.Interval
	} else if h.Spread < 0 {
		h.Spread = 0
	}
	f := &c.Fault
	if f.Kind == "" {
		f.Kind = DefaultFaultKind
	}
	if f.Fraction == 0 {
		f.Fraction = DefaultFaultFraction
	}
	if f.Duration == 0 {
		f.Duration = DefaultFaultDuration
	} else if f.Duration < 0 {
		f.Duration = 0
	}
	if f.Storms == 0 {
		f.Storms = DefaultStorms
	}
	if f.RecoverTimeout == 0 {
		f.RecoverTimeout = DefaultRecoverTimeout
	}
	if len(f.At) > 0 {
		f.Storms = len(f.At)
	}
	if f.Kind == fault.Observe && f.Threshold == 0 {
		f.Threshold = DefaultStormThreshold
	}
	if f.Kind.Unattributed() && f.Window == 0 {
		f.Window = DefaultStormWindow
	}
	if c.Resume == nil {
		t := c.Protocol.defaultResume()
		c.Resume = &t
	}
	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	if c.Loops == 0 {
		c.Loops = runtime.GOMAXPROCS(0)
	}
	if c.LatenessBound == 0 {
		c.LatenessBound = DefaultLatenessBound
	}
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.MaxMessage == 0 {
		c.MaxMessage = DefaultMaxMessage
	}
	if c.Shard.Count == 0 {
		c.Shard = Shard{Index: 0, Count: 1}
	}
	return c
}

// RunDrawUnset reports whether the policy needs its once-per-run draw
// (reconnecting-websocket) and has none yet.
func (c Config) RunDrawUnset() bool {
	s := c.Policy.Preset.spec()
	return s != nil && s.drawsOnce && c.Policy.RunDraw == 0
}

// runDraw derives the once-per-run draw in [0,1) from the seed.
func runDraw(seed uint64) float64 {
	if seed == 0 {
		seed = 1
	}
	return float64(splitmix(seed^0x5eed)>>11) / (1 << 53)
}

// FieldError is a setting out of range, keyed by the path of its field
// in Config ("Heartbeat.Interval"): commands map it to their flag names.
type FieldError = fielderr.Error

// Validate reports every setting that is out of range as *FieldError
// values joined together. Zero values are defaults (see Resolve) and
// always valid.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, a ...any) { errs = append(errs, fielderr.New(field, format, a...)) }
	scheme := ""
	if c.URL != "" {
		u, err := url.Parse(c.URL)
		switch {
		case err != nil:
			bad("URL", "must be a ws:// or wss:// URL (got %q: %v)", c.URL, err)
		case u.Scheme != "ws" && u.Scheme != "wss":
			bad("URL", "must start with ws:// or wss:// (got %q)", c.URL)
		case u.Host == "":
			bad("URL", "must name a host, e.g. ws://127.0.0.1:8080/ws (got %q)", c.URL)
		default:
			scheme = u.Scheme
		}
	}
	errs = append(errs, c.TLS.validate(scheme)...)
	if c.Pin != "" {
		var u *url.URL
		if scheme != "" {
			u, _ = url.Parse(c.URL)
		}
		if err := validateResolve(c.Pin, u); err != nil {
			bad("Pin", "%v", err)
		}
	}
	if c.Clients < 0 {
		bad("Clients", "must be > 0 (got %d)", c.Clients)
	}
	if c.Clients >= 0 && len(errs) == 0 {
		// Templates read their files and variables here, so that a file
		// with fewer lines than clients is refused before anything starts.
		r := c.Resolve()
		_, err := r.compile()
		errs = append(errs, err)
	}
	if c.RampRate < 0 || math.IsNaN(c.RampRate) || math.IsInf(c.RampRate, 0) {
		bad("RampRate", "must be > 0 connections per second (got %v)", c.RampRate)
	}
	if c.ConnectTimeout < 0 {
		bad("ConnectTimeout", "must be > 0 (got %v)", c.ConnectTimeout)
	}
	errs = append(errs, fielderr.Prefix(c.Policy.Validate(), "Policy"))
	h := c.Heartbeat
	if !h.Mode.known() {
		bad("Heartbeat.Mode", "must be one of %s (got %q)", joinHeartbeatModes(), h.Mode)
	}
	if h.Interval < 0 || (h.Interval > 0 && h.Interval < 10*time.Millisecond) {
		bad("Heartbeat.Interval", "must be ≥ 10ms (got %v)", h.Interval)
	}
	if h.Timeout < 0 {
		bad("Heartbeat.Timeout", "must be > 0 (got %v)", h.Timeout)
	}
	if h.Timeout > 0 && h.Interval > 0 && h.Timeout <= h.Interval && h.Mode.Detects() {
		bad("Heartbeat.Timeout", "must be longer than {Heartbeat.Interval} (got %v ≤ %v); 2–3× the interval is usual", h.Timeout, h.Interval)
	}
	if h.Timeout > 0 && h.Interval == 0 && h.Timeout <= DefaultHeartbeatInterval && h.Mode.Detects() {
		bad("Heartbeat.Timeout", "must be longer than {Heartbeat.Interval} (got %v ≤ the default interval %v)", h.Timeout, DefaultHeartbeatInterval)
	}
	f := c.Fault
	if f.Kind != "" && !f.Kind.Known() {
		bad("Fault.Kind", "must be one of %s (got %q)", fault.Join(fault.Kinds()), f.Kind)
	}
	if f.Fraction < 0 || f.Fraction > 1 || math.IsNaN(f.Fraction) {
		bad("Fault.Fraction", "must be in (0, 1] (got %v)", f.Fraction)
	}
	if f.Kind.TakesServerDown() && f.Fraction != 0 && f.Fraction != 1 {
		bad("Fault.Fraction", "must be 1 for {Fault.Kind} %s: a restart or crash hits every connection (got %v)", f.Kind, f.Fraction)
	}
	if f.Duration < 0 && !f.Kind.TakesServerDown() {
		bad("Fault.Duration", "must be > 0 for {Fault.Kind} %s (got %v); only restart and crash may come back at once", f.orDefault(), f.Duration)
	}
	if f.Code != 0 && !fault.ValidCloseCode(f.Code) {
		bad("Fault.Code", "must be 1000–1003, 1007–1014 or 3000–4999 (RFC 6455 §7.4) (got %d)", f.Code)
	}
	if f.Storms < 0 {
		bad("Fault.Storms", "must be ≥ 1 (got %d)", f.Storms)
	}
	if len(f.At) > 0 && f.Storms > 0 && f.Storms != len(f.At) {
		bad("Fault.Storms", "must not be given with {Fault.At}: one storm per scheduled time (got %d storms, %d times)", f.Storms, len(f.At))
	}
	if f.RecoverTimeout < 0 {
		bad("Fault.RecoverTimeout", "must be > 0 (got %v)", f.RecoverTimeout)
	}
	errs = append(errs, f.validateOwn()...)
	errs = append(errs, c.Send.validate()...)
	if c.Loops < 0 {
		bad("Loops", "must be ≥ 1 (got %d)", c.Loops)
	}
	if c.LatenessBound < 0 {
		bad("LatenessBound", "must be > 0 (got %v)", c.LatenessBound)
	}
	if c.Interval < 0 || (c.Interval > 0 && c.Interval < 10*time.Millisecond) {
		bad("Interval", "must be ≥ 10ms (got %v)", c.Interval)
	}
	if c.MaxMessage > 0 && c.MaxMessage < 125 {
		bad("MaxMessage", "must be at least 125 bytes, the largest control frame (got %d)", c.MaxMessage)
	}
	if c.Shard.Count < 0 || (c.Shard.Count > 0 && (c.Shard.Index < 0 || c.Shard.Index >= c.Shard.Count)) {
		bad("Shard", "must be i/n with 0 ≤ i < n (got %d/%d)", c.Shard.Index, c.Shard.Count)
	}
	for _, ip := range c.SourceIPs {
		if !ip.Is4() && !ip.Is6() {
			bad("SourceIPs", "must hold IP addresses (got %v)", ip)
		}
	}
	return errors.Join(errs...)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// orDefault returns the fault's kind, the default's for "".
func (f Fault) orDefault() FaultKind {
	if f.Kind == "" {
		return DefaultFaultKind
	}
	return f.Kind
}
