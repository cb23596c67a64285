// Package experiment carries out stormbench runs: it derives a run's
// settings from what the user gave (worker counts, loops, source
// addresses, the preflight check), starts and supervises the processes a
// run needs — the embedded server-under-test, load-generator workers —
// injects faults, and collects what every process measured into one
// results folder. The "run" and "sweep" commands share it; cmd/stormbench
// only parses flags and maps errors to exit codes.
//
// Supervision is continuous: a child that exits without being asked to
// ends the run within a second, with an event that names the process, its
// exit status and the phase, and the results are written and marked
// partial. A closed stdout or stderr never costs the results.
package experiment
