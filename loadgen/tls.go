package loadgen

import (
	"crypto/tls"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"time"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/fielderr"
	"github.com/stormbench/stormbench/internal/tlsfiles"
	"github.com/stormbench/stormbench/internal/tlsrelay"
	"golang.org/x/sys/unix"
)

// wss:// clients. crypto/tls blocks in Read and Write and cannot run on an
// event loop, so a TLS client's connection is a sidecar (internal/
// tlsrelay): a socketpair whose loop end the client owns exactly like a
// plain TCP socket — the upgrade request, frames, EOF — relayed to a
// crypto/tls connection by two goroutines. The attempt writes its upgrade
// request at once; it waits in the socketpair until the TLS handshake is
// done. Plain ws pays one nil pointer per client (client.relay) and
// nothing on its hot path.

// TLS configures the clients of a wss:// fleet. The zero value verifies
// the server's certificate against the system's roots and presents no
// client certificate.
type TLS struct {
	// CACert is a PEM bundle whose certificates are the only roots the
	// clients trust — instead of the system's, as curl's --cacert does,
	// so that a staging CA is trusted on purpose and nothing else is.
	CACert string `json:"ca_cert,omitempty"`
	// GeneratedCA says the only root trusted is the embedded server's
	// throwaway certificate (run --server-tls; server-cert.pem in the
	// results folder).
	GeneratedCA bool `json:"generated_ca,omitempty"`
	// Insecure skips verifying the server's certificate (chain and name).
	Insecure bool `json:"insecure,omitempty"`
	// ClientCert and ClientKey are PEM files: the certificate (chain) and
	// key the clients present when the server asks for one (mutual TLS).
	ClientCert string `json:"client_cert,omitempty"`
	ClientKey  string `json:"client_key,omitempty"`
	// Material is what those files hold, loaded once by the coordinator
	// (or the generated CA). It is never serialised with the
	// configuration: results record paths, never a key. Nil means the
	// fleet loads the files itself.
	Material *TLSMaterial `json:"-"`
}

// TLSMaterial is the contents of the TLS settings' files, handed to worker
// processes over their stdin pipe, never through a file.
type TLSMaterial struct {
	// CA is the PEM bundle of trusted roots (nil: the system's).
	CA []byte `json:"ca,omitempty"`
	// Cert and Key are the client certificate and its key, PEM.
	Cert []byte `json:"cert,omitempty"`
	Key  []byte `json:"key,omitempty"`
}

// Set reports whether any TLS setting is given.
func (t TLS) Set() bool {
	return t.CACert != "" || t.GeneratedCA || t.Insecure || t.ClientCert != "" || t.ClientKey != "" || t.Material != nil
}

// IsWSS reports whether rawURL is a wss:// URL.
func IsWSS(rawURL string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && u.Scheme == "wss"
}

// validate checks the settings against each other and the URL's scheme
// ("" when the URL is not known yet: the embedded server's).
func (t TLS) validate(scheme string) []error {
	var errs []error
	bad := func(field, format string, a ...any) { errs = append(errs, fielderr.New(field, format, a...)) }
	if (t.ClientCert == "") != (t.ClientKey == "") {
		if t.ClientCert == "" {
			bad("TLS.ClientKey", "needs {TLS.ClientCert}: give both files or neither (got a key %q and no certificate)", t.ClientKey)
		} else {
			bad("TLS.ClientCert", "needs {TLS.ClientKey}: give both files or neither (got a certificate %q and no key)", t.ClientCert)
		}
	}
	if t.Insecure && (t.CACert != "" || t.GeneratedCA) {
		bad("TLS.Insecure", "skips verifying the server's certificate: {TLS.CACert} would do nothing; give one or the other")
	}
	if scheme == "ws" && t.Set() {
		for _, f := range []struct {
			field string
			set   bool
		}{{"TLS.CACert", t.CACert != ""}, {"TLS.Insecure", t.Insecure}, {"TLS.ClientCert", t.ClientCert != ""}, {"TLS.ClientKey", t.ClientKey != "" && t.ClientCert == ""}} {
			if f.set {
				bad(f.field, "is for wss:// URLs: {URL} is ws://, which has no TLS")
			}
		}
	}
	return errs
}

