// Package loadgen is stormbench's client fleet: thousands to a million
// WebSocket clients on epoll event loops (internal/evloop), each a small
// state machine (state.go) that connects, keeps its connection alive with
// heartbeats, detects when it dies and reconnects with a backoff policy
// (policy.go, policy_presets.go), resuming the server's broadcast stream.
//
// A Fleet is one process's part of the fleet; Run drives a Controller —
// the in-process Fleet, worker processes through the worker protocol
// (remote.go), or several of them (Multi) — through the scenario: ramp,
// hold, storms (faults applied by the clients themselves or through an
// Injector), drain. Measurements go into a Recorder (reporter implements
// it): loadgen knows nothing of files, formats or plots.
//
// wss:// clients are the same clients on the same socket: the loop runs
// crypto/tls's record layer over it once a goroutine of the attempt's own
// did the handshake (tls.go, internal/looptls). A URL whose host is a name
// is resolved again for every attempt, off the loop, as a browser does
// (resolve.go).
//
// Preflight checks that a run fits the machine (file limit, ports per
// source address, memory) before anything starts.
package loadgen
