// Command engines compares the event-loop engine of stormbench's load
// generator (internal/evloop) with two libraries, gnet/v2 and nbio, on the
// same work: the same clients (internal/handshake and internal/wsframe
// for the protocol, the same two timers per client, the same ping frame),
// against the same server (`stormbench serve`, one process per client
// process), on the same machine, engine after engine in rotated order over
// several rounds.
//
// Each trial starts the servers, then the client processes (at most
// -per-proc clients each, as stormbench's own workers; one loop per
// process when there are several, GOMAXPROCS otherwise). Client g is due
// to connect at T0 + g/-rate; each open client pings every -interval (the
// first ping U(0, interval) after the end of the ramp) and is dead when
// nothing arrived for 3 × interval; after -settle the -hold window is
// measured. It reports per engine, median over the rounds and range:
//
//   - memory per connection: the client processes' RSS at the end of the
//     hold minus with the engine started and no client yet, and the live
//     heap after a collection;
//   - CPU per heartbeat: the client processes' CPU time in the hold window
//     per ping sent in it (the server's, as a control);
//   - timer lateness: how late the ping and deadline timers ran in the
//     hold window (p50, p99, max), and the ping's round trip;
//   - the ramp: CPU per connection, attempt lateness from the schedule;
//   - connect rate: -burst clients scheduled at -burst-rate, faster than
//     the machine connects them: connections opened per second.
//
// It lives in a module of its own so that stormbench does not depend on
// the libraries it measures. docs/engine.md has the figures and the
// decision they led to. Run it from this directory:
//
//	go run . -rounds 3 -out ../../results/engines.json
package main
