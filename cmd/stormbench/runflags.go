package main

import (
	"strings"

	"github.com/stormbench/stormbench/experiment"
	"github.com/stormbench/stormbench/loadgen"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// runFlag is one flag of run and everything about it: run's flag set and
// --help (so docs/commands.md's flag reference), the explicit-value rules, the
// names errors use for config fields (config.json's), the flags sweep
// takes as lists and those refused with --url all derive from runFlagTable.
type runFlag struct {
	name  string
	short string // one-letter shorthand, "" for none
	// bind is the variable the flag sets and its default: a named
	// constant of the library whose zero value means the same.
	bind flagVar
	// help is the --help text.
	help string
	// field is the path of the setting the flag gives, in loadgen.Config,
	// sut.Config (as Server.*) or the experiment's plan: errors about that
	// field name the flag. also lists further fields it answers for.
	field string
	also  []string
	// zero says what an explicit 0 does (numeric flags only).
	zero zeroRule
	// sweep > 0: sweep takes comma lists of this flag; the number orders
	// the list in sweep --help.
	sweep int
	// embedded: the flag sets the embedded server, and is refused with --url.
	embedded bool
}

// Explicit zeros (zeroRule): refused, or what they mean.
func refuseZero(allowed string) zeroRule { return zeroRule{refuse: allowed} }
func zeroMeans(what string) zeroRule     { return zeroRule{means: what} }

// zeroSets is a zero whose meaning the library writes as a negative
// value, set by apply; a negative value typed by the user is refused.
func zeroSets(what string, apply func()) zeroRule {
	return zeroRule{means: what, apply: apply, negative: true}
}

// runFlagTable lists run's flags, in --help order, bound to cfg and rf.
func runFlagTable(cfg *loadgen.Config, rf *runFlags) []runFlag {
	s := &rf.server
	return []runFlag{
		{name: "url", bind: bind(&cfg.URL, ""), field: "URL",
			help: "WebSocket URL of the server under test; its path and query may use {{client}}, {{line FILE}}, … (default: start the embedded server)"},
		{name: "clients", bind: bind(&cfg.Clients, loadgen.DefaultClients), field: "Clients", zero: refuseZero("> 0"), sweep: 11,
			help: "number of clients"},
		{name: "ramp-rate", bind: bind(&cfg.RampRate, loadgen.DefaultRampRate), field: "RampRate", zero: refuseZero("> 0 connections per second"), sweep: 12,
			help: "new connections per second during the ramp"},
		{name: "hold", bind: bind(&cfg.Hold, loadgen.DefaultHold), field: "Hold", zero: zeroSets("no hold", func() { cfg.Hold = -1 }),
			help: "steady time before the first fault and between storms (0 = none)"},
		{name: "connect-timeout", bind: bind(&cfg.ConnectTimeout, 0), field: "ConnectTimeout", zero: refuseZero("> 0"),
			help: "timeout of one attempt: dial, TLS, upgrade and a --protocol's join (default: the --policy's or --protocol client's own, else " + loadgen.DefaultConnectTimeout.String() + ")"},
		{name: "out", bind: bind(&rf.out, "results"),
			help: "folder that receives the run's results folder"},
		{name: "name", bind: bind(&rf.name, ""),
			help: "run name, part of the results folder's name (default: <fault>-<jitter>)"},

		{name: "backoff-base", bind: bind(&cfg.Policy.Base, loadgen.DefaultBackoffBase), field: "Policy.Base", zero: refuseZero("> 0"), sweep: 7,
			help: "first backoff delay"},
		{name: "backoff-max", bind: bind(&cfg.Policy.Max, loadgen.DefaultBackoffMax), field: "Policy.Max", zero: refuseZero("> 0"), sweep: 8,
			help: "largest backoff delay"},
		{name: "backoff-multiplier", bind: bind(&cfg.Policy.Multiplier, loadgen.DefaultBackoffMultiplier), field: "Policy.Multiplier", zero: refuseZero("≥ 1"), sweep: 9,
			help: "backoff growth per retry"},
		{name: "jitter", bind: bindName(&cfg.Policy.Jitter, loadgen.DefaultJitter), field: "Policy.Jitter", sweep: 1,
			help: "jitter: none, full, equal or decorrelated"},
		{name: "policy", bind: bindName(&cfg.Policy.Preset, ""), field: "Policy.Preset", sweep: 2,
			help: "reconnect like a client library: " + joinPresets() + " (overrides the backoff flags)"},
		{name: "max-retries", bind: bind(&cfg.Policy.MaxRetries, 0), field: "Policy.MaxRetries", zero: zeroMeans("never give up"), sweep: 10,
			help: "give up after this many consecutive failed retries (0 = never)"},
		{name: "reset-after", bind: bind(&cfg.Policy.ResetAfter, 0), field: "Policy.ResetAfter", zero: zeroMeans("reset on every connect"),
			help: "a connection must stay open this long to reset the retry count (0 = on connect)"},
		{name: "seed", bind: bind(&cfg.Seed, loadgen.DefaultSeed), field: "Seed", zero: refuseZero("≥ 1"),
			help: "seed: every client draws from its own RNG derived from (seed, client ID)"},

		{name: "heartbeat", bind: bindName(&cfg.Heartbeat.Mode, loadgen.DefaultHeartbeatMode), field: "Heartbeat.Mode", sweep: 3,
			help: "heartbeat: ws-ping, app, server or none"},
		{name: "heartbeat-interval", bind: bind(&cfg.Heartbeat.Interval, loadgen.DefaultHeartbeatInterval), field: "Heartbeat.Interval",
			zero: zeroMeans("no pings (only with --heartbeat none)"), sweep: 4,
			help: "time between a client's pings (server mode: the server's ping interval)"},
		{name: "heartbeat-timeout", bind: bind(&cfg.Heartbeat.Timeout, 0), field: "Heartbeat.Timeout", zero: refuseZero("> 0"), sweep: 5,
			help: "dead when nothing was received for this long (server mode: no ping) (default 3 × interval)"},
		{name: "heartbeat-spread", bind: bind(&cfg.Heartbeat.Spread, 0), field: "Heartbeat.Spread",
			zero: zeroSets("no spread", func() { cfg.Heartbeat.Spread = -1 }), sweep: 6,
			help: "delay a client's first ping by U(0, spread) after it connects (default: the interval; 0 = no spread)"},

		{name: "fault", bind: bind(&rf.faultKind, string(loadgen.DefaultFaultKind)), field: "Fault.Kind", also: []string{"Fault.Command"}, sweep: 13,
			help: "fault: close, restart, abort, crash, blackhole, reset, partition, exec:'CMD' (your command at T0: a deploy, a restart), observe (inject nothing, measure every mass disconnect) or none"},
		{name: "fault-at", bind: bind(&cfg.Fault.At, nil), field: "Fault.At",
			help: "apply the fault at these times from the run's start (e.g. 30s,2m), one storm each, instead of hold-then-fault"},
		{name: "storm-threshold", bind: bind(&rf.threshold, loadgen.DefaultStormThreshold), field: "Fault.Threshold", zero: refuseZero("in (0, 1]"),
			help: "observe: a storm opens when at least this share of the open clients is lost within --storm-window, in (0, 1]"},
		{name: "storm-window", bind: bind(&rf.window, loadgen.DefaultStormWindow), field: "Fault.Window", zero: refuseZero("> 0"),
			help: "observe: see --storm-threshold; observe and exec: the quiet time after the last loss before a storm can end"},
		{name: "fault-fraction", bind: bind(&cfg.Fault.Fraction, loadgen.DefaultFaultFraction), field: "Fault.Fraction", zero: refuseZero("in (0, 1]"), sweep: 15,
			help: "share of open connections the fault hits, in (0, 1]"},
		{name: "fault-duration", bind: bind(&cfg.Fault.Duration, loadgen.DefaultFaultDuration), field: "Fault.Duration",
			zero: zeroSets("back at once (restart and crash only)", func() { cfg.Fault.Duration = -1 }), sweep: 14,
			help: "how long restart, crash, blackhole and partition last (restart and crash: 0 = back at once)"},
		{name: "fault-code", bind: bind(&cfg.Fault.Code, 0), field: "Fault.Code", zero: refuseZero("1000–1003, 1007–1014 or 3000–4999 (RFC 6455 §7.4)"),
			help: "close code for close and restart (default: 1001, 1012)"},
		{name: "storms", bind: bind(&cfg.Fault.Storms, loadgen.DefaultStorms), field: "Fault.Storms", zero: refuseZero("≥ 1 (--fault none runs without a storm)"),
			help: "number of storms (fault + recovery)"},
		{name: "recover-timeout", bind: bind(&cfg.Fault.RecoverTimeout, loadgen.DefaultRecoverTimeout), field: "Fault.RecoverTimeout", zero: refuseZero("> 0"),
			help: "a storm ends at T0 + this even if clients are still away"},
		{name: "control", bind: bind(&rf.control, ""), field: "Control",
			help: "control API base URL of a server started with stormbench serve (with --url); https:// trusts what the clients trust (--ca-cert, --insecure)"},
		{name: "control-token", bind: bind(&rf.token, ""),
			help: "control API token (with --control; default: $" + experiment.TokenEnv + ")"},
		{name: "control-token-file", bind: bind(&rf.tokenFile, ""),
			help: "read the control API token from this file (one line), kept off the command line"},

		{name: "resume", bind: bind(&rf.resume, loadgen.DefaultResume), field: "Resume",
			help: "reconnect with ?resume=<last seq> (a framework's --protocol: its own way) so that the server replays what the client missed; off by default with a --protocol that cannot resume (lost and duplicated messages are counted either way)"},

		// What the clients speak after the upgrade (protocolflags.go).
		{name: "protocol", bind: bindName(&cfg.Protocol, loadgen.DefaultProtocol), field: "Protocol", sweep: 16,
			help: "what the clients speak after the upgrade: " + loadgen.JoinProtocols() + "; a framework's protocol also takes its reference client's reconnect policy unless --policy or a backoff flag is given, and its heartbeat, of which a --heartbeat flag changes only what it names (stormbench policies lists them)"},
		{name: "join", bind: bindArray(&cfg.Framework.Join), field: "Framework.Join",
			help: "what a client joins after connecting, repeatable: a Socket.IO namespace, a GraphQL subscription query, an Action Cable channel identifier, a Centrifugo channel, a Phoenix topic, a SignalR method, an MQTT topic, a STOMP destination ({{client}}, … allowed)"},
		{name: "auth", bind: bind(&cfg.Framework.Auth, ""), field: "Framework.Auth",
			help: "credentials inside the framework's protocol: Socket.IO's auth object, graphql-ws's connection_init payload, Centrifugo's token, a Phoenix join payload, MQTT's user name, STOMP's login:passcode ({{env NAME}}, {{line FILE}} allowed)"},
		{name: "client-id", bind: bind(&cfg.Framework.ClientID, ""), field: "Framework.ClientID",
			help: "MQTT client identifier template (default stormbench-{{client}})"},
		{name: "qos", bind: bind(&cfg.Framework.QoS, 0), field: "Framework.QoS", zero: zeroMeans("at most once"),
			help: "MQTT subscription quality of service: 0 or 1"},
		{name: "mqtt-version", bind: bind(&cfg.Framework.MQTTVersion, 0), field: "Framework.MQTTVersion", zero: refuseZero("4 (3.1.1) or 5"),
			help: "MQTT protocol version: 4 (3.1.1) or 5 (default 4)"},
		{name: "persistent", bind: bind(&cfg.Framework.Persistent, false), field: "Framework.Persistent",
			help: "ask for a session that outlives the connection (MQTT: clean session off, QoS 1 messages redelivered after a reconnect)"},

		// A server stormbench did not write: its handshake and formats (serverflags.go).
		{name: "header", short: "H", bind: bindArray(&cfg.Headers), field: "Headers",
			help: "extra upgrade request header 'Name: value', repeatable; the value may use {{client}}, {{shard}}, {{env NAME}}, {{line FILE}} (e.g. 'Authorization: Bearer {{line tokens.txt}}')"},
		{name: "subprotocol", bind: bindList(&cfg.Subprotocols), field: "Subprotocols",
			help: "offer these subprotocols (Sec-WebSocket-Protocol), in order of preference; repeatable or a comma list"},
		{name: "origin", bind: bind(&cfg.Origin, ""), field: "Origin",
			help: "send this Origin header, as a browser does"},
		{name: "app-ping", bind: bind(&cfg.Formats.AppPing, ""), field: "Formats.AppPing",
			help: `--heartbeat app: the ping's payload as a template, e.g. '{"type":"ping","time":{{now_ms}}}' ({{now_ms}}, {{now_ns}}, {{client}}, …) (default: stormbench's {"type":"ping","t":…})`},
		{name: "app-ping-binary", bind: bind(&cfg.Formats.AppPingBinary, false),
			help: "--heartbeat app: send the ping as a binary message instead of text"},
		{name: "app-pong", bind: bind(&rf.formats.appPong, loadgen.DefaultAppPong), field: "Formats.AppPong",
			help: "--heartbeat app: recognise the server's pong by this JSON field match, path or path=value (e.g. data.kind=pong)"},
		{name: "app-pong-time", bind: bind(&rf.formats.appPongTime, ""), field: "Formats.AppPongTime",
			help: "--heartbeat app: the pong's field echoing the ping's {{now_ms}} or {{now_ns}}, for the round trip (default: t with stormbench's ping; else timed from the oldest unanswered ping)"},
		{name: "seq-field", bind: bind(&rf.formats.seqField, loadgen.DefaultSeqField), field: "Formats.SeqField",
			help: "the broadcast's sequence number field (a JSON path such as meta.seq); messages without it count as other, never as lost"},
		{name: "resume-param", bind: bind(&rf.formats.resumeParam, loadgen.DefaultResumeParam), field: "Formats.ResumeParam",
			help: "query parameter that carries the last sequence number on reconnect (with --resume)"},
		{name: "client-param", bind: bind(&rf.formats.clientParam, loadgen.DefaultClientParam), field: "Formats.ClientParam",
			help: "query parameter that carries the client's ID ('' = send none)"},

		{name: "threshold", bind: bindArray(&rf.thresholds),
			help: thresholdHelp()},

		// The clients' own messages (sendflags.go).
		{name: "send-rate", bind: bind(&cfg.Send.Rate, 0), field: "Send.Rate", zero: zeroMeans("the clients send no messages of their own"),
			help: "each client sends the server this many messages per second (0 = none); each carries the client ID, its own number and its enqueue time"},
		{name: "send-pattern", bind: bind(&rf.send.pattern, "poisson"),
			help: "spacing of a client's messages: poisson or fixed"},
		{name: "send-size", bind: bind(&cfg.Send.Size, 0), field: "Send.Size", zero: zeroMeans("no padding"),
			help: "pad each message to this many bytes (0 = no padding)"},
		{name: "send-queue", bind: bind(&cfg.Send.Queue, loadgen.DefaultSendQueue), field: "Send.Queue", zero: refuseZero("≥ 1"),
			help: "messages a client keeps waiting while disconnected (or behind a flush); beyond it they are dropped and counted"},
		{name: "send-queue-policy", bind: bind(&rf.send.policy, "drop-oldest"),
			help: "what a full send queue drops: drop-oldest or drop-newest"},
		{name: "flush-rate", bind: bind(&cfg.Send.FlushRate, 0), field: "Send.FlushRate", zero: zeroMeans("the backlog is sent as fast as the socket takes it"),
			help: "after a reconnect, send the backlog at this many messages per second per client (0 = as fast as the socket takes it)"},
		{name: "redeliver", bind: bind(&cfg.Send.Redeliver, false), field: "Send.Redeliver",
			help: "send again after a reconnect what a dead connection carried unacknowledged (at-least-once; default at-most-once: counted lost)"},
		{name: "ack", bind: bind(&rf.send.ack, "stormbench"), field: "Formats.Ack", also: []string{"Send.NoAck"},
			help: "how the server acknowledges: stormbench ({\"type\":\"ack\",\"id\":N}), none (only send-side figures), or a JSON field match of its own acks (e.g. 'event=delivered')"},
		{name: "ack-id", bind: bind(&rf.send.ackID, loadgen.DefaultAckID), field: "Formats.AckID",
			help: "with --ack MATCH: the ack's field holding the message's id (a JSON path)"},

		{name: "metrics-listen", bind: bind(&rf.metricsListen, ""), field: "MetricsListen",
			help: "serve the run's live figures (fleet, storm, latency histograms; the embedded server's too) as Prometheus metrics on this loopback address, e.g. 127.0.0.1:9100 (GET /metrics)"},
		{name: "respect-retry-after", bind: bind(&cfg.RespectRetryAfter, false),
			help: "after a 429 or 503 with Retry-After, wait at least that long before the next attempt (counted in the summary)"},
		{name: "quiet", bind: bind(&rf.quiet, false),
			help: "no live status line"},
		{name: "workers", bind: bind(&rf.workers, 0), field: "Workers", zero: refuseZero("≥ 1"),
			help: "load-generator worker processes, each a shard of the clients (default: enough to keep each under 18 000 sockets)"},
		{name: "loops", bind: bind(&cfg.Loops, 0), field: "Loops", zero: refuseZero("≥ 1"),
			help: "client event loops per process (default: GOMAXPROCS, 1 with workers)"},
		{name: "source-ips", bind: bind(&rf.sourceIPs, ""), field: "SourceIPs", also: []string{"SourceAddrs"},
			help: "spread connections over these local addresses: a list and/or ranges, e.g. 127.0.0.2-127.0.0.40 (default on loopback: 127.0.0.2, 127.0.0.3, … one per 4096 clients)"},
		{name: "no-preflight", bind: bind(&rf.noPreflight, false),
			help: "skip the check that the run fits this machine (file limit, ports, memory, local addresses)"},
		{name: "shard", bind: bind(&rf.shard, ""), field: "Shard",
			help: "run only shard i/n of the fleet (client IDs ≡ i mod n), for runs spread over machines; with --url"},
		{name: "start-at", bind: bind(&rf.startAt, ""),
			help: "with --shard: start the ramp at this instant (RFC 3339 or Unix seconds); every phase then follows a fixed timetable"},
		{name: "run-id", bind: bind(&rf.runID, ""),
			help: "identifies the run the shards of --shard belong to, so that merge refuses shards of other runs (default: derived from --start-at and n)"},
		{name: "lateness-bound", bind: bind(&cfg.LatenessBound, loadgen.DefaultLatenessBound), field: "LatenessBound", zero: refuseZero("> 0"),
			help: "flag the run saturated when timer lateness p99 exceeds this"},
		{name: "interval", bind: bind(&cfg.Interval, loadgen.DefaultInterval), field: "Interval", zero: refuseZero("≥ 10ms"),
			help: "time-series interval"},
		{name: "max-message-size", bind: bind(&cfg.MaxMessage, loadgen.DefaultMaxMessage), field: "MaxMessage",
			zero: zeroSets("no limit", func() { cfg.MaxMessage = -1 }),
			help: "largest message a client accepts, in bytes; a larger one fails the connection with 1009 (protocol_error message_too_big) (0 = no limit)"},

		// wss:// (tlsflags.go).
		{name: "ca-cert", bind: bind(&rf.tls.caCert, ""), field: "TLS.CACert",
			help: "wss: trust only the CA certificates of this PEM file, instead of the system's roots"},
		{name: "insecure", bind: bind(&rf.tls.insecure, false), field: "TLS.Insecure",
			help: "wss: do not verify the server's certificate (a warning is printed)"},
		{name: "client-cert", bind: bind(&rf.tls.clientCert, ""), field: "TLS.ClientCert",
			help: "wss: present this PEM client certificate when the server asks for one (with --client-key)"},
		{name: "client-key", bind: bind(&rf.tls.clientKey, ""), field: "TLS.ClientKey",
			help: "wss: the PEM private key of --client-cert"},
		{name: "tls-resume", bind: bind(&cfg.TLS.Resume, false), field: "TLS.Resume",
			help: "wss: every client keeps a TLS session cache of its own, as a browser does, and resumes its last session (a TLS 1.3 ticket) when it reconnects; full and resumed handshakes are counted"},
		{name: "tls-curves", bind: bindList(&cfg.TLS.Curves), field: "TLS.Curves",
			help: "wss: the key exchanges offered, a comma list of " + strings.Join(loadgen.CurveNames(), ", ") + " (Go picks among them in its own order; default: Go's, x25519mlkem768 first)"},
		{name: "tls-min-version", bind: bind(&cfg.TLS.MinVersion, ""), field: "TLS.MinVersion",
			help: "wss: the lowest TLS version accepted, 1.2 or 1.3 (default 1.2)"},
		{name: "resolve", bind: bind(&cfg.Pin, ""), field: "Pin",
			help: "connect to these addresses instead of resolving --url's host, as curl's --resolve: host:port:addr[,addr] (default: a host name is resolved again for every attempt, the clients spread over its addresses)"},
		{name: "server-tls", bind: bind(&rf.tls.serverTLS, false), field: "ServerTLS", embedded: true,
			help: "embedded server: serve wss:// with a throwaway self-signed certificate made at start, which the clients trust (saved as server-cert.pem in the results)"},
		{name: "server-tls-new-ticket-key", bind: bind(&rf.tls.newTicketKey, false), field: "ServerTicketKeyPerStart", embedded: true,
			help: "embedded server: a new TLS session ticket key at every start and restart, so that no ticket survives one (default: one key for the run's server processes and their restarts, as terminators that share a ticket key)"},

		// The embedded server (sut.Config).
		{name: "server-accept-rate", bind: bind(&s.AcceptRate, 0), field: "Server.AcceptRate", zero: zeroMeans("no limit"), sweep: 17, embedded: true,
			help: "embedded server: upgrades admitted per second (0 = no limit)"},
		{name: "server-accept-burst", bind: bind(&s.AcceptBurst, 0), field: "Server.AcceptBurst", zero: refuseZero("≥ 1"), sweep: 18, embedded: true,
			help: "embedded server: token bucket size of --server-accept-rate (default: the rate/10, at least 1)"},
		{name: "server-max-conns", bind: bind(&s.MaxConns, 0), field: "Server.MaxConns", zero: zeroMeans("no limit"), sweep: 19, embedded: true,
			help: "embedded server: connections before 503 (0 = no limit)"},
		{name: "server-ping-interval", bind: bind(&s.PingInterval, 0), field: "Server.PingInterval", zero: zeroMeans("the server does not ping"), sweep: 20, embedded: true,
			help: "embedded server: ping every client this often (0 = off; --heartbeat server: the heartbeat interval)"},
		{name: "server-idle-timeout", bind: bind(&s.IdleTimeout, 0), field: "Server.IdleTimeout", zero: zeroMeans("the server never closes idle clients"), sweep: 21, embedded: true,
			help: "embedded server: close clients silent this long (0 = off)"},
		{name: "server-broadcast-interval", bind: bind(&s.BroadcastInterval, sut.DefaultBroadcastInterval), field: "Server.BroadcastInterval",
			zero: zeroMeans("no broadcast"), sweep: 22, embedded: true,
			help: "embedded server: broadcast a numbered message this often (0 = off)"},
		{name: "server-replay", bind: bind(&s.Replay, sut.DefaultReplay), field: "Server.Replay",
			zero: zeroSets("no replay for resuming clients", func() { rf.server.Replay = -1 }), embedded: true,
			help: "embedded server: messages kept for resuming clients (0 = none)"},
		{name: "server-direct-rate", bind: bind(&s.DirectRate, 0), field: "Server.DirectRate", zero: zeroMeans("no direct messages"), embedded: true,
			help: "embedded server: direct messages per second for each client, queued while it is away (0 = off)"},
		{name: "server-offline-queue", bind: bind(&s.OfflineQueue, sut.DefaultOfflineQueue), field: "Server.OfflineQueue", zero: refuseZero("≥ 1"), embedded: true,
			help: "embedded server: direct messages kept per client; beyond it the oldest is dropped"},
		{name: "server-session-ttl", bind: bind(&s.SessionTTL, sut.DefaultSessionTTL), field: "Server.SessionTTL", zero: refuseZero("≥ 10ms"), embedded: true,
			help: "embedded server: how long a client's session (its de-duplication window and offline queue) outlives its last connection"},
		{name: "server-retry-after", bind: bind(&s.RetryAfter, sut.DefaultRetryAfter), field: "Server.RetryAfter", zero: refuseZero("≥ 1s"), embedded: true,
			help: "embedded server: Retry-After sent with a 503 when --server-max-conns is reached (whole seconds; see --respect-retry-after)"},
		{name: "server-loops", bind: bind(&s.Loops, 0), field: "Server.Loops", zero: refuseZero("≥ 1"), embedded: true,
			help: "embedded server: event loops per process (default: GOMAXPROCS, 1 with workers)"},
		{name: "server-workers", bind: bind(&rf.serverWorkers, 0), field: "ServerWorkers", zero: refuseZero("≥ 1"), embedded: true,
			help: "embedded server: worker processes sharing the port (default: enough to keep each under 15 000 clients)"},
	}
}

// defineRunFlags defines run's flags on cmd, bound to cfg and rf.
func defineRunFlags(cmd *command, cfg *loadgen.Config, rf *runFlags) {
	for _, f := range runFlagTable(cfg, rf) {
		f.bind(cmd.fs, f.name, f.short, f.help)
	}
}

// runZeroRules classifies what an explicit zero means for every numeric
// flag of run.
func runZeroRules(cfg *loadgen.Config, rf *runFlags) []zeroRule {
	var out []zeroRule
	for _, f := range runFlagTable(cfg, rf) {
		if f.zero.refuse != "" || f.zero.means != "" {
			r := f.zero
			r.flag = f.name
			out = append(out, r)
		}
	}
	return out
}

// runFlagNames maps the fields of loadgen.Config, sut.Config (as Server.*)
// and the preflight plan to run's flags.
var runFlagNames = func() map[string]string {
	names := map[string]string{}
	for _, f := range runFlagTable(new(loadgen.Config), new(runFlags)) {
		for _, field := range append([]string{f.field}, f.also...) {
			if field != "" {
				names[field] = "--" + f.name
			}
		}
	}
	return names
}()

// sweepable are the run flags a sweep takes as comma lists, in the order
// sweep --help lists them.
var sweepable = func() []string {
	var flags []runFlag
	for _, f := range runFlagTable(new(loadgen.Config), new(runFlags)) {
		if f.sweep > 0 {
			flags = append(flags, f)
		}
	}
	out := make([]string, len(flags))
	for _, f := range flags {
		out[f.sweep-1] = f.name
	}
	return out
}()

// embeddedOnly are the run flags that set the embedded server.
var embeddedOnly = func() []string {
	var out []string
	for _, f := range runFlagTable(new(loadgen.Config), new(runFlags)) {
		if f.embedded {
			out = append(out, f.name)
		}
	}
	return out
}()

func joinPresets() string {
	var names []string
	for _, p := range loadgen.Presets() {
		names = append(names, string(p))
	}
	return strings.Join(names, ", ")
}
