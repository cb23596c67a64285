package evloop

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Handler owns one registered descriptor and is called from the loop's
// goroutine when it is ready. events is the epoll event mask (EPOLLIN,
// EPOLLOUT, EPOLLHUP, EPOLLERR, EPOLLRDHUP).
type Handler interface {
	OnEvent(events uint32)
}

// Clock returns the time since an origin the caller chooses (a run's start).
// It must be monotonic.
type Clock func() time.Duration

// Loop is one epoll event loop with its timing wheel and a queue of work
// submitted from other goroutines.
type Loop struct {
	epfd  int
	epf   *os.File        // the epoll descriptor, registered with Go's netpoller
	epraw syscall.RawConn // to wait on epf without holding a P
	waitN int             // calls of waitReady within one wait
	ready int             // events waitReady found
	evfd  int
	// tfd is a timerfd in the epoll set, armed for the wheel's next timer
	// (armed: that time, -1 when it fired or was never armed). The loop
	// parks through Go's netpoller, whose own deadlines are served by an
	// epoll_wait timeout in whole milliseconds: a timer due in 300 µs
	// fired 700 µs late, and the 100 000-client hold's lateness p50 was
	// 0.45 ms, p90 1.0 ms for that alone. The kernel's timer wakes the
	// epoll set at the nanosecond (p50 0.05 ms).
	tfd   int
	armed time.Duration
	clock Clock
	// Buf is the loop's shared read buffer: handlers read into it and must
	// not keep references to it after OnEvent returns.
	Buf []byte

	handlers []Handler // indexed by descriptor
	gens     []int32   // generation per descriptor: events of a reused fd are dropped
	events   []unix.EpollEvent
	wheel    wheel

	mu      sync.Mutex
	queue   []func()
	spare   []func()
	woken   atomic.Bool
	stopped atomic.Bool
	started atomic.Bool
	exited  atomic.Bool // Run returned, for whatever reason
	err     error       // why Run returned early; read after done is closed
	done    chan struct{}
	nfds    int
	turns   atomic.Int64 // iterations of Run, for tests of idle behaviour

	// busy is the time the loop spent working (not parked) since the last
	// TakeBusy, longest its longest stretch of work without a pause;
	// awake is when it last woke up. All loop-owned.
	busy, longest, awake time.Duration
	// cpu is the CPU time the loop's thread used while busy, cpuAwake the
	// thread's CPU clock when it last woke up and tidAwake that thread:
	// busy wall time that was not CPU time is time the operating system
	// ran something else. sampled says whether this stretch's wake-up read
	// the clock, sampledAt when the last one did (see wake).
	cpu, cpuAwake time.Duration
	tidAwake      int
	sampled       bool
	sampledAt     time.Duration
}

// cpuSampleEvery bounds how often a wake-up reads the thread's CPU clock:
// reading it takes two system calls at the wake-up and two at the next
// park (gettid and clock_gettime, which has no vDSO path for a thread's
// clock), 7 % of a 100 000-client hold's load-generator CPU when every
// wake-up did. A stretch whose wake-up came sooner than this after the
// last sampled one counts as run. Starvation is not missed for it: a loop
// kept off the CPU has long gaps between its wake-ups, each of which is
// then sampled, and a stretch shorter than this can hide at most this
// much.
const cpuSampleEvery = time.Millisecond

// Options configure a Loop. Zero means default.
type Options struct {
	// BufSize is the size of the shared read buffer; zero means 64 KiB.
	BufSize int
	// MaxEvents is how many events one epoll_wait returns at most; zero
	// means 1024.
	MaxEvents int
}

