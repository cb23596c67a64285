package loadgen

import (
	"errors"
	"sync"
	"time"
)

// Multi is one fleet made of several: every operation runs on all of them
// at once, statuses add, and a storm's T0 is the earliest shard's.
type Multi []Controller

var _ Controller = Multi(nil)

func (m Multi) each(fn func(i int, c Controller) error) error {
	errs := make([]error, len(m))
	var wg sync.WaitGroup
	for i, c := range m {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i, c)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Start implements Controller.
func (m Multi) Start(at time.Duration) error {
	return m.each(func(_ int, c Controller) error { return c.Start(at) })
}

// Status implements Controller.
func (m Multi) Status() (Status, error) {
	parts := make([]Status, len(m))
	err := m.each(func(i int, c Controller) error {
		var e error
		parts[i], e = c.Status()
		return e
	})
	s := Status{Storm: -1}
	for _, p := range parts {
		s = s.Add(p)
	}
	// The current storm is the one every shard has reached.
	for _, p := range parts {
		s.Storm = min(s.Storm, p.Storm)
	}
	return s, err
}

// Cut implements Controller.
func (m Multi) Cut(phase string) error {
	return m.each(func(_ int, c Controller) error { return c.Cut(phase) })
}

// StormBegin implements Controller.
func (m Multi) StormBegin(o StormOrder) (StormApplied, error) {
	parts := make([]StormApplied, len(m))
	err := m.each(func(i int, c Controller) error {
		var e error
		parts[i], e = c.StormBegin(o)
		return e
	})
	out := StormApplied{T0: -1}
	for _, p := range parts {
		out.Affected += p.Affected
		if p.T0 >= 0 && (out.T0 < 0 || p.T0 < out.T0) {
			out.T0 = p.T0
		}
	}
	return out, err
}

// StormT0 implements Controller.
func (m Multi) StormT0(k int, t0 time.Duration) error {
	return m.each(func(_ int, c Controller) error { return c.StormT0(k, t0) })
}

// StormEnd implements Controller.
func (m Multi) StormEnd(k int) error {
	return m.each(func(_ int, c Controller) error { return c.StormEnd(k) })
}

// Drain implements Controller.
func (m Multi) Drain() error {
	return m.each(func(_ int, c Controller) error { return c.Drain() })
}

// Close implements Controller.
func (m Multi) Close() error {
	return m.each(func(_ int, c Controller) error { return c.Close() })
}
