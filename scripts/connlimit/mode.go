package main

import "fmt"

// mode selects the measurements to run.
type mode int

const (
	modeAll mode = iota // tcp, then ws
	modeTCP             // raw TCP connect + accept
	modeWS              // TCP + WebSocket upgrade against stormbench serve
)

var modeNames = map[string]mode{"all": modeAll, "tcp": modeTCP, "ws": modeWS}

// parseMode parses -mode.
func parseMode(s string) (mode, error) {
	m, ok := modeNames[s]
	if !ok {
		return 0, fmt.Errorf("-mode %q: want all, tcp or ws", s)
	}
	return m, nil
}

func (m mode) tcp() bool { return m == modeAll || m == modeTCP }
func (m mode) ws() bool  { return m == modeAll || m == modeWS }
