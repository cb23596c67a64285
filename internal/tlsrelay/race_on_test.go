//go:build race

package tlsrelay

// raceEnabled: the race detector allocates on its own.
const raceEnabled = true
