package main

import (
	"github.com/spf13/pflag"
	"github.com/stormbench/stormbench/loadgen"
)

// sendFlags are run's flags for the clients' own messages that do not map
// one to one onto loadgen.Send.
type sendFlags struct {
	pattern, policy, ack, ackID string
}

// applySendFlags checks the values given as typed.
func applySendFlags(fs *pflag.FlagSet, cfg *loadgen.Config, sf *sendFlags) error {
	s := &cfg.Send
	switch sf.pattern {
	case "poisson":
	case "fixed":
		s.Fixed = true
	default:
		return usagef("--send-pattern must be poisson or fixed (got %q)", sf.pattern)
	}
	switch sf.policy {
	case "drop-oldest":
	case "drop-newest":
		s.DropNewest = true
	default:
		return usagef("--send-queue-policy must be drop-oldest or drop-newest (got %q)", sf.policy)
	}
	switch sf.ack {
	case "stormbench":
	case "none":
		s.NoAck = true
	case "":
		return usagef("--ack '': must be stormbench, none or a field match such as type=ack")
	default:
		cfg.Formats.Ack = sf.ack
	}
	if fs.Changed("ack-id") {
		if sf.ackID == "" || cfg.Formats.Ack == "" {
			return usagef("--ack-id names the id field of the acks of --ack MATCH (got --ack %s, --ack-id %q)", sf.ack, sf.ackID)
		}
		cfg.Formats.AckID = sf.ackID
	}
	if fs.Changed("send-queue") && s.Queue < 1 {
		return usagef("--send-queue must be ≥ 1 (got %d)", s.Queue)
	}
	if !fs.Changed("send-queue") {
		s.Queue = 0
	}
	if s.Rate == 0 {
		for _, f := range []string{"send-pattern", "send-size", "send-queue", "send-queue-policy", "flush-rate", "redeliver", "ack", "ack-id"} {
			if fs.Changed(f) {
				return usagef("--%s is about the clients' own messages: give --send-rate too", f)
			}
		}
	}
	return nil
}
