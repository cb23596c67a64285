package mqtt

import (
	"testing"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
)

// The tests against a real broker drive one connection in the test's
// goroutine (profiletest.Wire) and start the broker as a process.

type live = profiletest.Wire

func dial(t *testing.T, url string, p profile.Profile, client uint64) *live {
	return profiletest.DialWire(t, url, p, client)
}

var (
	freePorts    = profiletest.FreePorts
	waitPort     = profiletest.WaitPortOf
	startProcess = profiletest.StartProcess
	writeConfig  = profiletest.WriteConfig
)
