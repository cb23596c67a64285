package experiment

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
)

// Event is something that happened to the harness or the machine during
// a run; the summary lists them.
type Event = reporter.Event

// Event kinds the supervisor records.
const (
	EventServerExited        = reporter.EventServerExited
	EventWorkerExited        = reporter.EventWorkerExited
	EventWorkerUnresponsive  = reporter.EventWorkerUnresponsive
	EventLoopStopped         = reporter.EventLoopStopped
	EventServerRestartFailed = reporter.EventServerRestartFailed
)

// HarnessError ends a run that the harness could not carry out as asked:
// a child died, a worker stopped answering, a loop stopped. Results are
// still written, marked partial with this reason.
type HarnessError struct {
	Event Event
}

func (e *HarnessError) Error() string {
	ev := e.Event
	return fmt.Sprintf("%s: %s at %.1fs during %s: %s", ev.Kind, ev.Process, ev.At.Seconds(), orUnknown(ev.Phase), ev.Detail)
}

func orUnknown(s string) string {
	if s == "" {
		return "start-up"
	}
	return s
}

// supervisor watches the children of a run and records events. The first
// unexpected exit cancels the run's context with a *HarnessError as its
// cause, so that every wait in the scenario returns at once.
type supervisor struct {
	clock  func() time.Duration
	phase  func() string
	cancel context.CancelCauseFunc

	mu     sync.Mutex
	events []Event
	// failed is closed by the first failure.
	failed   chan struct{}
	failOnce sync.Once
	// watching counts the children still watched (tests wait for it).
	watching sync.WaitGroup
}

func newSupervisor(clock func() time.Duration, phase func() string, cancel context.CancelCauseFunc) *supervisor {
	return &supervisor{clock: clock, phase: phase, cancel: cancel, failed: make(chan struct{})}
}

// watch follows c until it exits; an exit nobody asked for is an event of
// kind and fails the run.
func (s *supervisor) watch(c *child, kind reporter.EventKind) {
	s.watching.Add(1)
	go func() {
		defer s.watching.Done()
		<-c.exited
		if c.expected.Load() {
			return
		}
		detail := c.status()
		if l := c.tail.lastLine(); l != "" {
			detail += "; its last message: " + l
		}
		s.fail(Event{Kind: kind, Process: fmt.Sprintf("%s (pid %d)", c.name, c.pid()), Detail: detail})
	}()
}

// fail records ev (stamped with the time and phase) and cancels the run.
func (s *supervisor) fail(ev Event) {
	ev = s.record(ev)
	s.cancel(&HarnessError{Event: ev})
	s.failOnce.Do(func() { close(s.failed) })
}

// settle gives the watchers a moment to record a child's death before the
// caller moves on: a worker's pipe breaks in the same instant its process
// dies, and the event must name the phase it died in, not the drain that
// the broken pipe starts.
func (s *supervisor) settle(d time.Duration) {
	select {
	case <-s.failed:
	case <-time.After(d):
	}
}

// supervised is a fleet whose errors first let the supervisor record the
// death behind them.
type supervised struct {
	loadgen.Controller
	sup *supervisor
}

func (c supervised) settle(err error) error {
	if err == nil {
		return nil
	}
	c.sup.settle(time.Second)
	var we *loadgen.WorkerError
	if errors.Is(err, loadgen.ErrWorkerTimeout) && errors.As(err, &we) {
		// Alive but silent (stopped, or stuck): a failure of the harness too.
		c.sup.fail(Event{Kind: EventWorkerUnresponsive, Process: we.Name, Detail: fmt.Sprintf("no answer to %q within %v", we.Op, loadgen.RemoteTimeout(we.Op))})
	}
	return err
}

// Start implements loadgen.Controller.
func (c supervised) Start(at time.Duration) error { return c.settle(c.Controller.Start(at)) }

// Status implements loadgen.Controller.
func (c supervised) Status() (loadgen.Status, error) {
	st, err := c.Controller.Status()
	return st, c.settle(err)
}

// Cut implements loadgen.Controller.
func (c supervised) Cut(phase string) error { return c.settle(c.Controller.Cut(phase)) }

// StormBegin implements loadgen.Controller.
func (c supervised) StormBegin(o loadgen.StormOrder) (loadgen.StormApplied, error) {
	a, err := c.Controller.StormBegin(o)
	return a, c.settle(err)
}

// StormT0 implements loadgen.Controller.
func (c supervised) StormT0(k int, t0 time.Duration) error {
	return c.settle(c.Controller.StormT0(k, t0))
}

// StormEnd implements loadgen.Controller.
func (c supervised) StormEnd(k int) error { return c.settle(c.Controller.StormEnd(k)) }

// record stamps and keeps an event that does not end the run.
func (s *supervisor) record(ev Event) Event {
	if ev.At == 0 {
		ev.At = s.clock()
	}
	if ev.Phase == "" && s.phase != nil {
		ev.Phase = s.phase()
	}
	s.mu.Lock()
	s.events = append(s.events, ev)
	s.mu.Unlock()
	return ev
}

// Events returns what was recorded, in order.
func (s *supervisor) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events...)
}
