package evloop

import (
	"testing"
	"time"
)

type recordFires struct {
	fired []time.Duration // scheduled time of each fire, in order
	late  []time.Duration
	now   []time.Duration
}

func (r *recordFires) OnTimer(t *Timer, now, lateness time.Duration) {
	r.fired = append(r.fired, t.When())
	r.late = append(r.late, lateness)
	r.now = append(r.now, now)
}

func TestWheelFiresNeverEarly(t *testing.T) {
	tests := []struct {
		name  string
		whens []time.Duration
		step  time.Duration
	}{
		{"sub-tick", []time.Duration{100 * time.Microsecond, 1500 * time.Microsecond, 999 * time.Microsecond}, 100 * time.Microsecond},
		{"exact ticks", []time.Duration{time.Millisecond, 2 * time.Millisecond, 50 * time.Millisecond}, time.Millisecond},
		{"beyond one turn", []time.Duration{9 * time.Second, 20 * time.Second, 8192 * time.Millisecond}, 7 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w wheel
			r := &recordFires{}
			timers := make([]Timer, len(tt.whens))
			var last time.Duration
			for i, when := range tt.whens {
				timers[i].Init(r, 0)
				w.add(&timers[i], when)
				last = max(last, when)
			}
			for now := time.Duration(0); now <= last+Tick+tt.step; now += tt.step {
				w.advance(now)
			}
			if len(r.fired) != len(tt.whens) {
				t.Fatalf("fired %d timers, want %d", len(r.fired), len(tt.whens))
			}
			for i := range r.fired {
				if r.now[i] < r.fired[i] {
					t.Errorf("timer for %v fired early at %v", r.fired[i], r.now[i])
				}
				if r.late[i] > Tick+tt.step {
					t.Errorf("timer for %v fired %v late, want ≤ %v", r.fired[i], r.late[i], Tick+tt.step)
				}
			}
			if w.n != 0 {
				t.Fatalf("%d timers still armed", w.n)
			}
		})
	}
}

func TestWheelCancelAndReschedule(t *testing.T) {
	var w wheel
	r := &recordFires{}
	var a, b, c Timer
	a.Init(r, 0)
	b.Init(r, 0)
	c.Init(r, 0)
	w.add(&a, 5*time.Millisecond)
	w.add(&b, 5*time.Millisecond)
	w.add(&c, 5*time.Millisecond)
	w.remove(&b)
	w.add(&c, 10*time.Millisecond) // move
	w.advance(7 * time.Millisecond)
	if len(r.fired) != 1 || r.fired[0] != 5*time.Millisecond {
		t.Fatalf("fired %v, want only a at 5ms", r.fired)
	}
	w.advance(10 * time.Millisecond)
	if len(r.fired) != 2 || r.fired[1] != 10*time.Millisecond {
		t.Fatalf("fired %v, want c at 10ms", r.fired)
	}
	if b.Armed() || w.n != 0 {
		t.Fatalf("b armed %v, wheel holds %d", b.Armed(), w.n)
	}
}

// rearm re-schedules itself and cancels a sibling from inside OnTimer, the
// patterns a client uses (next heartbeat; timeout cancelled by an event).
type rearm struct {
	w       *wheel
	sibling *Timer
	fires   int
}

func (r *rearm) OnTimer(t *Timer, now, _ time.Duration) {
	r.fires++
	r.w.remove(r.sibling)
	if r.fires < 3 {
		r.w.add(t, now+time.Millisecond)
	}
}

func TestWheelCallbackMutates(t *testing.T) {
	var w wheel
	var sib Timer
	r := &rearm{w: &w, sibling: &sib}
	var t1 Timer
	t1.Init(r, 0)
	sib.Init(&recordFires{}, 0)
	w.add(&t1, time.Millisecond)
	w.add(&sib, time.Millisecond)
	for now := time.Duration(0); now < 20*time.Millisecond; now += time.Millisecond {
		w.advance(now)
	}
	if r.fires != 3 {
		t.Fatalf("fires = %d, want 3", r.fires)
	}
	if sib.Armed() {
		t.Fatal("sibling still armed")
	}
}

func TestWheelNextTick(t *testing.T) {
	var w wheel
	if got := w.next(); got != -1 {
		t.Fatalf("empty wheel next = %v", got)
	}
	r := &recordFires{}
	var a Timer
	a.Init(r, 0)
	w.cur = 8000
	w.add(&a, 8300*time.Millisecond) // wraps around the slot array
	if got := w.next(); got != 8300*time.Millisecond {
		t.Fatalf("next = %v, want 8.3s", got)
	}
	// A slot that only holds a timer of a later turn is skipped: the next
	// wake-up is the timer of this turn, not the slot's start.
	var later, soon Timer
	later.Init(r, 0)
	soon.Init(r, 0)
	w.add(&later, time.Duration(8001+wheelSlots)*time.Millisecond)
	w.add(&soon, 8200*time.Millisecond+300*time.Microsecond)
	if got := w.next(); got != 8200*time.Millisecond+300*time.Microsecond {
		t.Fatalf("next = %v, want 8.2003s", got)
	}
}

