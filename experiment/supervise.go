package experiment

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// EventKind says what happened to the harness or the machine during a run.
type EventKind uint8

// Event kinds.
const (
	// EventServerExited: the embedded server exited without being asked to.
	EventServerExited EventKind = iota + 1
	// EventWorkerExited: a load-generator worker exited without being asked to.
	EventWorkerExited
	// EventWorkerUnresponsive: a worker did not answer the coordinator in time.
	EventWorkerUnresponsive
	// EventLoopStopped: an event loop of the coordinator's own fleet stopped.
	EventLoopStopped
	// EventServerRestartFailed: the embedded server could not be started
	// again after a crash fault.
	EventServerRestartFailed
	// EventKernelTCPMemoryPressure: the kernel's TCP memory reached the
	// pressure threshold of net.ipv4.tcp_mem.
	EventKernelTCPMemoryPressure
	// EventKernelTCPMemoryExhausted: the kernel's TCP memory reached the
	// maximum of net.ipv4.tcp_mem: sockets lose data and connections.
	EventKernelTCPMemoryExhausted
	numEventKinds
)

var eventNames = [numEventKinds]string{"", "server_exited", "worker_exited", "worker_unresponsive",
	"loop_stopped", "server_restart_failed", "kernel_tcp_memory_pressure", "kernel_tcp_memory_exhausted"}

// String returns the kind's name as results files use it.
func (k EventKind) String() string {
	if k > 0 && k < numEventKinds {
		return eventNames[k]
	}
	return "unknown"
}

// Event is something that happened to the harness or the machine during a
// run, recorded in the summary.
type Event struct {
	// At is the time since the run's start.
	At time.Duration
	// Kind says what happened.
	Kind EventKind
	// Process names the process concerned ("embedded server (pid 123)").
	Process string
	// Phase is the scenario phase at the time ("hold", "storm-1", …).
	Phase string
	// Detail is the exit status, the error, the last line of its stderr.
	Detail string
}

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
	// watching counts the children still watched (tests wait for it).
	watching sync.WaitGroup
}

func newSupervisor(clock func() time.Duration, phase func() string, cancel context.CancelCauseFunc) *supervisor {
	return &supervisor{clock: clock, phase: phase, cancel: cancel}
}

// watch follows c until it exits; an exit nobody asked for is an event of
// kind and fails the run.
func (s *supervisor) watch(c *child, kind EventKind) {
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
}

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
