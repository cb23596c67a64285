package sut

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Backend is what the control API drives: one server, or the parent of
// several worker processes that fans requests out to them.
type Backend interface {
	// Fault applies a fault and reports T0 and the connections hit.
	Fault(ctx context.Context, f FaultRequest) (FaultResponse, error)
	// Stats returns counters and series.
	Stats() Stats
}

// ControlHandler serves the control API for b:
//
//	POST /fault    {kind, fraction, duration_ms, code} → {t0_unix_ns, affected, …}
//	GET  /stats    counters and the per-100 ms series
//	GET  /healthz  200 while the server runs (no token needed), with
//	               the server's wall clock: {"status": "ok", "now_unix_ns": N}
//
// /fault and /stats need "Authorization: Bearer <token>"; a wrong or
// missing token gets 401. Every address is held to DefaultControlLimits
// (429 with Retry-After beyond them). Errors are JSON {"error": "..."}.
func ControlHandler(b Backend, token string) http.Handler {
	return ControlHandlerLimited(b, token, DefaultControlLimits)
}

// ControlHandlerLimited is ControlHandler with limits of one's own.
func ControlHandlerLimited(b Backend, token string, lim ControlLimits) http.Handler {
	mux := http.NewServeMux()
	limiter := newControlLimiter(lim)
	auth := func(next http.HandlerFunc) http.HandlerFunc {
		want := []byte("Bearer " + token)
		return func(w http.ResponseWriter, r *http.Request) {
			p, ok := limiter.admit(w, r)
			if !ok || limiter.spent(w, p) {
				return
			}
			got := []byte(r.Header.Get("Authorization"))
			if subtle.ConstantTimeCompare(got, want) != 1 {
				limiter.failed(p)
				writeError(w, http.StatusUnauthorized, "missing or wrong token: send Authorization: Bearer <token>, the token the server was given")
				return
			}
			next(w, r)
		}
	}
	mux.HandleFunc("/fault", auth(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, http.StatusMethodNotAllowed, "use POST")
			return
		}
		f, err := DecodeFault(http.MaxBytesReader(w, r.Body, 1<<16))
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		defer cancel()
		resp, err := b.Fault(ctx, f)
		switch {
		case errors.Is(err, ErrBusy):
			writeError(w, http.StatusConflict, err.Error())
		case err != nil:
			writeError(w, http.StatusInternalServerError, err.Error())
		default:
			writeJSON(w, http.StatusOK, resp)
		}
	}))
	mux.HandleFunc("/stats", auth(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			writeError(w, http.StatusMethodNotAllowed, "use GET")
			return
		}
		st := b.Stats()
		if r.URL.Query().Get("raw") == "" {
			st.Detections = nil
			st.Takeovers = nil
		}
		writeJSON(w, http.StatusOK, st)
	}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := limiter.admit(w, r); !ok {
			return
		}
		writeJSON(w, http.StatusOK, health{Status: "ok", NowUnixNs: time.Now().UnixNano()})
	})
	return mux
}

// health is the answer of /healthz.
type health struct {
	Status string `json:"status"`
	// NowUnixNs is the server's wall clock when it answered, so that load
	// generators on other machines can see how far their clocks are from
	// the server's (ControlClient.ClockOffset).
	NowUnixNs int64 `json:"now_unix_ns"`
}

// DecodeFault reads a fault request strictly: unknown fields, trailing
// data and invalid values are errors that say what is allowed.
func DecodeFault(r io.Reader) (FaultRequest, error) {
	var f FaultRequest
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return f, fmt.Errorf("body must be JSON {\"kind\": \"close|restart|abort|blackhole\", \"fraction\": 0–1, \"duration_ms\": N, \"code\": N}: %w", err)
	}
	if dec.More() {
		return f, errors.New("body must hold one JSON object")
	}
	if err := f.Validate(); err != nil {
		return f, err
	}
	return f, nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

