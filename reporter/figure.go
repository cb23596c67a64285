package reporter

import (
	"fmt"
	"strings"

	"github.com/stormbench/stormbench/internal/measure"
)

// Figure is one number read from a run's summary, by name: what
// thresholds test (--threshold 'recovery_p99<10s') and what compare puts
// side by side. Storm figures are read per storm; for a run as a whole
// (thresholds) a storm figure is its worst storm's.
type Figure uint8

// Figures, in the order compare prints them.
const (
	FigPeakAttemptsPerS Figure = iota
	FigAttempts
	FigFailedAttempts
	FigAttemptsPerRecoveryP50
	FigAttemptsPerRecoveryP99
	FigRecoveredPct
	FigRecoveryP50
	FigRecoveryP90
	FigRecoveryP99
	FigRecoveryP100
	FigRecoveryReadyP50
	FigRecoveryReadyP90
	FigRecoveryReadyP99
	FigRecoveryReadyP100
	FigOutageReadyP99
	FigDetectP50
	FigDetectP99
	FigOutageP99
	FigReconnectP99
	FigMessagesLost
	FigMessagesDuplicated
	FigHeartbeatBytesPerConnS
	FigConnectP50
	FigConnectP99
	FigRTTP99
	FigFailures
	FigGaveUp
	FigProtocolErrors
	FigSaturated
	numFigures
)

// Unit is what a figure counts, and so how a threshold's value is written.
type Unit uint8

// Units.
const (
	UnitCount         Unit = iota // a plain number
	UnitMs                        // a duration: thresholds take 250ms, 10s, 2m
	UnitPerS                      // a rate per second
	UnitPercent                   // 0–100
	UnitBool                      // true or false
	UnitBytesPerConnS             // bytes per connection-second
)

// figureInfo says what a figure is.
type figureInfo struct {
	name   string
	unit   Unit
	storm  bool // read per storm
	higher bool // a higher value is better
	doc    string
}

var figures = [numFigures]figureInfo{
	FigPeakAttemptsPerS:       {"peak_attempts_per_s", UnitPerS, true, false, "highest fleet-wide attempt rate of an interval in the storm"},
	FigAttempts:               {"attempts", UnitCount, true, false, "attempts of affected clients from detection to recovery"},
	FigFailedAttempts:         {"failed_attempts", UnitCount, true, false, "storm attempts − recovered"},
	FigAttemptsPerRecoveryP50: {"attempts_per_recovery_p50", UnitCount, true, false, "attempts a client needed to recover, median"},
	FigAttemptsPerRecoveryP99: {"attempts_per_recovery_p99", UnitCount, true, false, "attempts a client needed to recover, p99"},
	FigRecoveredPct:           {"recovered_pct", UnitPercent, true, true, "share of affected clients that recovered within the storm window"},
	FigRecoveryP50:            {"recovery_p50", UnitMs, true, false, "T0 → half of the affected clients open again"},
	FigRecoveryP90:            {"recovery_p90", UnitMs, true, false, "T0 → 90 % open again"},
	FigRecoveryP99:            {"recovery_p99", UnitMs, true, false, "T0 → 99 % open again"},
	FigRecoveryP100:           {"recovery_p100", UnitMs, true, false, "T0 → every affected client open again"},
	FigRecoveryReadyP50:       {"recovery_ready_p50", UnitMs, true, false, "T0 → half of the affected clients ready again (joined, with --protocol)"},
	FigRecoveryReadyP90:       {"recovery_ready_p90", UnitMs, true, false, "T0 → 90 % ready again"},
	FigRecoveryReadyP99:       {"recovery_ready_p99", UnitMs, true, false, "T0 → 99 % ready again"},
	FigRecoveryReadyP100:      {"recovery_ready_p100", UnitMs, true, false, "T0 → every affected client ready again"},
	FigOutageReadyP99:         {"outage_ready_p99", UnitMs, true, false, "T0 → a client ready again, p99"},
	FigDetectP50:              {"detect_p50", UnitMs, true, false, "T0 → detection, median"},
	FigDetectP99:              {"detect_p99", UnitMs, true, false, "T0 → detection, p99"},
	FigOutageP99:              {"outage_p99", UnitMs, true, false, "T0 → a client's next handshake, p99"},
	FigReconnectP99:           {"reconnect_p99", UnitMs, true, false, "detection → next handshake, p99"},
	FigMessagesLost:           {"messages_lost", UnitCount, true, false, "broadcast messages lost across the storm's reconnects"},
	FigMessagesDuplicated:     {"messages_duplicated", UnitCount, true, false, "broadcast messages received twice in the storm"},
	FigHeartbeatBytesPerConnS: {"heartbeat_bytes_per_conn_s", UnitBytesPerConnS, false, false, "heartbeat bytes (both ways) per connection-second"},
	FigConnectP50:             {"connect_p50", UnitMs, false, false, "dial start → handshake complete, median, whole run"},
	FigConnectP99:             {"connect_p99", UnitMs, false, false, "dial start → handshake complete, p99, whole run"},
	FigRTTP99:                 {"rtt_p99", UnitMs, false, false, "heartbeat round trip, p99"},
	FigFailures:               {"failures", UnitCount, false, false, "failed connection attempts, whole run"},
	FigGaveUp:                 {"gave_up", UnitCount, false, false, "clients that exhausted their retries"},
	FigProtocolErrors:         {"protocol_errors", UnitCount, false, false, "RFC 6455 rules the server broke"},
	FigSaturated:              {"saturated", UnitBool, false, false, "the harness fell behind its lateness bound (its figures describe the harness)"},
}

// Figures returns every figure in compare's order.
func Figures() []Figure {
	out := make([]Figure, numFigures)
	for i := range out {
		out[i] = Figure(i)
	}
	return out
}

