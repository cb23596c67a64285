// Command holdcheck checks one results folder of scripts/targets/hold: a
// fleet of a framework's clients held against a real server, then a
// restart of that server as a deploy does it (--fault exec:). It reads
// summary.json, timeseries.csv and timeseries_by_key.csv of the folder and
// the server's own count of joined clients read in the middle of the hold
// (the target's stats, {"joined":N,…}), prints one Markdown table row of
// figures and passes (exit 0) when
//
//   - nothing ended a connection before the fault: no disconnect, no close
//     code and no goodbye of the server in the rows before T0;
//   - every client joined once and was ready at T0, and the server counted
//     the whole fleet joined;
//   - the stream arrived as data: messages received before T0, none lost
//     or duplicated (-reorders: as many duplicated as lost, a server that
//     reorders a connection's messages), none unrecognised, no refusal,
//     no protocol error;
//   - the restart command succeeded and every affected client was ready
//     again within the recover timeout, ready-recovery p50 and p99 no
//     sooner than open-recovery's.
//
// Exit 1 when a check fails (each failure is printed on stderr), 2 on bad
// input or a folder it cannot read.
//
//	go run ./scripts/holdcheck -header
//	go run ./scripts/holdcheck -target socketio -clients 2000 -stats stats.json results/…
package main