// New creates a loop that reads time from clock.
func New(clock Clock, o Options) (*Loop, error) {
	if o.BufSize <= 0 {
		o.BufSize = 64 << 10
	}
	if o.MaxEvents <= 0 {
		o.MaxEvents = 128
	}
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	evfd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(evfd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, evfd, &ev); err != nil {
		unix.Close(epfd)
		unix.Close(evfd)
		return nil, fmt.Errorf("epoll_ctl add eventfd: %w", err)
	}
	// The epoll descriptor is itself pollable: Go's netpoller wakes the loop
	// when it has events, so an idle loop parks its goroutine instead of
	// blocking a thread (and its P) in epoll_wait, which would starve
	// every other goroutine until sysmon retakes the P (up to 10 ms).
	if err := unix.SetNonblock(epfd, true); err != nil {
		unix.Close(epfd)
		unix.Close(evfd)
		return nil, fmt.Errorf("epoll nonblock: %w", err)
	}
	// Edge-triggered: an expiry is one event, and re-arming resets the
	// timer, so the loop never reads the timerfd.
	tfd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		unix.Close(evfd)
		return nil, fmt.Errorf("timerfd: %w", err)
	}
	tev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET, Fd: int32(tfd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, tfd, &tev); err != nil {
		unix.Close(epfd)
		unix.Close(evfd)
		unix.Close(tfd)
		return nil, fmt.Errorf("epoll_ctl add timerfd: %w", err)
	}
	epf := os.NewFile(uintptr(epfd), "epoll")
	raw, err := epf.SyscallConn()
	if err != nil {
		epf.Close()
		unix.Close(evfd)
		unix.Close(tfd)
		return nil, fmt.Errorf("epoll raw conn: %w", err)
	}
	l := &Loop{
		epfd:   epfd,
		epf:    epf,
		epraw:  raw,
		evfd:   evfd,
		tfd:    tfd,
		armed:  -1,
		clock:  clock,
		Buf:    make([]byte, o.BufSize),
		events: make([]unix.EpollEvent, o.MaxEvents),
		done:   make(chan struct{}),
	}
	l.wheel.cur = int64(clock()/Tick) - 1
	l.wheel.clock = clock
	return l, nil
}

// TakeBusy returns how long the loop has been working — handling events,
// timers and submitted work, rather than waiting for them — since the
// previous call, its longest stretch of work without a pause (an event
// that became ready during a stretch waited at most that long), and the
// CPU time its thread actually got while busy, and starts counting again.
// Time the operating system gave to other threads while the loop was
// runnable counts as busy (to the loop's timers and events it is delay all
// the same) but not as CPU. Call it from the loop's goroutine.
func (l *Loop) TakeBusy() (busy, longest, cpu time.Duration) {
	now := l.clock()
	stretch := now - l.awake
	busy = l.busy + stretch
	longest = max(l.longest, stretch)
	l.endStretch(stretch)
	cpu = l.cpu
	// The rest of this stretch counts towards the next call: sampled
	// from here, once per call (per interval).
	l.busy, l.longest, l.awake, l.cpu = 0, 0, now, 0
	l.cpuAwake, l.tidAwake = threadCPU(), unix.Gettid()
	l.sampled, l.sampledAt = true, now
	return busy, longest, cpu
}

// wake starts a stretch of work at l.awake, reading the thread's CPU
// clock if cpuSampleEvery has passed since the last wake-up that did.
func (l *Loop) wake() {
	if l.sampled = l.awake-l.sampledAt >= cpuSampleEvery; l.sampled {
		l.cpuAwake, l.tidAwake = threadCPU(), unix.Gettid()
		l.sampledAt = l.awake
	}
}

// endStretch adds the CPU time of the stretch of work that lasted wall
// and ends now: measured if its wake-up was sampled, else all of it.
func (l *Loop) endStretch(wall time.Duration) {
	if !l.sampled {
		l.cpu += wall
		return
	}
	l.cpu += l.stretchCPU(unix.Gettid(), threadCPU(), wall)
}

// stretchCPU is the CPU time of a stretch of work that began at the last
// wake-up and lasted wall on thread tid, whose CPU clock reads tc now. The
// loop's goroutine is not locked to a thread (a locked thread costs a
// hand-off at every wake-up, which showed as timer lateness): on the same
// thread as at the wake-up, the clock's advance is the loop's; after the
// runtime moved the goroutine (rare: only a preemption does), the stretch
// counts as run, so that a move never reads as starvation.
func (l *Loop) stretchCPU(tid int, tc, wall time.Duration) time.Duration {
	if tid == l.tidAwake && tc >= l.cpuAwake {
		return tc - l.cpuAwake
	}
	return wall
}