// String returns the figure's name (recovery_p99).
func (f Figure) String() string {
	if f < numFigures {
		return figures[f].name
	}
	return fmt.Sprintf("figure(%d)", f)
}

// Unit returns what the figure counts.
func (f Figure) Unit() Unit { return figures[f].unit }

// PerStorm reports whether the figure is read per storm.
func (f Figure) PerStorm() bool { return figures[f].storm }

// HigherIsBetter reports whether a higher value is the better one.
func (f Figure) HigherIsBetter() bool { return figures[f].higher }

// Doc says what the figure is, in a few words.
func (f Figure) Doc() string { return figures[f].doc }

// ParseFigure finds a figure by name.
func ParseFigure(name string) (Figure, bool) {
	for i, fi := range figures {
		if fi.name == name {
			return Figure(i), true
		}
	}
	return 0, false
}

// FigureNames lists the names, for help texts and errors.
func FigureNames() string {
	names := make([]string, numFigures)
	for i, fi := range figures {
		names[i] = fi.name
	}
	return strings.Join(names, ", ")
}

// StormValue reads a per-storm figure of storm st; ok is false when the
// storm has no such value (a recovery percentile not reached, a storm
// marked incomplete).
func (f Figure) StormValue(st *StormSummary) (float64, bool) {
	pct := func(p *float64) (float64, bool) {
		if st.RecoveryMs == nil || p == nil {
			return 0, false
		}
		return *p, true
	}
	switch f {
	case FigPeakAttemptsPerS:
		return st.PeakAttemptsPerS, true
	case FigAttempts:
		return float64(st.Attempts), true
	case FigFailedAttempts:
		return float64(st.FailedAttempts), true
	case FigAttemptsPerRecoveryP50:
		return st.AttemptsPerRecovery.P50, st.Recovered > 0
	case FigAttemptsPerRecoveryP99:
		return st.AttemptsPerRecovery.P99, st.Recovered > 0
	case FigRecoveredPct:
		if st.Affected <= 0 {
			return 0, false
		}
		return 100 * float64(st.Recovered) / float64(st.Affected), true
	case FigRecoveryP50:
		if st.RecoveryMs == nil {
			return 0, false
		}
		return pct(st.RecoveryMs.P50)
	case FigRecoveryP90:
		if st.RecoveryMs == nil {
			return 0, false
		}
		return pct(st.RecoveryMs.P90)
	case FigRecoveryP99:
		if st.RecoveryMs == nil {
			return 0, false
		}
		return pct(st.RecoveryMs.P99)
	case FigRecoveryP100:
		if st.RecoveryMs == nil {
			return 0, false
		}
		return pct(st.RecoveryMs.P100)
	case FigRecoveryReadyP50, FigRecoveryReadyP90, FigRecoveryReadyP99, FigRecoveryReadyP100:
		if st.RecoveryReadyMs == nil {
			return 0, false
		}
		r := st.RecoveryReadyMs
		return pct([...]*float64{r.P50, r.P90, r.P99, r.P100}[f-FigRecoveryReadyP50])
	case FigOutageReadyP99:
		return st.OutageReadyMs.P99, st.Ready > 0
	case FigDetectP50:
		return st.DetectMs.P50, st.Detected > 0
	case FigDetectP99:
		return st.DetectMs.P99, st.Detected > 0
	case FigOutageP99:
		return st.OutageMs.P99, st.Recovered > 0
	case FigReconnectP99:
		return st.ReconnectMs.P99, st.Recovered > 0
	case FigMessagesLost:
		return float64(st.MessagesLost), true
	case FigMessagesDuplicated:
		return float64(st.MessagesDuplicated), true
	}
	return 0, false
}

// RunValue reads a figure of the whole run: a run figure as it is
// (messages lost and duplicated: the run's totals), a storm figure from
// the run's worst storm (the highest value, or the
// lowest where higher is better). ok is false when no storm has the value;
// missing is true when some storm lacks it (a recovery percentile that was
// never reached is worse than any figure).
func (f Figure) RunValue(sum *Summary) (v float64, ok, missing bool) {
	// Messages are lost outside storms too: a run's figure is its total.
	switch f {
	case FigMessagesLost:
		return float64(sum.Counters.Get(measure.MessagesLost)), true, false
	case FigMessagesDuplicated:
		return float64(sum.Counters.Get(measure.MessagesDuplicated)), true, false
	}
	if f.PerStorm() {
		for i := range sum.Storms {
			x, has := f.StormValue(&sum.Storms[i])
			if !has {
				missing = true
				continue
			}
			if !ok || (f.HigherIsBetter() && x < v) || (!f.HigherIsBetter() && x > v) {
				v, ok = x, true
			}
		}
		return v, ok, missing
	}
	c := sum.Counters
	switch f {
	case FigHeartbeatBytesPerConnS:
		return sum.Heartbeat.BytesPerConnS, true, false
	case FigConnectP50:
		h := sum.Histograms[measure.ConnectLatency.String()]
		return h.P50, h.Count > 0, h.Count == 0
	case FigConnectP99:
		h := sum.Histograms[measure.ConnectLatency.String()]
		return h.P99, h.Count > 0, h.Count == 0
	case FigRTTP99:
		h := sum.Histograms[measure.HeartbeatRTT.String()]
		return h.P99, h.Count > 0, h.Count == 0
	case FigFailures:
		return float64(c.Get(measure.Failures)), true, false
	case FigGaveUp:
		return float64(c.Get(measure.GaveUp)), true, false
	case FigProtocolErrors:
		return float64(sumCounts(c.Keys(measure.ProtocolErrors))), true, false
	case FigSaturated:
		if sum.Harness.Saturated {
			return 1, true, false
		}
		return 0, true, false
	}
	return 0, false, true
}
