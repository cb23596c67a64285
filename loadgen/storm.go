package loadgen

import (
	"time"

	"github.com/stormbench/stormbench/internal/fault"
	"github.com/stormbench/stormbench/internal/measure"
)

// stormState is a shard's view of the current storm. Server-side faults
// report T0 only when the control API answers, which can be after the
// first clients noticed; their events wait in pending until T0 is known.
type stormState struct {
	k           int // current storm, -1 before the first
	active      bool
	unnamed     bool          // the fault names no victims (FaultKind.Unattributed)
	windowStart time.Duration // connections opened before this are eligible
	t0          time.Duration
	t0Known     bool
	pending     []stormEvent

	// recovered counts affected clients open again, ready those ready
	// again (joined, with a framework's protocol): the storm is over when
	// every affected client is ready.
	affected, detected, recovered, ready int64
}

type stormEvent struct {
	recovered bool
	ready     bool // ready again (at is when); recovered is false
	cause     measure.Cause
	at        time.Duration // detection, or handshake for a recovery
	lostAt    time.Duration // detection time, for a recovery
	attempts  int32
}

// StormOrder is what the coordinator tells every shard when a storm begins.
type StormOrder struct {
	// K is the storm's index (0-based).
	K int `json:"k"`
	// Kind is the fault kind.
	Kind FaultKind `json:"kind"`
	// Fraction of open connections hit by a client-side fault.
	Fraction float64 `json:"fraction"`
	// Duration of a partition.
	Duration time.Duration `json:"duration"`
	// Since (observe) is when the mass disconnect began at the earliest:
	// clients that lost, at or after Since, a connection opened before it
	// are the storm's, including those already back.
	Since time.Duration `json:"since,omitempty"`
}

// StormApplied is what a fleet reports after a storm began: for
// client-side faults and crashes, T0 and the clients it counted as hit.
type StormApplied struct {
	T0       time.Duration `json:"t0"`
	Affected int           `json:"affected"`
}

// begin opens the storm window; client-side faults are applied here, at
// T0 = now, and a crash counts the open connections it is about to kill.
func (sh *shard) stormBegin(o StormOrder) StormApplied {
	now := sh.loop.Now()
	st := &sh.storm
	*st = stormState{k: o.K, active: true, unnamed: o.Kind.Unattributed(), windowStart: now}
	if o.Kind.ClientSide() {
		st.t0, st.t0Known = now, true
	}
	var hit []*client
	switch {
	case o.Kind == fault.Observe:
		return sh.observeBegin(o)
	case o.Kind.ClientSide():
		hit = sh.pickOpen(o.Fraction)
	case o.Kind.By() == fault.ByEmbedded:
		// A crash kills every connection and cannot count them: the
		// clients count those open now.
		hit = sh.pickOpen(1)
	}
	st.affected = int64(len(hit))
	for _, c := range hit {
		sh.stormEvent(o.K, StormEvent{Kind: StormAffected})
		switch o.Kind {
		case fault.Reset:
			c.dead(now, measure.CauseClientAbort)
		case fault.Partition:
			c.cut = true
		}
	}
	if o.Kind == fault.Partition {
		sh.partitionEnd = now + o.Duration
		sh.loop.Schedule(&sh.partEnd, sh.partitionEnd)
	}
	sh.publish()
	return StormApplied{T0: now, Affected: len(hit)}
}

// pickOpen chooses round(fraction × open) open clients at random, with the
// shard's clients' own generators so that the choice is reproducible.
func (sh *shard) pickOpen(fraction float64) []*client {
	var open []*client
	for i := range sh.clients {
		if c := &sh.clients[i]; c.state == StateOpen {
			open = append(open, c)
		}
	}
	if fraction >= 1 {
		return open
	}
	k := int(fraction*float64(len(open)) + 0.5)
	for i := 0; i < k; i++ {
		j := i + int(uniform(&open[i].rng, int64(len(open)-i)))
		open[i], open[j] = open[j], open[i]
	}
	return open[:k]
}

