package loadgen

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// The worker protocol: the coordinator writes one JSON request per line to
// a worker's stdin and reads one JSON reply per line from its stdout. It is
// the Controller interface, spoken over a pipe, so a worker process (or a
// worker on another machine behind any byte stream) is driven exactly like
// the in-process Fleet.

type request struct {
	Op    string        `json:"op"`
	At    time.Duration `json:"at,omitempty"`
	Phase string        `json:"phase,omitempty"`
	K     int           `json:"k,omitempty"`
	Order *StormOrder   `json:"order,omitempty"`
}

type reply struct {
	Err     string        `json:"err,omitempty"`
	Status  *Status       `json:"status,omitempty"`
	Applied *StormApplied `json:"applied,omitempty"`
	Live    *Live         `json:"live,omitempty"`
}

// Remote drives a fleet in another process through the worker protocol.
// Its methods are safe for concurrent use (requests are serialised).
// Every call has a deadline: a worker that stopped answering is an error,
// never a hang. A worker that is only slow — its loops saturated, its
// process starved of CPU on an overloaded machine — is given more time as
// long as Alive says it is making progress, up to a hard limit per
// request. After a failed exchange the stream is out of step, so the
// Remote is broken and every later call fails at once with the first
// error.
type Remote struct {
	// Name names the worker in errors ("load-generator worker 2 (pid 123)").
	Name string
	// Alive, when set, reports whether the worker is still making
	// progress (running, not stopped, using CPU); it is asked each time a
	// request's deadline passes. Nil: the first deadline is final.
	Alive func() bool

	mu     sync.Mutex
	w      io.Writer
	r      io.Reader
	enc    *json.Encoder
	dec    *json.Decoder
	closed bool
	broken error
}

// NewRemote speaks the worker protocol on w (the worker's stdin) and r
// (its stdout).
func NewRemote(w io.Writer, r io.Reader) *Remote {
	return &Remote{w: w, r: r, enc: json.NewEncoder(w), dec: json.NewDecoder(bufio.NewReader(r))}
}

// ErrWorkerTimeout reports a worker that did not answer within the
// deadline of the request.
var ErrWorkerTimeout = errors.New("worker did not answer in time")

// WorkerError is a failed exchange with a worker: which worker, which
// request, and why (ErrWorkerTimeout, a broken pipe, …).
type WorkerError struct {
	Name string
	Op   string
	Err  error
}

func (e *WorkerError) Error() string { return fmt.Sprintf("%s: %s: %v", e.Name, e.Op, e.Err) }
func (e *WorkerError) Unwrap() error { return e.Err }

// Broken returns the error that broke the exchange with the worker, or nil.
func (m *Remote) Broken() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.broken
}

// RemoteTimeout returns how long a worker may take to answer op before it
// is asked whether it is alive: a status is read from atomics, without
// waiting for the loops, so only a stopped or starved process takes
// longer; a drain waits for closing handshakes; close writes the worker's
// results.
func RemoteTimeout(op string) time.Duration {
	switch op {
	case "drain", "close":
		return 90 * time.Second
	case "status", "live":
		return 5 * time.Second
	}
	return 15 * time.Second
}

// RemotePatience is the most a worker that is alive but slow is given to
// answer op.
func RemotePatience(op string) time.Duration {
	switch op {
	case "drain", "close":
		return 10 * time.Minute
	}
	return 2 * time.Minute
}

type readDeadliner interface{ SetReadDeadline(time.Time) error }
type writeDeadliner interface{ SetWriteDeadline(time.Time) error }

func (m *Remote) call(q request) (reply, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var p reply
	if m.broken != nil {
		return p, m.broken
	}
	if m.closed {
		return p, errors.New("worker: closed")
	}
	name := m.Name
	if name == "" {
		name = "worker"
	}
	fail := func(err error) (reply, error) {
		m.broken = &WorkerError{Name: name, Op: q.Op, Err: err}
		return p, m.broken
	}
	start := time.Now()
	if d, ok := m.w.(writeDeadliner); ok {
		_ = d.SetWriteDeadline(start.Add(RemotePatience(q.Op)))
	}
	if err := m.enc.Encode(q); err != nil {
		return fail(timeoutErr(err))
	}
	// The reply is read by a goroutine of its own, so that the wait can
	// ask the worker whether it is alive without breaking the decoder
	// (which keeps a read error for good).
	type result struct {
		p   reply
		err error
	}
	got := make(chan result, 1)
	go func() {
		var r reply
		err := m.dec.Decode(&r)
		got <- result{r, err}
	}()
	slice := RemoteTimeout(q.Op)
	t := time.NewTimer(slice)
	defer t.Stop()
	for {
		select {
		case r := <-got:
			if r.err != nil {
				return fail(fmt.Errorf("no reply: %w", timeoutErr(r.err)))
			}
			if r.p.Err != "" {
				return r.p, &WorkerError{Name: name, Op: q.Op, Err: errors.New(r.p.Err)}
			}
			return r.p, nil
		case <-t.C:
		}
		if m.Alive != nil && time.Since(start) < RemotePatience(q.Op) && m.Alive() {
			t.Reset(slice)
			continue
		}
		// Give up: unblock the reader (a deadline in the past), wait for it.
		if d, ok := m.r.(readDeadliner); ok {
			_ = d.SetReadDeadline(time.Unix(1, 0))
			<-got
		}
		return fail(fmt.Errorf("%w: no reply to %s within %v", ErrWorkerTimeout, q.Op, time.Since(start).Round(time.Millisecond)))
	}
}

