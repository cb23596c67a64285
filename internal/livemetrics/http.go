package livemetrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MetricsPath is the one path the live view serves.
const MetricsPath = "/metrics"

// Limits of the metrics endpoint. A scrape asks the fleet for its state
// (with worker processes, a request to each, answered within 5 s), so a
// scrape may take seconds but no more than the gather timeout; a
// Prometheus server scrapes one at a time, and a few more (a curl, a
// second Prometheus) are served beside it; beyond that the endpoint
// answers 503 rather than piling requests onto the fleet.
const (
	gatherTimeout       = 20 * time.Second
	maxScrapesInFlight  = 8
	shutdownGracePeriod = 2 * time.Second
)

// Handler returns the live view's handler: GET (or HEAD) /metrics serves
// g in the Prometheus text exposition format (or what the scraper
// negotiates); every other path is 404. When gathering fails (a source
// returned an error, a snapshot broke the contract) the answer is HTTP 500
// with the error in the body and no metrics.
func Handler(g prometheus.Gatherer) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+MetricsPath, promhttp.HandlerFor(g, promhttp.HandlerOpts{
		ErrorHandling:       promhttp.HTTPErrorOnError,
		MaxRequestsInFlight: maxScrapesInFlight,
		Timeout:             gatherTimeout,
	}))
	return mux
}

// Options tune Listen and Serve.
type Options struct {
	// AllowNonLoopback permits a listen address outside 127.0.0.0/8 and
	// ::1 (another interface, or every interface with an empty host).
	// Without it such an address is refused with ErrNotLoopback: the live
	// view shows a staging run's internals (fleet size, faults, failure
	// causes) to whoever reaches the port, and has no authentication.
	AllowNonLoopback bool
}

// Server is a running live view.
type Server struct {
	addr string
	done chan struct{}
	err  error
}

// Listen listens on addr (host:port; port 0 picks a free one) and serves
// Handler(g) there until ctx is done. It returns once the listener is
// bound, so that the caller can print the address; the server stops in
// the background, letting scrapes in progress finish for a moment.
func Listen(ctx context.Context, addr string, g prometheus.Gatherer, o Options) (*Server, error) {
	if err := checkListenAddr(addr, o.AllowNonLoopback); err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listen %s: %w", addr, err)
	}
	if err := checkBound(ln.Addr(), o.AllowNonLoopback); err != nil {
		ln.Close()
		return nil, err
	}
	hs := &http.Server{
		Handler: Handler(g),
		// Timeouts on every stage, so that a client that connects and
		// sends nothing, reads slowly or idles on a keep-alive connection
		// does not hold a connection and a goroutine for the whole run.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      gatherTimeout + 10*time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	s := &Server{addr: ln.Addr().String(), done: make(chan struct{})}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	go func() {
		defer close(s.done)
		select {
		case err := <-served:
			// Serve returns only on a listener failure before ctx ends.
			s.err = fmt.Errorf("metrics server %s: %w", s.addr, err)
			return
		case <-ctx.Done():
		}
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGracePeriod)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			_ = hs.Close()
		}
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.err = fmt.Errorf("metrics server %s: %w", s.addr, err)
		}
	}()
	return s, nil
}

// Addr returns the bound address (host:port), with the port chosen for a
// port 0.
func (s *Server) Addr() string { return s.addr }

// Done is closed when the server has stopped: its context ended (and
// scrapes in progress finished or were cut), or its listener failed.
func (s *Server) Done() <-chan struct{} { return s.done }

// Err returns why the server stopped on its own, once Done is closed; nil
// after a stop by its context.
func (s *Server) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Serve is Listen for callers that need only the bound address: the
// server runs until ctx is done.
func Serve(ctx context.Context, addr string, g prometheus.Gatherer, o Options) (string, error) {
	s, err := Listen(ctx, addr, g, o)
	if err != nil {
		return "", err
	}
	return s.Addr(), nil
}