// Load reads and checks the files the settings name into t.Material,
// unless it is loaded already. Its errors are *FieldError values keyed
// by the field whose file is wrong.
func (t *TLS) Load() error {
	if t.Material != nil {
		return nil
	}
	m := &TLSMaterial{}
	if t.CACert != "" {
		b, err := tlsfiles.ReadCAs(t.CACert)
		if err != nil {
			return fielderr.New("TLS.CACert", "must be a readable PEM file of CA certificates: %v", err)
		}
		m.CA = b
	}
	if t.ClientCert != "" {
		c, k, err := tlsfiles.ReadKeyPair(t.ClientCert, t.ClientKey)
		if err != nil {
			return fielderr.New("TLS.ClientCert", "and {TLS.ClientKey} must be readable PEM files of a certificate and its private key: %v", err)
		}
		m.Cert, m.Key = c, k
	}
	t.Material = m
	return nil
}

// clientConfig is the crypto/tls configuration of the fleet's clients.
// ServerName is the URL's host: the SNI (RFC 6066 §3: only a host name is
// sent, never an IP address) and the name the certificate must hold; an
// IP host is checked against the certificate's IP SANs. No session cache:
// every attempt pays a full handshake, as a fleet of fresh clients or a
// server whose ticket keys changed would (the worst case for the server).
func (t *TLS) clientConfig(host string) (*tls.Config, error) {
	if err := t.Load(); err != nil {
		return nil, err
	}
	cfg := &tls.Config{ServerName: host, InsecureSkipVerify: t.Insecure, MinVersion: tls.VersionTLS12,
		// RFC 6455 §4.1: the opening handshake is HTTP/1.1.
		NextProtos: []string{"http/1.1"}}
	m := t.Material
	if len(m.CA) > 0 {
		pool, err := tlsfiles.CertPool(m.CA)
		if err != nil {
			return nil, fielderr.New("TLS.CACert", "must hold PEM CA certificates: %v", err)
		}
		cfg.RootCAs = pool
	}
	if len(m.Cert) > 0 {
		c, err := tlsfiles.KeyPair(m.Cert, m.Key)
		if err != nil {
			return nil, fielderr.New("TLS.ClientCert", "%v", err)
		}
		cfg.Certificates = []tls.Certificate{c}
	}
	return cfg, nil
}

// HTTPSConfig is the crypto/tls configuration of an https:// client that
// trusts what the fleet trusts and presents what it presents: for the
// control API of a server that serves it with its own certificate. The
// HTTP client fills in the server name from its URL.
func (t *TLS) HTTPSConfig() (*tls.Config, error) {
	c, err := t.clientConfig("")
	if err != nil {
		return nil, err
	}
	c.NextProtos = nil
	return c, nil
}

// tlsTarget is what every wss attempt of a fleet shares.
type tlsTarget struct {
	cfg   *tlsrelay.ClientConfig
	raddr netip.AddrPort
	srcs  []netip.Addr
}

// setupTLS prepares t for wss:// URLs (a no-op for ws://): the server's
// address and port (443 by default), the source addresses, and the TLS
// configuration read from cfg.TLS.
func (t *target) setupTLS(u *url.URL, cfg *Config, clock evloop.Clock) error {
	if u.Scheme != "wss" {
		return nil
	}
	var addr netip.Addr
	switch sa := t.server.(type) {
	case *unix.SockaddrInet4:
		addr = netip.AddrFrom4(sa.Addr)
	case *unix.SockaddrInet6:
		addr = netip.AddrFrom16(sa.Addr)
	}
	port := 443
	if p := u.Port(); p != "" {
		var err error
		if port, err = strconv.Atoi(p); err != nil || port <= 0 || port > 65535 {
			return fmt.Errorf("--url %s: bad port %q", u.Redacted(), p)
		}
	}
	tc, err := cfg.TLS.clientConfig(u.Hostname())
	if err != nil {
		return err
	}
	t.tls = &tlsTarget{
		cfg:   &tlsrelay.ClientConfig{TLS: tc, Clock: func() time.Duration { return clock() }},
		raddr: netip.AddrPortFrom(addr, uint16(port)),
		srcs:  cfg.SourceIPs,
	}
	return nil
}

