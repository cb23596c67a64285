package evloop

import (
	"math/bits"
	"time"
)

// Tick is the wheel's resolution. A timer fires on the first tick at or
// after its scheduled time, so it is never early and, on an idle loop, at
// most about one tick late.
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
	cur   int64 // last processed tick
	n     int   // armed timers
}

func tickOf(d time.Duration) int64 {
	// Round up: a timer must not fire before its time.
	return int64((d + Tick - 1) / Tick)
}

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

// advance fires every timer due at or before now, in tick order.
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
		if w.bits[s>>6]&(1<<(s&63)) == 0 {
			continue
		}
		w.cur = k
		w.fireSlot(s, k, now)
	}
	w.cur = target
}

func (w *wheel) fireSlot(s, k int64, now time.Duration) {
	for t := w.slots[s]; t != nil; {
		next := t.next
		if t.tick <= k {
			w.remove(t)
			late := now - t.when
			if late < 0 {
				late = 0
			}
			// The handler may re-arm t or any other timer; next stays
			// valid unless the handler removes it, which we re-check.
			t.h.OnTimer(t, now, late)
			if next != nil && !next.armed {
				// next was removed by the callback: restart the slot.
				next = w.slots[s]
			}
		}
		t = next
	}
}

// nextTick returns the first tick after cur whose slot holds a timer, or
// -1 when the wheel is empty. It may return a slot whose timers belong to
// a later turn; the loop then wakes once for nothing, which is cheap.
func (w *wheel) nextTick() int64 {
	if w.n == 0 {
		return -1
	}
	from := (w.cur + 1) & wheelMask
	for i := int64(0); i <= wheelSlots/64; i++ {
		word := ((from >> 6) + i) & (wheelSlots/64 - 1)
		b := w.bits[word]
		if i == 0 {
			b &= ^uint64(0) << (from & 63)
		}
		if b != 0 {
			s := word<<6 | int64(bits.TrailingZeros64(b))
			d := (s - from) & wheelMask
			return w.cur + 1 + d
		}
	}
	return -1
}