// threadCPU returns the CPU time of the calling OS thread (a variable so
// that a test can count the reads).
var threadCPU = readThreadCPU

func readThreadCPU() time.Duration {
	var ts unix.Timespec
	if clockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// Now returns the loop's clock.
func (l *Loop) Now() time.Duration { return l.clock() }

// Conns returns the number of registered descriptors.
func (l *Loop) Conns() int { return l.nfds }

// Timers returns the number of armed timers.
func (l *Loop) Timers() int { return l.wheel.n }

// Schedule arms t to fire at when (loop clock); an armed timer is moved.
func (l *Loop) Schedule(t *Timer, when time.Duration) { l.wheel.add(t, when) }

// Cancel disarms t; a disarmed timer is left alone.
func (l *Loop) Cancel(t *Timer) { l.wheel.remove(t) }

// Add registers fd for the given epoll events (edge-triggered is the
// caller's choice through unix.EPOLLET) and returns nil or the epoll error.
func (l *Loop) Add(fd int, events uint32, h Handler) error {
	for fd >= len(l.handlers) {
		n := 2*len(l.handlers) + 64
		hs := make([]Handler, n)
		copy(hs, l.handlers)
		gs := make([]int32, n)
		copy(gs, l.gens)
		l.handlers, l.gens = hs, gs
	}
	l.gens[fd]++
	ev := unix.EpollEvent{Events: events, Fd: int32(fd), Pad: l.gens[fd]}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return fmt.Errorf("epoll_ctl add %d: %w", fd, err)
	}
	l.handlers[fd] = h
	l.nfds++
	return nil
}

// Modify changes the event mask of a registered fd.
func (l *Loop) Modify(fd int, events uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(fd), Pad: l.gens[fd]}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_MOD, fd, &ev); err != nil {
		return fmt.Errorf("epoll_ctl mod %d: %w", fd, err)
	}
	return nil
}

// Remove unregisters fd. Call it before closing fd: descriptor numbers are
// reused at once, and the generation bump drops events already queued for
// the old socket.
func (l *Loop) Remove(fd int) {
	if fd < 0 || fd >= len(l.handlers) || l.handlers[fd] == nil {
		return
	}
	_ = unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, fd, nil)
	l.forget(fd)
}

// CloseFD unregisters fd and closes it, one system call fewer than Remove
// and close: the kernel drops an epoll registration by itself when the
// last descriptor of the socket closes. Only for sockets no other
// descriptor refers to (never duplicated, never shared with a child).
// abort closes with an RST (SO_LINGER 0) instead of a FIN.
func (l *Loop) CloseFD(fd int, abort bool) error {
	if fd >= 0 && fd < len(l.handlers) && l.handlers[fd] != nil {
		l.forget(fd)
	}
	if abort {
		return Abort(fd)
	}
	return unix.Close(fd)
}

func (l *Loop) forget(fd int) {
	l.handlers[fd] = nil
	l.gens[fd]++
	l.nfds--
}

// Submit queues fn to run on the loop's goroutine and wakes the loop. It
// is safe for concurrent use. After Stop, or once Run has returned, fn is
// dropped and Submit reports false: a caller waiting for fn must also
// watch Done, or it waits forever on a dead loop.
func (l *Loop) Submit(fn func()) bool {
	if l.stopped.Load() || l.exited.Load() {
		return false
	}
	l.mu.Lock()
	l.queue = append(l.queue, fn)
	l.mu.Unlock()
	if l.woken.CompareAndSwap(false, true) {
		var one = [8]byte{1}
		_, _ = unix.Write(l.evfd, one[:])
	}
	return true
}

// Done is closed when Run has returned, because of Stop or of an error.
func (l *Loop) Done() <-chan struct{} { return l.done }

// Err returns why Run returned: nil after Stop, the epoll error otherwise.
// It is meaningful once Done is closed.
func (l *Loop) Err() error {
	select {
	case <-l.done:
		return l.err
	default:
		return nil
	}
}

// Stop asks the loop to return from Run after the current iteration. It
// is safe for concurrent use and waits until Run has returned (if it was
// ever started).
func (l *Loop) Stop() {
	first := !l.stopped.Swap(true)
	if !l.started.Load() {
		return
	}
	if !first {
		<-l.done
		return
	}
	var one = [8]byte{1}
	_, _ = unix.Write(l.evfd, one[:])
	<-l.done
}