func TestWheelStallLongerThanTurn(t *testing.T) {
	var w wheel
	r := &recordFires{}
	ts := make([]Timer, 100)
	for i := range ts {
		ts[i].Init(r, 0)
		w.add(&ts[i], time.Duration(i*97)*time.Millisecond)
	}
	w.advance(30 * time.Second) // one call after a long stall
	if len(r.fired) != len(ts) {
		t.Fatalf("fired %d of %d after a stall", len(r.fired), len(ts))
	}
}

type nop struct{}

func (nop) OnTimer(*Timer, time.Duration, time.Duration) {}

func BenchmarkWheelScheduleFire(b *testing.B) {
	var w wheel
	ts := make([]Timer, 100000)
	for i := range ts {
		ts[i].Init(nop{}, 0)
	}
	b.ReportAllocs()
	now := time.Duration(0)
	i := 0
	for b.Loop() {
		t := &ts[i%len(ts)]
		w.add(t, now+time.Duration(i%10000)*time.Millisecond)
		i++
		if i%100 == 0 {
			now += time.Millisecond
			w.advance(now)
		}
	}
}

// moveSibling, when it fires, cancels its sibling and re-arms it in
// another slot: the way a client's detection cancels its ping timer and
// schedules a reconnect.
type moveSibling struct {
	w       *wheel
	sibling *Timer
	fired   *int
}

func (m *moveSibling) OnTimer(_ *Timer, now, _ time.Duration) {
	*m.fired++
	if m.sibling != nil && m.sibling.Armed() {
		m.w.remove(m.sibling)
		m.w.add(m.sibling, now+3*time.Second)
	}
}

func TestWheelCallbackMovesNextTimer(t *testing.T) {
	var w wheel
	fired := 0
	ts := make([]Timer, 50)
	for i := range ts {
		h := &moveSibling{w: &w, fired: &fired}
		if i%2 == 1 {
			// Timers are pushed at the head, so ts[i-1] is visited right
			// after ts[i]: each odd timer moves the one after it.
			h.sibling = &ts[i-1]
		}
		ts[i].Init(h, 0)
		w.add(&ts[i], 5*time.Millisecond)
	}
	w.advance(6 * time.Millisecond)
	if fired != 25 {
		t.Fatalf("fired %d of the 25 timers that stayed due", fired)
	}
	w.advance(6 * time.Second)
	if fired != 50 || w.n != 0 {
		t.Fatalf("after the moved ones: fired %d, armed %d", fired, w.n)
	}
}

// busyFires is a timer handler whose every callback takes cost of the
// clock's time, as a callback making system calls does.
type busyFires struct {
	recordFires
	clock *time.Duration
	cost  time.Duration
}

func (b *busyFires) OnTimer(t *Timer, now, lateness time.Duration) {
	b.recordFires.OnTimer(t, now, lateness)
	*b.clock += b.cost
}

// TestWheelLatenessCountsCallbacksBefore: timers due together fire one
// after the other; each is told the time it really fires at, so its
// lateness includes the callbacks that ran before it in the same pass (a
// lateness taken at the pass's start would hide the harness's own delay
// in a burst, where it matters most).
func TestWheelLatenessCountsCallbacksBefore(t *testing.T) {
	const n, cost = 5, 2 * time.Millisecond
	var clock time.Duration
	w := wheel{clock: func() time.Duration { return clock }}
	b := &busyFires{clock: &clock, cost: cost}
	timers := make([]Timer, n)
	for i := range timers {
		timers[i].Init(b, 0)
		w.add(&timers[i], 10*time.Millisecond)
	}
	clock = 12 * time.Millisecond
	w.advance(clock)
	if len(b.late) != n {
		t.Fatalf("%d timers fired, want %d", len(b.late), n)
	}
	for i, late := range b.late {
		want := 2*time.Millisecond + time.Duration(i)*cost
		if late != want || b.now[i] != 10*time.Millisecond+want {
			t.Errorf("timer %d: late %v at %v, want %v at %v (the pass began 2 ms late, each callback before it took %v)",
				i, late, b.now[i], want, 10*time.Millisecond+want, cost)
		}
	}
}
