package sut

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/stormbench/stormbench/internal/evloop"
	"golang.org/x/sys/unix"
	"golang.org/x/time/rate"
)

// Server is one server-under-test process (or one worker of several that
// share a port with SO_REUSEPORT).
type Server struct {
	cfg     Config
	start   time.Time
	epoch   time.Time
	stats   *stats
	shards  []*shard
	limiter *rate.Limiter
	sem     chan struct{}
	next    atomic.Uint32
	logw    io.Writer
	tls     *tls.Config // wss; nil for ws

	lnMu     sync.Mutex
	ln       net.Listener
	addr     string
	acceptWG sync.WaitGroup

	ctl      *http.Server
	ctlLn    net.Listener
	stopOnce sync.Once
	stopped  chan struct{}
	loopsWG  sync.WaitGroup
}

// New validates cfg and prepares a server; Start opens its listeners.
func New(cfg Config, log io.Writer) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.Resolve()
	if cfg.ControlToken == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("generate control token: %w", err)
		}
		cfg.ControlToken = hex.EncodeToString(b[:])
	}
	if log == nil {
		log = io.Discard
	}
	start := time.Now()
	seriesStart := cfg.SeriesStart
	if seriesStart.IsZero() || seriesStart.After(start) {
		seriesStart = start
	}
	s := &Server{cfg: cfg, start: start, epoch: cfg.Epoch, stats: newStats(seriesStart), logw: log, stopped: make(chan struct{})}
	if s.epoch.IsZero() {
		s.epoch = start
	}
	if cfg.AcceptRate > 0 {
		s.limiter = rate.NewLimiter(rate.Limit(cfg.AcceptRate), cfg.AcceptBurst)
	}
	s.sem = make(chan struct{}, cfg.Handshakes)
	if cfg.TLS != nil {
		tc, err := cfg.TLS.serverConfig()
		if err != nil {
			return nil, err
		}
		s.tls = tc
	}
	return s, nil
}

// Config returns the resolved configuration (including a generated token).
func (s *Server) Config() Config { return s.cfg }

// Addr returns the WebSocket listener's address once started.
func (s *Server) Addr() string {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	return s.addr
}

// ControlAddr returns the control API's address once started.
func (s *Server) ControlAddr() string {
	if s.ctlLn == nil {
		return ""
	}
	return s.ctlLn.Addr().String()
}

// Start opens the WebSocket and control listeners and starts the event
// loops. It returns once both listeners accept.
func (s *Server) Start() error {
	n := s.cfg.Loops
	if n == 0 {
		n = runtime.GOMAXPROCS(0)
	}
	clock := func() time.Duration { return time.Since(s.start) }
	for i := 0; i < n; i++ {
		l, err := evloop.New(clock, evloop.Options{})
		if err != nil {
			s.closeLoops()
			return fmt.Errorf("start event loop: %w", err)
		}
		sh := newShard(s, l, uint64(i))
		s.shards = append(s.shards, sh)
	}
	for _, sh := range s.shards {
		s.loopsWG.Add(1)
		go func() {
			defer s.loopsWG.Done()
			if err := sh.loop.Run(); err != nil {
				fmt.Fprintf(s.logw, "sut: event loop: %v\n", err)
			}
		}()
		sh.loop.Submit(sh.startBroadcast)
	}
	if err := s.listen(s.cfg.Listen); err != nil {
		s.closeLoops()
		return err
	}
	if err := s.startControl(); err != nil {
		s.closeListener()
		s.closeLoops()
		return err
	}
	go s.stats.runSampler(s.stopped)
	return nil
}

// listenConfig: Go sizes the backlog from somaxconn, so a storm that
// overflows it shows as SYN retransmits: real physics, measured, not hidden.
func (s *Server) listenConfig() net.ListenConfig {
	return net.ListenConfig{
		Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				if s.cfg.ReusePort {
					serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
				}
			})
			if err != nil {
				return err
			}
			return serr
		},
	}
}

func (s *Server) listen(addr string) error {
	s.renewTicketKey()
	lc := s.listenConfig()
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	s.lnMu.Lock()
	s.ln = ln
	s.addr = ln.Addr().String()
	s.lnMu.Unlock()
	s.acceptWG.Add(1)
	go s.acceptLoop(ln)
	return nil
}

func (s *Server) closeListener() {
	s.lnMu.Lock()
	ln := s.ln
	s.ln = nil
	s.lnMu.Unlock()
	if ln != nil {
		ln.Close()
	}
	s.acceptWG.Wait()
}

func (s *Server) acceptLoop(ln net.Listener) {
	defer s.acceptWG.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// EMFILE and friends: back off briefly instead of spinning.
			fmt.Fprintf(s.logw, "sut: accept: %v\n", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		s.stats.c.accepts.Add(1)
		s.sem <- struct{}{}
		go func() {
			defer func() { <-s.sem }()
			s.handshake(c)
		}()
	}
}

func (s *Server) closeLoops() {
	for _, sh := range s.shards {
		sh.loop.Stop()
	}
	s.loopsWG.Wait()
	for _, sh := range s.shards {
		sh.loop.Close()
	}
}

// Shutdown stops accepting, closes every client with 1001 (going away,
// RFC 6455 §7.4.1), and stops the loops and the control API.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	s.stopOnce.Do(func() {
		close(s.stopped)
		s.closeListener()
		var wg sync.WaitGroup
		for _, sh := range s.shards {
			wg.Add(1)
			sh.loop.Submit(func() {
				defer wg.Done()
				sh.closeAll()
			})
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			err = ctx.Err()
		}
		s.closeLoops()
		if s.ctl != nil {
			if e := s.ctl.Shutdown(ctx); e != nil && err == nil {
				err = e
			}
		}
	})
	return err
}

// Done is closed when Shutdown has begun.
func (s *Server) Done() <-chan struct{} { return s.stopped }

// Stats returns the server's counters and series.
func (s *Server) Stats() Stats {
	return s.stats.snapshot(1, s.lastSeq())
}

func (s *Server) lastSeq() int64 {
	if s.cfg.BroadcastInterval <= 0 {
		return 0
	}
	return s.seqAt(time.Now())
}

// seqAt is the sequence number of the latest message published at or
// before t: message N is published at Epoch + N×interval.
func (s *Server) seqAt(t time.Time) int64 {
	d := t.Sub(s.epoch)
	if d < 0 {
		return 0
	}
	return int64(d / s.cfg.BroadcastInterval)
}

// monoAt converts a wall-clock instant to the loops' clock.
func (s *Server) monoAt(t time.Time) time.Duration { return t.Sub(s.start) }
