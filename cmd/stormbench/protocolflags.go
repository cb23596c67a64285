package main

import (
	"strings"

	"github.com/spf13/pflag"
	"github.com/stormbench/stormbench/loadgen"
)

// applyProtocolFlags settles what the clients speak: json when the user
// described a server's own formats without naming a protocol, and a
// framework's reference client's reconnect policy and heartbeat unless
// the user chose a policy, a backoff or a heartbeat (a flag of the
// Policy or Heartbeat settings).
func applyProtocolFlags(fs *pflag.FlagSet, cfg *loadgen.Config, table []runFlag) error {
	if !fs.Changed("protocol") {
		cfg.Protocol = cfg.ImpliedProtocol()
	}
	keepPolicy, keepHeartbeat := false, false
	for _, f := range table {
		if !fs.Changed(f.name) {
			continue
		}
		keepPolicy = keepPolicy || strings.HasPrefix(f.field, "Policy.")
		keepHeartbeat = keepHeartbeat || strings.HasPrefix(f.field, "Heartbeat.")
	}
	*cfg = cfg.WithReference(keepPolicy, keepHeartbeat)
	return nil
}
