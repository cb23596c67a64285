package reporter

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// EventKind says what happened to the harness or its machine during a run.
type EventKind uint8

// Event kinds. They describe the measuring side, never the server's
// behaviour as measured: an event says why a figure may be incomplete.
const (
	// EventUnknown is the zero value; it is not written.
	EventUnknown EventKind = iota
	// EventServerExited: the embedded server (or one of its workers)
	// exited when no fault asked it to.
	EventServerExited
	// EventWorkerExited: a load-generator worker process exited before the
	// end of the run; its clients' results are lost.
	EventWorkerExited
	// EventLoopStopped: an event loop stopped before the end of the run.
	EventLoopStopped
	// EventKernelTCPMemoryPressure: the kernel's TCP memory entered its
	// pressure band (net.ipv4.tcp_mem, second value): it shrinks socket
	// buffers from then on.
	EventKernelTCPMemoryPressure
	// EventKernelTCPMemoryExhausted: the kernel's TCP memory reached its
	// limit (net.ipv4.tcp_mem, third value) or aborted sockets for lack of
	// memory: connections lost then were lost to the machine, not the
	// server.
	EventKernelTCPMemoryExhausted
	// EventListenOverflow: a listen queue of the machine overflowed
	// (ListenOverflows/ListenDrops in /proc/net/netstat): the kernel
	// dropped connection attempts before any process saw them.
	EventListenOverflow
	// EventWorkerUnresponsive: a load-generator worker stopped answering
	// the coordinator within its deadline.
	EventWorkerUnresponsive
	// EventServerRestartFailed: the embedded server could not be started
	// again after a crash fault.
	EventServerRestartFailed
	numEventKinds
)

var eventKindNames = [numEventKinds]string{
	"unknown", "server_exited", "worker_exited", "loop_stopped",
	"kernel_tcp_memory_pressure", "kernel_tcp_memory_exhausted", "listen_overflow",
	"worker_unresponsive", "server_restart_failed",
}

// String returns the kind's name as results files use it.
func (k EventKind) String() string {
	if k < numEventKinds {
		return eventKindNames[k]
	}
	return "unknown"
}

// MarshalText encodes the kind by name.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes a kind name; unknown names are an error.
func (k *EventKind) UnmarshalText(b []byte) error {
	for i, n := range eventKindNames {
		if i > 0 && n == string(b) {
			*k = EventKind(i)
			return nil
		}
	}
	return fmt.Errorf("unknown event kind %q", b)
}

// EventKinds lists every kind (EventUnknown excluded).
func EventKinds() []EventKind {
	out := make([]EventKind, 0, numEventKinds-1)
	for k := EventKind(1); k < numEventKinds; k++ {
		out = append(out, k)
	}
	return out
}

// Event is something that happened to the harness or its machine during a
// run. In JSON its time is "t_s", seconds since the run start.
type Event struct {
	// At is when it happened (or was noticed), as an offset from the run
	// start.
	At time.Duration
	// Kind says what happened.
	Kind EventKind
	// Process names the process it concerns, e.g. "worker 3", "server",
	// "coordinator", "kernel".
	Process string
	// Phase is the phase it happened in; Summarize fills it from At when
	// empty.
	Phase string
	// Detail says more, e.g. an exit status.
	Detail string
}

// eventJSON is the JSON layout of an Event.
type eventJSON struct {
	TS      float64   `json:"t_s"`
	Kind    EventKind `json:"kind"`
	Process string    `json:"process"`
	Phase   string    `json:"phase"`
	Detail  string    `json:"detail"`
}

// MarshalJSON writes the event with its time in seconds.
func (e Event) MarshalJSON() ([]byte, error) {
	return json.Marshal(eventJSON{TS: e.At.Seconds(), Kind: e.Kind, Process: e.Process, Phase: e.Phase, Detail: e.Detail})
}

// UnmarshalJSON reads an event written by MarshalJSON.
func (e *Event) UnmarshalJSON(b []byte) error {
	var j eventJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("event: %w", err)
	}
	if math.IsNaN(j.TS) || math.Abs(j.TS) > float64(math.MaxInt64/int64(time.Second)) {
		return fmt.Errorf("event: time %v s out of range", j.TS)
	}
	*e = Event{At: time.Duration(math.Round(j.TS * float64(time.Second))), Kind: j.Kind, Process: j.Process, Phase: j.Phase, Detail: j.Detail}
	return nil
}

// maxEvents bounds the events a Recorder keeps, so that a flapping
// condition cannot grow memory without limit; later events are counted in
// Shard.EventsDropped.
const maxEvents = 1000
