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

// defineSendFlags defines the flags of the clients' own messages.
func defineSendFlags(fs *pflag.FlagSet, s *loadgen.Send, sf *sendFlags) {
	fs.Float64Var(&s.Rate, "send-rate", 0, "each client sends the server this many messages per second (0 = none); each carries the client ID, its own number and its enqueue time")
	fs.StringVar(&sf.pattern, "send-pattern", "poisson", "spacing of a client's messages: poisson or fixed")
	fs.IntVar(&s.Size, "send-size", 0, "pad each message to this many bytes (0 = no padding)")
	fs.IntVar(&s.Queue, "send-queue", 1000, "messages a client keeps waiting while disconnected (or behind a flush); beyond it they are dropped and counted")
	fs.StringVar(&sf.policy, "send-queue-policy", "drop-oldest", "what a full send queue drops: drop-oldest or drop-newest")
	fs.Float64Var(&s.FlushRate, "flush-rate", 0, "after a reconnect, send the backlog at this many messages per second per client (0 = as fast as the socket takes it)")
	fs.BoolVar(&s.Redeliver, "redeliver", false, "send again after a reconnect what a dead connection carried unacknowledged (at-least-once; default at-most-once: counted lost)")
	fs.StringVar(&sf.ack, "ack", "stormbench", "how the server acknowledges: stormbench ({\"type\":\"ack\",\"id\":N}), none (only send-side figures), or a JSON field match of its own acks (e.g. 'event=delivered')")
	fs.StringVar(&sf.ackID, "ack-id", "id", "with --ack MATCH: the ack's field holding the message's id (a JSON path)")
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

func init() {
	for k, v := range map[string]string{"Send.Rate": "--send-rate", "Send.Size": "--send-size", "Send.Queue": "--send-queue",
		"Send.FlushRate": "--flush-rate", "Send.Redeliver": "--redeliver", "Send.NoAck": "--ack", "Formats.Ack": "--ack", "Formats.AckID": "--ack-id"} {
		runFlagNames[k] = v
	}
}