// Close releases the loop's epoll, eventfd and timerfd descriptors (not
// the handlers' descriptors). Call it after Stop.
func (l *Loop) Close() {
	l.epf.Close()
	unix.Close(l.evfd)
	unix.Close(l.tfd)
}

// Run processes events, timers and submitted work until Stop. It returns
// early only when epoll fails; Done and Err then tell waiting callers.
func (l *Loop) Run() (err error) {
	if l.started.Swap(true) {
		return errors.New("evloop: Run called twice")
	}
	defer func() {
		l.err = err
		l.exited.Store(true)
		close(l.done)
	}()
	l.awake, l.sampledAt = l.clock(), -cpuSampleEvery
	l.wake()
	wait := l.waitReady // one method value for the loop's life: no allocation per wait
	for !l.stopped.Load() {
		l.turns.Add(1)
		n, err := epollPoll(l.epfd, l.events)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("epoll_wait: %w", err)
		}
		if n <= 0 {
			l.runQueue()
			l.wheel.advance(l.clock())
			if l.stopped.Load() {
				break
			}
			if n, err = l.park(wait); err != nil {
				return err
			}
		}
		for i := 0; i < n; i++ {
			ev := &l.events[i]
			fd := int(ev.Fd)
			if fd == l.evfd {
				l.drainWake()
				continue
			}
			if fd == l.tfd {
				l.armed = -1
				continue
			}
			if fd < len(l.handlers) && l.handlers[fd] != nil && l.gens[fd] == ev.Pad {
				l.handlers[fd].OnEvent(ev.Events)
			}
		}
		l.runQueue()
		l.wheel.advance(l.clock())
	}
	return nil
}

// park waits until the epoll descriptor has events or the next timer is
// due, through Go's netpoller. It returns the events it found in l.events.
func (l *Loop) park(wait func(uintptr) bool) (int, error) {
	if at := l.wheel.next(); at >= 0 {
		d := at - l.clock()
		if d <= 0 {
			return 0, nil
		}
		if err := l.arm(at, d); err != nil {
			return 0, err
		}
	}
	l.waitN, l.ready = 0, 0
	stretch := l.clock() - l.awake
	l.busy += stretch
	l.longest = max(l.longest, stretch)
	l.endStretch(stretch)
	err := l.epraw.Read(wait)
	l.awake = l.clock()
	l.wake()
	if err != nil {
		return 0, fmt.Errorf("epoll wait: %w", err)
	}
	return l.ready, nil
}

// arm sets the timerfd to expire in d, for the timer due at at, unless it
// is already armed for at. A timer armed for a later time than the next
// is re-armed; one armed earlier than needed (its timer was cancelled)
// too, rather than costing a wake-up for nothing.
func (l *Loop) arm(at, d time.Duration) error {
	if at == l.armed {
		return nil
	}
	its := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	if err := timerfdSettime(l.tfd, &its); err != nil {
		return fmt.Errorf("timerfd_settime: %w", err)
	}
	l.armed = at
	return nil
}

// waitReady makes RawConn.Read wait once for readability. RawRead clears
// any readiness the netpoller noted before it calls waitReady, and the
// netpoller watches the epoll descriptor edge-triggered, so an event that
// arrived just before would be lost: the first call therefore polls the
// epoll set once more itself. The call after a wake-up says "done".
func (l *Loop) waitReady(uintptr) bool {
	l.waitN++
	if l.waitN > 1 {
		return true
	}
	if n, _ := epollPoll(l.epfd, l.events); n > 0 {
		l.ready = n
		return true
	}
	return false
}

func (l *Loop) drainWake() {
	var buf [8]byte
	_, _ = rawRead(l.evfd, buf[:])
	l.woken.Store(false)
}

func (l *Loop) runQueue() {
	l.mu.Lock()
	q := l.queue
	l.queue = l.spare[:0]
	l.mu.Unlock()
	for i, fn := range q {
		fn()
		q[i] = nil
	}
	l.spare = q[:0]
}
