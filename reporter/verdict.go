package reporter

import (
	"fmt"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// VerdictState is the harness's own health in one phase of a run.
type VerdictState uint8

// Verdict states, from healthy to saturated.
const (
	// VerdictOK: timer lateness p99 within the bound.
	VerdictOK VerdictState = iota
	// VerdictBurst: late, because many actions or events fell due at one
	// moment and the loops served them in turn; they kept up otherwise.
	// The phase's figures are shifted by at most the burst's delay, which
	// the verdict states; they still describe the server.
	VerdictBurst
	// VerdictSaturated: late, and the loops were busy for a second or
	// more without keeping up: the CPU, not the server, set the pace, and
	// the phase's figures describe the harness.
	VerdictSaturated
	// VerdictStarved: late while the loops were mostly idle or kept off
	// the CPU: other processes (the embedded server on the same cores,
	// other programs), or the load generator's own threads outside its
	// loops (TLS handshakes, the garbage collector), held the CPU when the
	// loops had work to do. The cause says which.
	VerdictStarved
	numVerdictStates
)

var verdictNames = [numVerdictStates]string{"ok", "burst", "saturated", "starved"}

// String returns the state's name as results files use it.
func (v VerdictState) String() string {
	if v < numVerdictStates {
		return verdictNames[v]
	}
	return "unknown"
}

// MarshalText encodes the state by name.
func (v VerdictState) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText decodes a state name.
func (v *VerdictState) UnmarshalText(b []byte) error {
	for i, n := range verdictNames {
		if n == string(b) {
			*v = VerdictState(i)
			return nil
		}
	}
	return fmt.Errorf("unknown verdict %q", b)
}

// Thresholds of the verdict. A loop busy at least sustainedShare of an
// interval for sustainedFor in a row is not serving a burst: it cannot
// keep up. Late timers while the loops were busy less than idleShare of
// the phase, and never worked longer than the bound in one go, were late
// for a reason outside the loops.
const (
	sustainedShare = 0.9
	sustainedFor   = time.Second
	idleShare      = 0.5
	// ranShare: loops whose threads ran less than this share of their busy
	// time were kept off the CPU. On an idle machine they run about 60 %
	// of it (each wake-up costs some time the runtime's other threads take
	// on the same core), spinning loops all of it.
	ranShare = 0.3
	// ownShare: a starved harness starved itself when its processes used,
	// outside their loops, at least this many cores on average over the
	// phase and more CPU than the loops themselves.
	ownShare = 0.25
)

// Verdict explains a phase's timer lateness: its state, what caused it,
// which figures it affects and how much, and what to change.
type Verdict struct {
	State VerdictState `json:"state"`
	// SustainedBusyS is the longest time the loops were busy at least 90 %
	// of every interval, in seconds.
	SustainedBusyS float64 `json:"sustained_busy_s"`
	// LongestStallMs is the longest stretch a loop worked without a pause:
	// an event that became ready during it waited at most that long.
	LongestStallMs float64 `json:"longest_stall_ms"`
	// OutsideLoopsCores is the CPU the load generator's processes used
	// outside their event loops (TLS handshakes, the garbage collector, the
	// runtime), in cores on average over the phase; absent in results of a
	// version that did not record it.
	OutsideLoopsCores float64 `json:"outside_loops_cores,omitempty"`
	// DelayMs bounds the harness's own delay in the phase's figures: the
	// larger of the timer lateness maximum and the longest stall.
	DelayMs float64 `json:"delay_ms"`
	// Cause says what made the harness late; Affects which figures carry
	// its delay and at what resolution; Remedy what to change. Empty when
	// the state is ok.
	Cause   string `json:"cause,omitempty"`
	Affects string `json:"affects,omitempty"`
	Remedy  string `json:"remedy,omitempty"`
}

// phaseVerdict judges one phase [from, to) of s.
func phaseVerdict(s *Shard, name string, late TailQuantiles, util *Utilisation, from, to time.Duration, boundMs float64) Verdict {
	v := Verdict{}
	busy := s.column(measure.LoopBusy)
	stall := s.column(measure.LoopStall)
	cpu := s.column(measure.LoopCPU)
	proc := s.column(measure.ProcCPU)
	first, last := intervalRange(s, from, to)
	capacity := float64(max(s.Loops, 1)) * float64(s.Interval/time.Microsecond)
	run, longest, runStart, bestStart := 0, 0, 0, 0
	var busySum, cpuSum, procSum int64
	for i := first; i <= last && i < len(busy); i++ {
		busySum += busy[i]
		if i < len(cpu) {
			cpuSum += cpu[i]
		}
		if i < len(proc) {
			procSum += proc[i]
		}
		if float64(busy[i]) >= sustainedShare*capacity {
			if run == 0 {
				runStart = i
			}
			run++
			if run > longest {
				longest, bestStart = run, runStart
			}
		} else {
			run = 0
		}
		if i < len(stall) {
			v.LongestStallMs = max(v.LongestStallMs, float64(stall[i])/1000)
		}
	}
	v.SustainedBusyS = float64(longest) * s.Interval.Seconds()
	outside := max(procSum-cpuSum, 0)
	if span := int64(last-first+1) * int64(s.Interval/time.Microsecond); procSum > 0 && span > 0 {
		v.OutsideLoopsCores = float64(outside) / float64(span)
	}
	// The load generator starved itself: its own threads outside the loops
	// took more CPU than the loops, and a good share of a core.
	self := v.OutsideLoopsCores >= ownShare && outside > cpuSum
	v.DelayMs = max(late.Max, v.LongestStallMs)
	if late.P99 <= boundMs {
		return v
	}
	res := resolution(v.DelayMs, s.Interval)
	if util == nil {
		// Results of a version whose loops did not record their busy time:
		// the cause cannot be told, so the lateness alone decides.
		v.State = VerdictSaturated
		v.Cause = fmt.Sprintf("timer lateness p99 %s over the bound (the loops' busy time was not recorded, so the cause cannot be told)", ms(late.P99))
		v.Affects = fmt.Sprintf("timed actions of %s are late by up to %s; %s", name, ms(late.Max), res)
		v.Remedy = "run again with this version to learn why; fewer clients per process (--workers) or fewer simultaneous attempts usually help"
		return v
	}
	mean := util.Mean
	// The share of their busy time the loops' threads actually ran: well
	// below what an idle machine gives them, the machine mostly ran
	// something else while they had work.
	// (Zero CPU time: results of a version that did not record it.)
	ran := 1.0
	if cpuSum > 0 && busySum > 0 {
		ran = float64(cpuSum) / float64(busySum)
	}
	switch {
	case (ran < ranShare || mean < idleShare && v.LongestStallMs <= 2*boundMs) && self:
		v.State = VerdictStarved
		v.Cause = fmt.Sprintf("its loops had work %.0f %% of the time but their threads ran only %.0f %% of that (timer lateness p99 %s, max %s) while the load generator's own threads outside the loops — the TLS handshakes of wss attempts, the garbage collector — used %.2f cores: the harness starved itself",
			mean*100, ran*100, ms(late.P99), ms(late.Max), v.OutsideLoopsCores)
		v.Affects = fmt.Sprintf("the figures of %s carry up to %s of waiting for the CPU; %s", name, ms(v.DelayMs), res)
		v.Remedy = "give that work cores of its own or less of it at once: the load generator on a machine of its own (the server via --url), fewer clients per run, and for wss fewer handshakes at a time (a slower --ramp-rate, a larger --backoff-base)"
	case ran < ranShare:
		v.State = VerdictStarved
		v.Cause = fmt.Sprintf("its loops had work %.0f %% of the time but their threads ran only %.0f %% of that (timer lateness p99 %s, max %s): other processes — the server on the same cores, other programs — held the CPU",
			mean*100, ran*100, ms(late.P99), ms(late.Max))
		v.Affects = fmt.Sprintf("the figures of %s carry up to %s of waiting for the CPU; %s", name, ms(v.DelayMs), res)
		v.Remedy = "give the harness cores of its own: the server on another machine (--url), fewer processes on this one, or fewer clients per run"
	case time.Duration(longest)*s.Interval >= sustainedFor:
		v.State = VerdictSaturated
		v.Cause = fmt.Sprintf("its loops were busy at least %.0f %% of every interval for %.1f s from %.1f s and still fell behind (timer lateness p99 %s, max %s): the CPU, not the server, set the pace",
			sustainedShare*100, v.SustainedBusyS, (time.Duration(bestStart) * s.Interval).Seconds(), ms(late.P99), ms(late.Max))
		v.Affects = fmt.Sprintf("the figures of %s describe the harness: attempt starts, detections and handshakes there are late by up to %s, and rates follow the harness's pace, not the server's", name, ms(v.DelayMs))
		v.Remedy = "fewer clients per process (--workers), fewer simultaneous attempts (a larger --backoff-base, full or decorrelated jitter), a slower --ramp-rate, or the load generator on another machine than the server"
	case mean < idleShare && v.LongestStallMs <= 2*boundMs:
		v.State = VerdictStarved
		v.Cause = fmt.Sprintf("timers fired late (p99 %s, max %s) while its loops were busy only %.0f %% of the time and never worked longer than %s in one go: other processes held the CPU when the loops had work",
			ms(late.P99), ms(late.Max), mean*100, ms(v.LongestStallMs))
		v.Affects = fmt.Sprintf("timed actions of %s (attempt starts, pings, heartbeat deadlines) are late by up to %s; %s", name, ms(late.Max), res)
		v.Remedy = "give the harness cores of its own: the server on another machine (--url), fewer processes on this one, or fewer clients per run"
	default:
		v.State = VerdictBurst
		v.Cause = fmt.Sprintf("many actions or events fell due at once (%s) and the loops served them in turn, working up to %s without a pause; they kept up otherwise (never busy %.0f %% for %v)",
			burstSize(s, first, last), ms(v.LongestStallMs), sustainedShare*100, sustainedFor)
		v.Affects = fmt.Sprintf("attempt starts, detections and handshake completions in %s are late by up to %s (timer lateness p99 %s); %s", name, ms(v.DelayMs), ms(late.P99), res)
		v.Remedy = "to shrink it, spread what falls due together (full or decorrelated jitter, a larger --backoff-base, --heartbeat-spread) or serve it on more loops (--workers); a burst is the storm itself, so a smaller one also changes the experiment"
	}
	return v
}

// resolution says what a delay means at the time series' resolution.
func resolution(delayMs float64, interval time.Duration) string {
	ivMs := float64(interval) / float64(time.Millisecond)
	if delayMs < ivMs {
		return fmt.Sprintf("at the time series' %s resolution an event may fall into the next row at most", ms(ivMs))
	}
	return fmt.Sprintf("in the time series (%s rows) events may be shifted by up to %.0f rows", ms(ivMs), delayMs/ivMs+1)
}

// burstSize describes the busiest interval of [first, last]: how many
// attempts and disconnects fell into one interval.
func burstSize(s *Shard, first, last int) string {
	att := s.column(measure.Attempts)
	dis := s.column(measure.Disconnects)
	var a, d int64
	for i := first; i <= last && i < len(att); i++ {
		a = max(a, att[i])
		if i < len(dis) {
			d = max(d, dis[i])
		}
	}
	return fmt.Sprintf("up to %d attempts and %d disconnects in one %s interval", a, d, ms(float64(s.Interval)/float64(time.Millisecond)))
}

// intervalRange returns the series rows that overlap [from, to).
func intervalRange(s *Shard, from, to time.Duration) (int, int) {
	if s.Interval <= 0 {
		return 0, -1
	}
	first := int(max(from, 0) / s.Interval)
	last := int((to+s.Interval-1)/s.Interval) - 1
	return first, min(last, len(s.Series)-1)
}
