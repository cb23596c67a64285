package reporter

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// The warnings of a run whose clients and server did not understand each
// other: without them, a fleet that a Socket.IO server closes after every
// ping timeout, or a graphql-ws server closes for want of an init, looks
// like a quiet run that exits 0.

// serverCauses are the ways a connection ends that the server, not the
// client or the harness, brought about.
var serverCauses = []measure.Cause{measure.CauseCloseFrame, measure.CauseEOF, measure.CauseReset, measure.CauseHeartbeatTimeout, measure.CauseWriteError}

// diagnose returns the warnings of s, whose summary is sum; protocol is
// what the clients spoke ("" when unknown).
func diagnose(s *Shard, sum *Summary, protocol string) []string {
	var out []string
	c := &sum.Counters
	connects := c.Get(measure.Connects)
	if connects == 0 {
		return nil
	}
	closes, suffix := s.calmLosses(sum), suggest(s, protocol)
	switch {
	case closes*2 < connects:
	case sum.Harness.Saturated:
		// A harness that fell behind answers pings and sends its own
		// late: the server's heartbeat rule, not a mismatch, may have
		// ended these.
		out = append(out, fmt.Sprintf("the server ended %d of %d connections while no fault was applied%s, while the harness was saturated or starved: late heartbeats may have ended them (see the harness's verdicts)",
			closes, connects, s.saidByServer()))
	default:
		out = append(out, fmt.Sprintf("the server ended %d of %d connections while no fault was applied%s: the clients and the server do not seem to understand each other%s",
			closes, connects, s.saidByServer(), suffix))
	}
	other, received := c.Get(measure.MessagesOther), c.Get(measure.MessagesReceived)
	if other > 0 && other >= received {
		out = append(out, fmt.Sprintf("%d messages of the server matched no rule of --protocol %s (%d recognised), e.g. %s%s",
			other, orDefault(protocol, "stormbench"), received, samples(s, 3), suffix))
	}
	if n := sumCounts(s.Keys[measure.ProfileErrors]); n > 0 {
		out = append(out, fmt.Sprintf("%d messages broke --protocol %s (%s); those connections were failed", n, orDefault(protocol, "?"), keyList(s.Keys[measure.ProfileErrors], 3)))
	}
	if n, keys := noReconnect(s.Keys[measure.Goodbyes]); n > 0 {
		out = append(out, fmt.Sprintf("the server told clients %d times not to reconnect (%s): the framework's own client would have stopped there, the fleet reconnected all the same", n, keyList(keys, 3)))
	}
	if n := s.Keys[measure.DisconnectCauses][measure.CauseJoinTimeout.String()]; n > 0 {
		out = append(out, fmt.Sprintf("%d connections opened but their join did not finish within the connect timeout (cause %s): the clients closed them and reconnected, as the framework's clients do; the server opened connections it did not join in time (slow, overloaded, or not speaking --protocol %s)",
			n, measure.CauseJoinTimeout, orDefault(protocol, "?")))
	}
	if c.Get(measure.Joins) == 0 {
		out = append(out, fmt.Sprintf("no client became ready: %d connections opened, none finished joining%s%s", connects, s.refusals(), suffix))
	}
	return out
}

// calmLosses counts the connections the server ended outside every
// storm's window: with no fault applied, nothing the harness did.
func (s *Shard) calmLosses(sum *Summary) int64 {
	inStorm := func(row int) bool {
		end := (s.Interval * time.Duration(row+1)).Seconds()
		start := end - s.Interval.Seconds()
		for _, st := range sum.Storms {
			if end > st.T0 && start < st.End {
				return true
			}
		}
		return false
	}
	var n int64
	series := s.KeySeries[measure.DisconnectCauses]
	if len(series) == 0 {
		// A shard written before counts had a time: only a run without
		// storms can tell.
		if len(sum.Storms) > 0 {
			return 0
		}
		for _, cause := range serverCauses {
			n += s.Keys[measure.DisconnectCauses][cause.String()]
		}
		return n
	}
	for _, cause := range serverCauses {
		for row, v := range series[cause.String()] {
			if v != 0 && !inStorm(row) {
				n += v
			}
		}
	}
	return n
}

