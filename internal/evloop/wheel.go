package evloop

import (
	"math/bits"
	"time"
)

// Tick is the wheel's slot width. Timers are hashed by tick, but each fires
// at its own scheduled time: the loop sleeps until the earliest one, so a
// timer is never early and, on an idle loop, late only by the wake-up
// latency of the runtime.
const Tick = time.Millisecond

const (
	wheelBits  = 13
	wheelSlots = 1 << wheelBits // 8.192 s of 1 ms slots; longer timers wait out whole turns
	wheelMask  = wheelSlots - 1
)

// wheel is a hashed timing wheel: slot = tick mod size, each slot a
// doubly linked list of intrusive timers, and a bitmap of non-empty slots so
// that finding the next deadline costs a few word scans, not a walk.
type wheel struct {
	slots [wheelSlots]*Timer
	bits  [wheelSlots / 64]uint64
	cur   int64 // last tick whose slot is fully processed
	n     int   // armed timers
	// cursor is the next timer fireSlot visits; remove moves it on when
	// a callback removes that very timer (and perhaps re-arms it in
	// another slot), so iteration never strays into another list.
	cursor *Timer
	// clock, when set, is read as each timer fires: a timer that waited
	// for the callbacks before it in the same pass is that much later,
	// and its callback is told so (its lateness, the time it acts at).
	// Nil (the wheel's own tests): the time given to advance.
	clock Clock
}

func tickOf(d time.Duration) int64 { return int64(d / Tick) }

func (w *wheel) add(t *Timer, when time.Duration) {
	if t.armed {
		w.remove(t)
	}
	t.when = when
	t.tick = tickOf(when)
	if t.tick <= w.cur {
		t.tick = w.cur + 1
	}
	s := t.tick & wheelMask
	t.prev = nil
	t.next = w.slots[s]
	if t.next != nil {
		t.next.prev = t
	}
	w.slots[s] = t
	w.bits[s>>6] |= 1 << (s & 63)
	t.armed = true
	w.n++
}

func (w *wheel) remove(t *Timer) {
	if !t.armed {
		return
	}
	s := t.tick & wheelMask
	if w.cursor == t {
		w.cursor = t.next
	}
	if t.prev != nil {
		t.prev.next = t.next
	} else {
		w.slots[s] = t.next
	}
	if t.next != nil {
		t.next.prev = t.prev
	}
	if w.slots[s] == nil {
		w.bits[s>>6] &^= 1 << (s & 63)
	}
	t.next, t.prev = nil, nil
	t.armed = false
	w.n--
}

// advance fires every timer due at or before now, in tick order. The slot
// of the current tick is processed only up to now; it stays the next one
// to visit until its tick has passed.
func (w *wheel) advance(now time.Duration) {
	target := int64(now / Tick)
	if target <= w.cur {
		return
	}
	// After a stall longer than a whole turn, one visit per slot is enough:
	// every due timer in it fires.
	start := w.cur + 1
	if target-w.cur > wheelSlots {
		start = target - wheelSlots + 1
	}
	for k := start; k <= target; k++ {
		s := k & wheelMask
		if k < target {
			w.cur = k
		}
		if w.bits[s>>6]&(1<<(s&63)) == 0 {
			continue
		}
		w.fireSlot(s, k, now)
	}
	w.cur = target - 1
}

func (w *wheel) fireSlot(s, k int64, now time.Duration) {
	// Timers a callback adds go to the head of a list, so this pass does
	// not visit them; timers it removes are skipped through the cursor.
	for t := w.slots[s]; t != nil; t = w.cursor {
		w.cursor = t.next
		if t.tick <= k && t.when <= now {
			w.remove(t)
			at := now
			if w.clock != nil {
				at = max(now, w.clock())
			}
			t.h.OnTimer(t, at, at-t.when)
		}
	}
	w.cursor = nil
}

// nextTick returns the first tick at or after from whose slot holds a
// timer, or -1 when the wheel is empty. Its timers may belong to a later
// turn.
func (w *wheel) nextTick(from int64) int64 {
	if w.n == 0 {
		return -1
	}
	start := from & wheelMask
	for i := int64(0); i <= wheelSlots/64; i++ {
		word := ((start >> 6) + i) & (wheelSlots/64 - 1)
		b := w.bits[word]
		if i == 0 {
			b &= ^uint64(0) << (start & 63)
		}
		if b != 0 {
			s := word<<6 | int64(bits.TrailingZeros64(b))
			return from + (s-start)&wheelMask
		}
	}
	return -1
}

// next returns when the loop must wake for the next timer, or -1 when the
// wheel is empty: the earliest scheduled time among the timers of the
// first slot that has any for this turn. Slots holding only timers of
// later turns are skipped (waking for them would spin through the whole
// current tick); when no slot has a timer for this turn the loop wakes
// once a turn later.
func (w *wheel) next() time.Duration {
	from := w.cur + 1
	for from <= w.cur+wheelSlots {
		k := w.nextTick(from)
		if k < 0 {
			return -1
		}
		if k > w.cur+wheelSlots {
			break
		}
		best := time.Duration(-1)
		for t := w.slots[k&wheelMask]; t != nil; t = t.next {
			if t.tick <= k && (best < 0 || t.when < best) {
				best = t.when
			}
		}
		if best >= 0 {
			return best
		}
		from = k + 1
	}
	return time.Duration(w.cur+1+wheelSlots) * Tick
}
