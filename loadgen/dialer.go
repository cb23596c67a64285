package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"sync"
	"syscall"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/protocol"
	"golang.org/x/sync/semaphore"
	"golang.org/x/sys/unix"
)

// dialJob is one connection attempt handed from a loop to the dialer.
type dialJob struct {
	c         *client
	scheduled time.Duration // when the attempt should have started
	origStart time.Duration // ≥ 0: the attempt started earlier (SYN retries during a partition)
	query     protocol.Query
	src       int // index into the dialer's source addresses, or -1
	timeout   time.Duration
}

// dialResult is what comes back to the loop.
type dialResult struct {
	start, tcpDone, done time.Duration
	fd                   int
	leftover             []byte // frames that arrived together with the 101 response
	cause                FailCause
	err                  error
}

// dialer runs dial + handshake in short-lived goroutines, at most Dialers
// at once (golang.org/x/sync/semaphore). Jobs wait in a queue rather than
// in parked goroutines, so a storm of 100 000 simultaneous attempts costs
// queue entries, not 100 000 stacks.
type dialer struct {
	clock    evloop.Clock
	sem      *semaphore.Weighted
	ctx      context.Context
	cancel   context.CancelFunc
	u        *url.URL
	addr     string
	dialers  []net.Dialer // one per source address; [0] is the kernel's choice when none are set
	inflight sync.WaitGroup

	mu     sync.Mutex
	queue  []dialJob
	notify chan struct{}
	done   chan struct{}
}

func newDialer(clock evloop.Clock, u *url.URL, limit int, srcs []netip.Addr) *dialer {
	ctx, cancel := context.WithCancel(context.Background())
	d := &dialer{
		clock:  clock,
		sem:    semaphore.NewWeighted(int64(limit)),
		ctx:    ctx,
		cancel: cancel,
		u:      u,
		addr:   hostPort(u),
		notify: make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	if len(srcs) == 0 {
		d.dialers = []net.Dialer{{}}
	}
	for _, ip := range srcs {
		d.dialers = append(d.dialers, net.Dialer{
			LocalAddr: &net.TCPAddr{IP: ip.AsSlice()},
			// IP_BIND_ADDRESS_NO_PORT: Go binds before connect; without it
			// the kernel picks the port at bind time, unaware of the
			// destination, and caps each source address at one port range
			// in total instead of one per destination.
			Control: func(_, _ string, c syscall.RawConn) error {
				var serr error
				err := c.Control(func(fd uintptr) {
					serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
				})
				return errors.Join(err, serr)
			},
		})
	}
	go d.dispatch()
	return d
}

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

// submit queues a job; it never blocks the calling loop.
func (d *dialer) submit(j dialJob) {
	d.inflight.Add(1)
	d.mu.Lock()
	d.queue = append(d.queue, j)
	d.mu.Unlock()
	select {
	case d.notify <- struct{}{}:
	default:
	}
}

func (d *dialer) dispatch() {
	defer close(d.done)
	var batch []dialJob
	for {
		d.mu.Lock()
		batch, d.queue = d.queue, batch[:0]
		d.mu.Unlock()
		for i, j := range batch {
			if err := d.sem.Acquire(d.ctx, 1); err != nil {
				// Canceled: fail what is left without dialing.
				for _, rest := range batch[i:] {
					d.finish(rest, dialResult{start: d.clock(), fd: -1, cause: FailCanceled, err: err})
				}
				d.drainQueue()
				return
			}
			go func() {
				defer d.sem.Release(1)
				d.finish(j, d.dial(j))
			}()
			batch[i] = dialJob{}
		}
		select {
		case <-d.notify:
		case <-d.ctx.Done():
			d.drainQueue()
			return
		}
	}
}

// drainQueue fails every queued job after cancellation, so that each
// attempt still gets exactly one outcome (attempts = connects + failures).
func (d *dialer) drainQueue() {
	for {
		d.mu.Lock()
		q := d.queue
		d.queue = nil
		d.mu.Unlock()
		if len(q) == 0 {
			return
		}
		for _, j := range q {
			d.finish(j, dialResult{start: d.clock(), fd: -1, cause: FailCanceled, err: context.Canceled})
		}
	}
}

func (d *dialer) finish(j dialJob, r dialResult) {
	c := j.c
	c.sh.loop.Submit(func() {
		defer d.inflight.Done()
		c.onDial(r, j)
	})
}

// dial connects and upgrades one connection, then detaches its socket
// from Go's poller so that the loop can own it.
func (d *dialer) dial(j dialJob) (r dialResult) {
	r.fd = -1
	r.start = d.clock()
	if j.origStart >= 0 {
		r.start = j.origStart
	}
	ctx, cancel := context.WithTimeout(d.ctx, j.timeout)
	defer cancel()
	nd := &d.dialers[0]
	if j.src >= 0 && j.src < len(d.dialers) {
		nd = &d.dialers[j.src]
	}
	conn, err := nd.DialContext(ctx, "tcp", d.addr)
	r.tcpDone = d.clock()
	if err != nil {
		r.cause, r.err = classifyDial(err), fmt.Errorf("dial %s: %w", d.addr, err)
		return r
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	u := *d.u
	u.RawQuery = withQuery(d.u.RawQuery, j.query)
	wd := ws.Dialer{}
	br, _, err := wd.Upgrade(conn, &u)
	r.done = d.clock()
	if err != nil {
		conn.Close()
		if ctx.Err() != nil && !errors.Is(err, context.Canceled) {
			err = fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
		}
		r.cause, r.err = classifyDial(err), fmt.Errorf("upgrade %s: %w", d.addr, err)
		return r
	}
	if br != nil {
		if n := br.Buffered(); n > 0 {
			r.leftover = make([]byte, n)
			_, _ = br.Read(r.leftover)
		}
		ws.PutReader(br)
	}
	_ = conn.SetDeadline(time.Time{})
	fd, err := evloop.Detach(conn)
	if err != nil {
		r.cause, r.err = FailOther, err
		return r
	}
	r.fd = fd
	return r
}

// withQuery adds the client's ?client=ID&resume=SEQ to the URL's own query.
func withQuery(raw string, q protocol.Query) string {
	var b []byte
	if raw == "" {
		b = protocol.AppendURI(nil, "", q)
	} else {
		b = protocol.AppendURI(nil, "?"+raw, q)
	}
	if len(b) == 0 {
		return ""
	}
	return string(b[1:]) // drop the '?'
}

// close cancels queued and in-flight attempts and waits until every one
// has reported back to its loop.
func (d *dialer) close() {
	d.cancel()
	<-d.done
	d.inflight.Wait()
}
