package loadgen

import (
	"crypto/tls"
	"errors"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/stormbench/stormbench/internal/fielderr"
	"github.com/stormbench/stormbench/internal/looptls"
	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/internal/tlsfiles"
	"golang.org/x/sys/unix"
)

// wss:// clients. A wss connection is its TCP socket, owned by the client's
// event loop like a ws one: the loop connects it, then a goroutine of its
// own runs the TLS handshake on it in step with the loop
// (internal/looptls: one per handshake in flight, started the moment TCP
// is up, gone when the handshake is done), and from then on the loop reads
// and writes TLS records itself — the upgrade, frames, heartbeats — with
// crypto/tls's record layer. An open wss connection holds one descriptor,
// no goroutine and no buffer of its own; plain ws pays one nil pointer per
// client (client.tls).

// TLS configures the clients of a wss:// fleet. The zero value verifies
// the server's certificate against the system's roots, presents no
// client certificate, offers Go's default key exchanges, accepts TLS 1.2
// and 1.3 and resumes no session.
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
	// Resume gives every client a session cache of its own, as each
	// browser keeps one: a reconnect offers the session (TLS 1.3 ticket)
	// of the client's last handshake with the server, and the server
	// resumes it or makes a full handshake (both counted).
	Resume bool `json:"resume,omitempty"`
	// Curves are the key exchanges offered (CurveNames); empty means Go's
	// defaults. crypto/tls picks among them in its own order of
	// preference, whatever their order here.
	Curves []string `json:"curves,omitempty"`
	// MinVersion is the lowest TLS version accepted, "1.2" or "1.3";
	// empty means 1.2.
	MinVersion string `json:"min_version,omitempty"`
	// ALPN is the protocol offered by application-layer protocol
	// negotiation (RFC 7301), always http/1.1: the WebSocket opening
	// handshake is HTTP/1.1 (RFC 6455 §4.1). Recorded for config.json.
	ALPN []string `json:"alpn,omitempty"`
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

// ALPN is what the clients offer in ALPN (RFC 7301).
var ALPN = []string{"http/1.1"}

// curves names the key exchanges --tls-curves takes.
var curves = []struct {
	name string
	id   tls.CurveID
}{
	{"x25519mlkem768", tls.X25519MLKEM768},
	{"secp256r1mlkem768", tls.SecP256r1MLKEM768},
	{"secp384r1mlkem1024", tls.SecP384r1MLKEM1024},
	{"x25519", tls.X25519},
	{"p256", tls.CurveP256},
	{"p384", tls.CurveP384},
	{"p521", tls.CurveP521},
}

// CurveNames lists the key exchange names TLS.Curves takes.
func CurveNames() []string {
	out := make([]string, len(curves))
	for i, c := range curves {
		out[i] = c.name
	}
	return out
}

func curveID(name string) (tls.CurveID, bool) {
	for _, c := range curves {
		if c.name == name {
			return c.id, true
		}
	}
	return 0, false
}

// tlsVersion reads TLS.MinVersion.
func tlsVersion(v string) (uint16, bool) {
	switch v {
	case "", "1.2":
		return tls.VersionTLS12, true
	case "1.3":
		return tls.VersionTLS13, true
	}
	return 0, false
}

// Set reports whether any TLS setting is given.
func (t TLS) Set() bool {
	return t.TrustSet() || t.Resume || len(t.Curves) > 0 || t.MinVersion != ""
}