// timeoutErr marks a deadline error as ErrWorkerTimeout.
func timeoutErr(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("%w: %w", ErrWorkerTimeout, err)
	}
	return err
}

// Start implements Controller.
func (m *Remote) Start(rampStart time.Duration) error {
	_, err := m.call(request{Op: "start", At: rampStart})
	return err
}

// Status implements Controller.
func (m *Remote) Status() (Status, error) {
	p, err := m.call(request{Op: "status"})
	if err == nil && p.Status == nil {
		err = errors.New("worker status: empty reply")
	}
	if err != nil {
		return Status{Storm: -1}, err
	}
	return *p.Status, nil
}

// Cut implements Controller.
func (m *Remote) Cut(phase string) error {
	_, err := m.call(request{Op: "cut", Phase: phase})
	return err
}

// StormBegin implements Controller.
func (m *Remote) StormBegin(o StormOrder) (StormApplied, error) {
	p, err := m.call(request{Op: "storm_begin", Order: &o})
	if err != nil || p.Applied == nil {
		return StormApplied{T0: -1}, err
	}
	return *p.Applied, nil
}

// StormT0 implements Controller.
func (m *Remote) StormT0(k int, t0 time.Duration) error {
	_, err := m.call(request{Op: "storm_t0", K: k, At: t0})
	return err
}

// StormEnd implements Controller.
func (m *Remote) StormEnd(k int) error {
	_, err := m.call(request{Op: "storm_end", K: k})
	return err
}

// Drain implements Controller.
func (m *Remote) Drain() error {
	_, err := m.call(request{Op: "drain"})
	return err
}

// Close implements Controller: the worker stops its loops and then writes
// its shard and exits.
func (m *Remote) Close() error {
	_, err := m.call(request{Op: "close"})
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	return err
}

// Serve answers the worker protocol read from r with ctl, writing replies
// to w, until "close" (after ctl.Close) or the end of r.
func Serve(r io.Reader, w io.Writer, ctl Controller) error {
	dec := json.NewDecoder(bufio.NewReader(r))
	enc := json.NewEncoder(w)
	for {
		var q request
		if err := dec.Decode(&q); err != nil {
			if errors.Is(err, io.EOF) {
				return errors.New("worker: coordinator went away")
			}
			return fmt.Errorf("worker: read request: %w", err)
		}
		var p reply
		var err error
		switch q.Op {
		case "start":
			err = ctl.Start(q.At)
		case "status":
			var s Status
			s, err = ctl.Status()
			p.Status = &s
		case "live":
			lr, ok := ctl.(LiveReader)
			if !ok {
				err = errors.New("this worker keeps no live figures")
				break
			}
			var l Live
			l, err = lr.Live()
			p.Live = &l
		case "cut":
			err = ctl.Cut(q.Phase)
		case "storm_begin":
			if q.Order == nil {
				err = errors.New("storm_begin without order")
				break
			}
			var a StormApplied
			a, err = ctl.StormBegin(*q.Order)
			p.Applied = &a
		case "storm_t0":
			err = ctl.StormT0(q.K, q.At)
		case "storm_end":
			err = ctl.StormEnd(q.K)
		case "drain":
			err = ctl.Drain()
		case "close":
			err = ctl.Close()
		default:
			err = fmt.Errorf("unknown op %q", q.Op)
		}
		if err != nil {
			p.Err = err.Error()
		}
		if werr := enc.Encode(p); werr != nil {
			return fmt.Errorf("worker: write reply: %w", werr)
		}
		if q.Op == "close" {
			return err
		}
	}
}