// saidByServer describes the close codes and reasons the server gave.
func (s *Shard) saidByServer() string {
	var parts []string
	if codes := s.Keys[measure.CloseCodes]; len(codes) > 0 {
		parts = append(parts, "close codes "+keyList(codes, 4))
	}
	if reasons := s.Keys[measure.CloseReasons]; len(reasons) > 0 {
		parts = append(parts, "reasons "+keyList(reasons, 3))
	}
	if bye := s.Keys[measure.Goodbyes]; len(bye) > 0 {
		parts = append(parts, "said "+keyList(bye, 3))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// refusals describes the joins the server refused.
func (s *Shard) refusals() string {
	if r := s.Keys[measure.JoinRefusals]; len(r) > 0 {
		return " (refused: " + keyList(r, 3) + ")"
	}
	return ""
}

// samples quotes up to n samples of the messages no rule recognised.
func samples(s *Shard, n int) string {
	keys := slices.DeleteFunc(byCount(s.Keys[measure.Unrecognised]), func(k string) bool { return k == measure.OtherText })
	if len(keys) == 0 {
		return "(no sample kept)"
	}
	for i := range keys {
		keys[i] = "`" + keys[i] + "`"
	}
	return strings.Join(keys[:min(n, len(keys))], ", ")
}

// keyList writes the n most frequent keys of m with their counts.
func keyList(m map[string]int64, n int) string {
	keys := byCount(m)
	parts := make([]string, 0, n)
	for _, k := range keys[:min(n, len(keys))] {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, m[k]))
	}
	if len(keys) > n {
		parts = append(parts, fmt.Sprintf("%d more", len(keys)-n))
	}
	return strings.Join(parts, ", ")
}

// byCount returns m's keys, most frequent first, then by name.
func byCount(m map[string]int64) []string {
	keys := slices.Sorted(maps.Keys(m))
	slices.SortStableFunc(keys, func(a, b string) int { return int(m[b] - m[a]) })
	return keys
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// fingerprint recognises a framework by what its server says to a client
// that does not speak its protocol.
type fingerprint struct {
	protocol string
	// sample is a prefix of an unrecognised message; reason a part of a
	// close reason or code ("4408").
	sample, reason string
}

// fingerprints of the frameworks stormbench speaks (docs/protocols.md).
var fingerprints = []fingerprint{
	{protocol: "socketio", sample: `0{"sid"`},
	{protocol: "socketio", sample: `40{"sid"`},
	{protocol: "actioncable", sample: `{"type":"welcome"`},
	{protocol: "actioncable", sample: `{"type":"ping","message"`},
	{protocol: "graphql-ws", reason: "4408"},
	{protocol: "graphql-ws", reason: "Connection initialisation timeout"},
	{protocol: "graphql-ws", sample: `{"type":"connection_ack"`},
	{protocol: "signalr", sample: `{"type":6}`},
	{protocol: "signalr", sample: `{}\x1e`},
	{protocol: "phoenix", sample: `[null,null,"phoenix"`},
	{protocol: "phoenix", reason: "phx_"},
	{protocol: "centrifuge", sample: `{"connect"`},
	{protocol: "centrifuge", sample: `{"push"`},
	{protocol: "centrifuge", reason: "3501"},
	{protocol: "stomp", sample: `CONNECTED\x0a`},
	{protocol: "stomp", sample: `ERROR\x0a`},
	{protocol: "mqtt", sample: "binary 20"}, // CONNACK
}

// suggest names the --protocol whose server the messages and closes look
// like, when it is not the one spoken; "" when nothing matches.
func suggest(s *Shard, protocol string) string {
	var reasons []string
	for _, f := range []measure.Family{measure.CloseReasons, measure.CloseCodes, measure.Goodbyes, measure.JoinRefusals} {
		reasons = append(reasons, slices.Collect(maps.Keys(s.Keys[f]))...)
	}
	found := map[string]bool{}
	var names []string
	for _, f := range fingerprints {
		if f.protocol == protocol || found[f.protocol] {
			continue
		}
		hit := false
		if f.sample != "" {
			for k := range s.Keys[measure.Unrecognised] {
				hit = hit || strings.HasPrefix(k, f.sample)
			}
		}
		if f.reason != "" {
			for _, r := range reasons {
				hit = hit || strings.Contains(r, f.reason)
			}
		}
		if hit {
			found[f.protocol] = true
			names = append(names, f.protocol)
		}
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("; it looks like a %s server: try --protocol %s", names[0], names[0])
	}
	return "; it looks like one of: --protocol " + strings.Join(names, ", --protocol ")
}

// noReconnect returns the goodbyes that told the client not to reconnect,
// and their count.
func noReconnect(goodbyes map[string]int64) (int64, map[string]int64) {
	keys := map[string]int64{}
	for k, n := range goodbyes {
		if strings.HasSuffix(k, measure.NoReconnectMark) {
			keys[k] = n
		}
	}
	return sumCounts(keys), keys
}