// NewControlServer returns an http.Server for the control API of b with
// timeouts on every stage, so that a client that connects and sends
// nothing, sends slowly, or keeps an idle keep-alive connection open does
// not hold a connection (and a goroutine) forever. The write timeout
// leaves room for a fault that takes its full 30 s.
func NewControlServer(b Backend, token string) *http.Server {
	return &http.Server{
		Handler:           ControlHandler(b, token),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      45 * time.Second,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
}

// ListenControl opens the control API's listener of c (resolved): on
// c.Control, over TLS with the server's certificate when c.ControlTLS.
func ListenControl(c Config) (net.Listener, error) {
	var tc *tls.Config
	if c.ControlTLS {
		var err error
		if tc, err = c.TLS.controlConfig(); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", c.Control)
	if err != nil {
		return nil, fmt.Errorf("control listen %s: %w", c.Control, err)
	}
	if tc != nil {
		ln = tls.NewListener(ln, tc)
	}
	return ln, nil
}

// ControlScheme is the URL scheme of the control API: http, or https
// with ControlTLS.
func (c Config) ControlScheme() string {
	if c.ControlTLS {
		return "https"
	}
	return "http"
}

// startControl serves the control API on its own listener.
func (s *Server) startControl() error {
	ln, err := ListenControl(s.cfg)
	if err != nil {
		return err
	}
	s.ctlLn = ln
	s.ctl = NewControlServer(s, s.cfg.ControlToken)
	go func() { _ = s.ctl.Serve(ln) }()
	return nil
}

// ControlClient calls a control API.
type ControlClient struct {
	// Base is the API's base URL, e.g. http://127.0.0.1:8081.
	Base string
	// Token is the bearer token.
	Token string
	// HTTP is the client to use; nil means a client with a 15 s timeout.
	HTTP *http.Client
}

func (c *ControlClient) client() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 60 * time.Second}
}

func (c *ControlClient) do(ctx context.Context, method, path string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.Base, "/")+path, body)
	if err != nil {
		return fmt.Errorf("control %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return fmt.Errorf("control %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("control %s %s: read: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(b, &e)
		if e.Error == "" {
			e.Error = strings.TrimSpace(string(b))
		}
		return fmt.Errorf("control %s %s: %s: %s", method, path, resp.Status, e.Error)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("control %s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// Fault posts a fault request.
func (c *ControlClient) Fault(ctx context.Context, f FaultRequest) (FaultResponse, error) {
	b, _ := json.Marshal(f)
	var r FaultResponse
	err := c.do(ctx, http.MethodPost, "/fault", strings.NewReader(string(b)), &r)
	return r, err
}

// Stats fetches /stats; raw includes the mergeable detection histogram.
func (c *ControlClient) Stats(ctx context.Context, raw bool) (Stats, error) {
	var s Stats
	path := "/stats"
	if raw {
		path += "?raw=1"
	}
	err := c.do(ctx, http.MethodGet, path, nil, &s)
	return s, err
}

// ClockOffset estimates how far the server's wall clock is ahead of this
// machine's (negative: behind) from one GET /healthz: the server's time
// against the midpoint of the request, within ± rtt/2. A server whose
// /healthz gives no time is an error.
func (c *ControlClient) ClockOffset(ctx context.Context) (offset, rtt time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.Base, "/")+"/healthz", nil)
	if err != nil {
		return 0, 0, fmt.Errorf("control GET /healthz: %w", err)
	}
	sent := time.Now()
	resp, err := c.client().Do(req)
	if err != nil {
		return 0, 0, fmt.Errorf("control GET /healthz: %w", err)
	}
	defer resp.Body.Close()
	var h health
	err = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&h)
	got := time.Now()
	switch {
	case resp.StatusCode != http.StatusOK:
		return 0, 0, fmt.Errorf("control GET /healthz: %s", resp.Status)
	case err != nil || h.NowUnixNs == 0:
		return 0, 0, errors.New("control GET /healthz: the server does not say its time (now_unix_ns)")
	}
	rtt = got.Sub(sent)
	return time.Unix(0, h.NowUnixNs).Sub(sent.Add(rtt / 2)), rtt, nil
}

// Healthy reports whether GET /healthz answers 200.
func (c *ControlClient) Healthy(ctx context.Context) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.Base, "/")+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
