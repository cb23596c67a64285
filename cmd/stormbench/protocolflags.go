package main

import (
	"strings"

	"github.com/spf13/pflag"
	"github.com/stormbench/stormbench/loadgen"
)

// applyProtocolFlags settles what the clients speak: json when the user
// described a server's own formats without naming a protocol, and a
// framework's reference client's reconnect policy and heartbeat unless
// the user chose a policy or a backoff (a flag of the Policy settings);
// the --heartbeat flags the user gave change only what they name
// (loadgen.Config.WithReference).
func applyProtocolFlags(fs *pflag.FlagSet, cfg *loadgen.Config, table []runFlag) error {
	if !fs.Changed("protocol") {
		cfg.Protocol = cfg.ImpliedProtocol()
	}
	keepPolicy := false
	var hb loadgen.HeartbeatSet
	for _, f := range table {
		if !fs.Changed(f.name) {
			continue
		}
		keepPolicy = keepPolicy || strings.HasPrefix(f.field, "Policy.")
		switch f.field {
		case "Heartbeat.Mode":
			hb.Mode = true
		case "Heartbeat.Interval":
			hb.Interval = true
		case "Heartbeat.Timeout":
			hb.Timeout = true
		case "Heartbeat.Spread":
			hb.Spread = true
		}
	}
	*cfg = cfg.WithReference(keepPolicy, hb)
	return nil
}