// connectTLS starts a wss attempt: the sidecar dials TCP and runs the TLS
// handshake while the loop registers its end of the socketpair and writes
// the upgrade request straight away (it waits there until the handshake
// is done). The connect deadline is the loop's, as for ws: on it the
// attempt aborts the relay (no timeout of the sidecar's own).
func (c *client) connectTLS(now, start time.Duration) {
	sh := c.sh
	tt := sh.fl.target.tls
	var src netip.Addr
	if n := len(tt.srcs); n > 0 {
		src = tt.srcs[c.id%uint64(n)]
	}
	fd, r, err := tlsrelay.Dial(tt.cfg, tt.raddr, src, nil)
	if err != nil {
		c.failed(now, relayFailCause(tlsrelay.CauseOf(err), nil), c.attemptAt)
		return
	}
	c.relay = r
	if err := sh.loop.Add(fd, unix.EPOLLIN|unix.EPOLLRDHUP, c); err != nil {
		c.dialFailed(now, measure.FailOther, fd)
		return
	}
	c.fd = int32(fd)
	d := sh.getDial()
	d.stage = stageUpgrade
	c.dial = d
	c.hb.Kind = timerConnectDeadline
	sh.loop.Schedule(&c.hb, start+sh.cfg.ConnectTimeout)
	c.sendRequest(now)
}

// tlsTiming splits a wss attempt that completed at now: the relay set its
// TCP and TLS times before any byte of the server's reached the loop.
func (c *client) tlsTiming(start, now time.Duration) ConnectTiming {
	tcpAt, tlsAt := c.relay.Times()
	return ConnectTiming{Total: now - start, TCP: tcpAt - start, TLS: tlsAt - tcpAt, Upgrade: now - tlsAt}
}

// tlsDialCause replaces what the loop's end of a failed wss attempt
// showed — an EOF or a write that failed, FailReset — by the relay's
// reason; other causes (the loop's own deadline, the server's refusal)
// stand.
func (c *client) tlsDialCause(cause measure.FailCause) measure.FailCause {
	if c.relay == nil || cause != measure.FailReset {
		return cause
	}
	return relayFailCause(c.relay.Cause(), c.relay.Err())
}

// relayFailCause maps why a sidecar ended to an attempt's failure cause.
// A TLS 1.3 server checks the client's certificate only after the
// client's side of the handshake is done (RFC 8446 §4.4.2.4): its alert
// then arrives as the first record and ends the relay like a reset; the
// error it left tells it apart.
func relayFailCause(rc tlsrelay.Cause, err error) measure.FailCause {
	switch rc {
	case tlsrelay.CauseRefused:
		return measure.FailRefused
	case tlsrelay.CauseTimeout:
		return measure.FailTimeout
	case tlsrelay.CauseCertificate, tlsrelay.CauseHandshake:
		return measure.FailTLS
	case tlsrelay.CauseReset:
		if ec := tlsrelay.Classify(err); ec == tlsrelay.CauseCertificate || ec == tlsrelay.CauseHandshake {
			return measure.FailTLS
		}
		return measure.FailReset
	case tlsrelay.CauseEOF, tlsrelay.CauseNone:
		// The server hung up before a whole response, as a plain ws
		// server that closes early would.
		return measure.FailReset
	case tlsrelay.CauseAddress:
		return measure.FailAddress
	case tlsrelay.CauseLocal:
		return measure.FailLocal
	case tlsrelay.CauseUnreachable:
		return measure.FailUnreachable
	case tlsrelay.CauseCanceled:
		return measure.FailCanceled
	}
	return measure.FailOther
}

// tlsLossCause refines why an open wss connection died: the loop's end
// reads EOF (and writes to it fail) whether the server closed cleanly or
// its TCP connection was reset, since AF_UNIX has no RST to pass on. The
// relay, which set its cause before the EOF could be read, tells them
// apart.
func (c *client) tlsLossCause(cause measure.Cause) measure.Cause {
	if c.relay == nil || (cause != measure.CauseEOF && cause != measure.CauseWriteError) {
		return cause
	}
	switch c.relay.Cause() {
	case tlsrelay.CauseNone, tlsrelay.CauseEOF, tlsrelay.CauseClosed:
		return cause
	}
	// A reset, a TCP timeout, a broken record or an alert: the
	// connection did not end cleanly.
	return measure.CauseReset
}

// releaseRelay lets go of the attempt's or connection's sidecar; abort
// sends an RST to the server (a half-done handshake, the reset fault).
// Without abort, closing the loop's end closes the TLS connection cleanly
// (close_notify, then FIN), as closing a plain socket sends a FIN.
func (c *client) releaseRelay(abort bool) {
	if c.relay == nil {
		return
	}
	if abort {
		c.relay.Abort()
	}
	c.relay = nil
}
