package evloop

import "time"

// TimerHandler receives timer fires. now is the loop's clock and lateness
// is now minus the scheduled time (never negative), so that every owner can
// record how late the harness itself was.
type TimerHandler interface {
	OnTimer(t *Timer, now, lateness time.Duration)
}

// Timer is a node of a Loop's timing wheel. It is meant to be embedded in
// the owner's struct (no allocation per schedule); the zero value is an
// unscheduled timer. A Timer belongs to one Loop and may be used only from
// that loop's goroutine.
type Timer struct {
	h          TimerHandler
	when       time.Duration
	tick       int64
	next, prev *Timer
	// Kind is free for the owner, e.g. to tell several timers apart in one
	// OnTimer method.
	Kind  uint8
	armed bool
}

// Init sets the handler that the timer calls when it fires.
func (t *Timer) Init(h TimerHandler, kind uint8) {
	t.h = h
	t.Kind = kind
}

// Armed reports whether the timer is scheduled.
func (t *Timer) Armed() bool { return t.armed }

// When returns the time the timer is scheduled for (meaningful when armed).
func (t *Timer) When() time.Duration { return t.when }