// stormT0 sets T0 (server-side faults) and replays what waited for it.
func (sh *shard) stormT0(k int, t0 time.Duration) {
	st := &sh.storm
	if st.k != k || st.t0Known {
		return
	}
	st.t0, st.t0Known = t0, true
	for _, e := range st.pending {
		sh.emitStorm(e)
	}
	st.pending = nil
}

// stormEnd closes the window: later recoveries count only globally.
func (sh *shard) stormEnd(k int) {
	st := &sh.storm
	if st.k != k {
		return
	}
	if !st.t0Known {
		// The fault never reported T0 (its injection failed): measure from
		// the window's start rather than drop what was seen.
		sh.stormT0(k, st.windowStart)
	}
	st.active = false
	sh.publish()
}

func (sh *shard) stormDetected(c *client, now time.Duration, cause measure.Cause) {
	if sh.storm.unnamed {
		// Nobody chose the victims: whoever loses a connection is one.
		sh.storm.affected++
		sh.stormEvent(sh.storm.k, StormEvent{Kind: StormAffected})
	}
	sh.storm.detected++
	sh.emitStorm(stormEvent{cause: cause, at: now})
}

// stormReady counts an affected client ready again.
func (sh *shard) stormReady(c *client, now time.Duration) {
	sh.storm.ready++
	sh.emitStorm(stormEvent{ready: true, at: now})
}

func (sh *shard) stormRecovered(c *client, now time.Duration) {
	sh.storm.recovered++
	sh.emitStorm(stormEvent{recovered: true, at: now, lostAt: c.lostAt, attempts: c.attempts})
}

// observeBegin opens a storm the coordinator saw in the fleet's counts
// after it began: the clients that lost, since o.Since, a connection
// opened before it are attributed to it now, with the times they were
// lost (and, for those already back, recovered). T0 is the earliest of
// those losses; the coordinator takes the earliest over all shards.
func (sh *shard) observeBegin(o StormOrder) StormApplied {
	st := &sh.storm
	st.windowStart = o.Since
	out := StormApplied{T0: -1}
	for i := range sh.clients {
		c := &sh.clients[i]
		if c.lostAt < o.Since || c.lostOpened >= o.Since || c.lostCause == measure.CauseDrain {
			continue
		}
		back := c.state == StateOpen && c.openedAt >= c.lostAt
		if !back {
			// Its attempts from now on count live (client.attempt).
			c.storm = int16(o.K)
		}
		for range c.attempts {
			sh.stormEvent(o.K, StormEvent{Kind: StormAttempt})
		}
		sh.stormDetected(c, c.lostAt, c.lostCause)
		if back {
			st.recovered++
			sh.emitStorm(stormEvent{recovered: true, at: c.openedAt, lostAt: c.lostAt, attempts: c.attempts})
			if c.ready {
				// When it became ready is not kept: found after the fact,
				// it counts as ready when it opened (the same instant
				// without a framework's join).
				st.ready++
				sh.emitStorm(stormEvent{ready: true, at: c.openedAt})
			} else {
				c.readyStorm = int16(o.K)
			}
		}
		out.Affected++
		if out.T0 < 0 || c.lostAt < out.T0 {
			out.T0 = c.lostAt
		}
	}
	sh.publish()
	return out
}

func (sh *shard) emitStorm(e stormEvent) {
	st := &sh.storm
	if !st.t0Known {
		st.pending = append(st.pending, e)
		return
	}
	if e.recovered {
		sh.stormEvent(st.k, StormEvent{Kind: StormRecovered, Reconnect: e.at - e.lostAt, Outage: max(e.at-st.t0, 0), Attempts: int(e.attempts)})
		return
	}
	if e.ready {
		sh.stormEvent(st.k, StormEvent{Kind: StormReady, Outage: max(e.at-st.t0, 0)})
		return
	}
	sh.stormEvent(st.k, StormEvent{Kind: StormDetected, Detect: max(e.at-st.t0, 0), Cause: e.cause})
}