// TrustSet reports whether a setting of what the clients trust or present
// is given (a CA, Insecure, a client certificate).
func (t TLS) TrustSet() bool {
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
	for _, c := range t.Curves {
		if _, ok := curveID(c); !ok {
			bad("TLS.Curves", "must be key exchanges among %s (got %q)", strings.Join(CurveNames(), ", "), c)
		}
	}
	if _, ok := tlsVersion(t.MinVersion); !ok {
		bad("TLS.MinVersion", "must be 1.2 or 1.3 (got %q)", t.MinVersion)
	}
	if scheme == "ws" && t.Set() {
		for _, f := range []struct {
			field string
			set   bool
		}{{"TLS.CACert", t.CACert != ""}, {"TLS.Insecure", t.Insecure}, {"TLS.ClientCert", t.ClientCert != ""},
			{"TLS.ClientKey", t.ClientKey != "" && t.ClientCert == ""}, {"TLS.Resume", t.Resume},
			{"TLS.Curves", len(t.Curves) > 0}, {"TLS.MinVersion", t.MinVersion != ""}} {
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

// clientConfig is the crypto/tls configuration the fleet's clients share.
// ServerName is the URL's host: the SNI (RFC 6066 §3: only a host name is
// sent, never an IP address) and the name the certificate must hold; an
// IP host is checked against the certificate's IP SANs. It has no session
// cache: with Resume each client's attempts clone it with a cache of the
// client's own (tlsClientConfig).
func (t *TLS) clientConfig(host string) (*tls.Config, error) {
	if err := t.Load(); err != nil {
		return nil, err
	}
	minV, _ := tlsVersion(t.MinVersion)
	cfg := &tls.Config{ServerName: host, InsecureSkipVerify: t.Insecure, MinVersion: minV,
		NextProtos: slices.Clone(ALPN),
		// Records as large as the frames: a browser's TLS stack does not
		// start a connection with small records either.
		DynamicRecordSizingDisabled: true}
	for _, c := range t.Curves {
		id, _ := curveID(c)
		cfg.CurvePreferences = append(cfg.CurvePreferences, id)
	}
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
	cfg    *tls.Config
	resume bool
}

// setupTLS prepares t for wss:// URLs (a no-op for ws://).
func (t *target) setupTLS(u *url.URL, cfg *Config) error {
	if u.Scheme != "wss" {
		return nil
	}
	tc, err := cfg.TLS.clientConfig(u.Hostname())
	if err != nil {
		return err
	}
	t.tls = &tlsTarget{cfg: tc, resume: cfg.TLS.Resume}
	return nil
}

// tlsSessions is a loop's clients' session caches (TLS.Resume), one per
// client, in the order of shard.clients.
type tlsSessions []looptls.SessionCache

// startTLS starts the TLS handshake of an attempt whose TCP connection is
// up. It runs on a goroutine of its own, in step with the loop
// (looptls.Handshake): the loop watches the socket edge-triggered for it
// and steps it on each readiness (dialEvent), so that the handshake's CPU
// is the loop's time, seen in its lateness, not a queue in front of it.
func (c *client) startTLS(now time.Duration) {
	sh := c.sh
	d := c.dial
	fd := int(c.fd)
	if err := sh.loop.Modify(fd, unix.EPOLLIN|unix.EPOLLOUT|unix.EPOLLRDHUP|unix.EPOLLET); err != nil {
		c.dialFailed(now, measure.FailOther, fd)
		return
	}
	d.stage = stageTLS
	cfg := sh.fl.target.tls.cfg
	if sh.sessions != nil {
		// A configuration of the client's own, so that crypto/tls's
		// session cache is the client's (it is keyed by server name only).
		cfg = cfg.Clone()
		cfg.ClientSessionCache = &sh.sessions[c.index()]
	}
	d.hs = looptls.StartClient(fd, cfg)
	if d.hs.Done() {
		c.handshaken(sh.loop.Now())
	}
}

// stepTLS lets the attempt's handshake go on, its socket ready.
func (c *client) stepTLS() {
	if c.dial.hs.Step() {
		c.handshaken(c.sh.loop.Now())
	}
}

// handshaken takes the result of a TLS handshake done at now: the upgrade
// request goes out over TLS, or the attempt fails with the handshake's
// cause.
func (c *client) handshaken(now time.Duration) {
	sh := c.sh
	d := c.dial
	h := d.hs
	d.hs = nil
	fd := int(c.fd)
	conn, err := h.Result()
	if err != nil {
		c.dialFailed(now, tlsFailCause(err), fd)
		return
	}
	if err := sh.loop.Modify(fd, unix.EPOLLIN|unix.EPOLLRDHUP); err != nil {
		c.dialFailed(now, measure.FailOther, fd)
		return
	}
	c.tls = conn
	d.tlsAt = now
	if conn.TLS().ConnectionState().DidResume {
		sh.count(c.attemptAt, measure.TLSHandshakesResumed, 1)
	} else {
		sh.count(c.attemptAt, measure.TLSHandshakesFull, 1)
	}
	d.stage = stageUpgrade
	c.sendRequest(now)
	if c.tls == conn && conn.Pending() {
		// What the handshake read behind its last message: the server's
		// session tickets, or anything it sent at once.
		c.drainTLS(now)
	}
}

// index is the client's position in its shard's clients.
func (c *client) index() int {
	cfg := c.sh.cfg
	return int(c.id-uint64(cfg.Shard.Index)) / cfg.Shard.Count / cfg.Loops
}

// seal turns plaintext (an upgrade request, a frame) into the TLS records
// that carry it, in the shard's scratch; false when the connection's
// sending side has failed.
func (c *client) seal(plain []byte) ([]byte, bool) {
	sh := c.sh
	out, err := c.tls.Seal(sh.sealed[:0], plain)
	sh.sealed = out
	return out, err == nil
}

// readTLS reads what the socket of a wss attempt or connection holds and
// hands the plaintext on, record by record: to the upgrade's parser, then
// to the frame decoder. It stops when the connection is gone.
func (c *client) readTLS(now time.Duration) {
	sh := c.sh
	conn := c.tls
	n, err := conn.Fill(int(c.fd), sh.rx)
	if n == 0 && err != unix.EAGAIN {
		// The server's FIN or RST, without close_notify.
		c.lostTLS(now, readCause(err), nil)
		return
	}
	if n > 0 && c.dial == nil && sh.hb.pings != pingerServer {
		// Any byte is a sign of life, even part of a record.
		c.lastRecv = now
	}
	c.drainTLS(now)
}

// drainTLS hands on the plaintext of the records crypto/tls holds.
func (c *client) drainTLS(now time.Duration) {
	sh := c.sh
	conn := c.tls
	for c.tls == conn {
		m, err := conn.Read(sh.loop.Buf)
		if m > 0 {
			if c.dial != nil {
				c.upgradeResponse(sh.loop.Buf[:m], now)
			} else {
				c.consume(sh.loop.Buf[:m], now)
			}
			if c.tls != conn {
				return // the connection (or the attempt) ended on what it said
			}
		}
		if err != nil {
			// The server's close_notify (io.EOF) or a broken record, an
			// alert.
			cause := measure.CauseReset
			if errors.Is(err, io.EOF) {
				cause = measure.CauseEOF
			}
			c.lostTLS(now, cause, err)
			return
		}
		if m == 0 {
			return
		}
	}
}

// readCause is why a read of 0 bytes ended a connection.
func readCause(err error) measure.Cause {
	if cause, dead := classifyRead(0, err); dead {
		return cause
	}
	return measure.CauseReset
}

// lostTLS ends the wss attempt or connection that read its end: cause
// for a connection, and for an attempt a reset (the server hung up before
// a whole response, as a plain ws server that closes early would) unless
// err is the server's alert. A TLS 1.3 server checks the client's
// certificate after the client's side of the handshake is done (RFC 8446
// §4.4.2.4): its refusal arrives as the first record.
func (c *client) lostTLS(now time.Duration, cause measure.Cause, err error) {
	if c.dial != nil {
		fc := measure.FailReset
		if err != nil && !errors.Is(err, io.EOF) {
			if k := looptls.Classify(err); k == looptls.CauseCertificate || k == looptls.CauseHandshake {
				fc = measure.FailTLS
			}
		}
		c.dialFailed(now, fc, int(c.fd))
		return
	}
	c.dead(now, cause)
}

// tlsFailCause maps why a TLS handshake failed to an attempt's failure
// cause: a certificate refused either way, an alert, a broken or unexpected
// message is tls; the network's own errors keep their causes.
func tlsFailCause(err error) measure.FailCause {
	switch looptls.Classify(err) {
	case looptls.CauseRefused:
		return measure.FailRefused
	case looptls.CauseTimeout:
		return measure.FailTimeout
	case looptls.CauseReset, looptls.CauseEOF:
		// The server hung up or reset in the middle of the handshake.
		return measure.FailReset
	case looptls.CauseAddress:
		return measure.FailAddress
	case looptls.CauseLocal:
		return measure.FailLocal
	case looptls.CauseUnreachable:
		return measure.FailUnreachable
	case looptls.CauseCanceled:
		return measure.FailCanceled
	}
	return measure.FailTLS
}
