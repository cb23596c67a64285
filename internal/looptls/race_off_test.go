//go:build !race

package looptls

// raceEnabled: the race detector allocates on its own.
const raceEnabled = false
