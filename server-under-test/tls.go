package sut

import (
	"crypto/rand"
	"crypto/tls"
	"errors"
	"io"
	"net"

	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/fielderr"
	"github.com/stormbench/stormbench/internal/looptls"
	"github.com/stormbench/stormbench/internal/tlsfiles"
	"golang.org/x/sys/unix"
)

// wss://. The accepting goroutine runs the TLS handshake and the HTTP
// upgrade over the *tls.Conn (internal/looptls), then hands the socket to
// a loop, which from then on reads and writes TLS records itself with
// crypto/tls's record layer: one descriptor, no goroutine per connection.
// A plain ws connection has a nil tls and pays nothing.
//
// Session tickets (RFC 8446 §4.6.1) are issued with a key that outlives
// the server's restarts and crashes (TLSMaterial.TicketKey, made once by
// whoever starts the server and handed to every process it starts), as
// terminators that share a ticket key do, so that clients that keep
// sessions (run --tls-resume) resume across a restart storm; with
// TicketKeyPerStart every start and restart makes a new key, and tickets
// issued before no longer resume.

// TLS makes the server serve wss://.
type TLS struct {
	// CertFile and KeyFile are the server's certificate (chain) and key,
	// PEM.
	CertFile string `json:"cert_file,omitempty"`
	KeyFile  string `json:"key_file,omitempty"`
	// ClientCAFile, when set, is a PEM bundle of the CAs whose client
	// certificates are accepted; every client must then present one
	// (mutual TLS).
	ClientCAFile string `json:"client_ca_file,omitempty"`
	// Generated says the certificate is a throwaway one made at start
	// (run --server-tls), given as Material only.
	Generated bool `json:"generated,omitempty"`
	// TicketKeyPerStart makes a new session ticket key at every start and
	// restart of the listener (and in every worker process): no ticket
	// survives a restart or a crash. Without it the key is
	// TLSMaterial.TicketKey, the same for the run's processes and their
	// restarts.
	TicketKeyPerStart bool `json:"ticket_key_per_start,omitempty"`
	// Material is what those files hold (or the generated certificate and
	// key). It is never serialised with the configuration: results record
	// paths, never a key. Nil means New loads the files.
	Material *TLSMaterial `json:"-"`
}

// TLSMaterial is the contents of the TLS files, handed to server worker
// processes over their stdin pipe, never through a file.
type TLSMaterial struct {
	Cert     []byte `json:"cert"`
	Key      []byte `json:"key"`
	ClientCA []byte `json:"client_ca,omitempty"`
	// TicketKey is the session ticket key (32 bytes, crypto/tls's
	// SessionTicketKey), made by Load when missing.
	TicketKey []byte `json:"ticket_key,omitempty"`
}

// newTicketKey makes a random session ticket key.
func newTicketKey() [32]byte {
	var k [32]byte
	_, _ = rand.Read(k[:])
	return k
}

// validate checks that the settings are complete (not the files: Load).
func (t *TLS) validate() []error {
	if t == nil {
		return nil
	}
	var errs []error
	bad := func(field, format string, a ...any) { errs = append(errs, fielderr.New(field, format, a...)) }
	switch {
	case t.Material != nil:
	case t.CertFile == "" && t.KeyFile == "":
		bad("TLS.CertFile", "and {TLS.KeyFile} must name the server's PEM certificate and key to serve wss://")
	case t.CertFile == "":
		bad("TLS.KeyFile", "needs {TLS.CertFile}: give both files or neither (got a key %q and no certificate)", t.KeyFile)
	case t.KeyFile == "":
		bad("TLS.CertFile", "needs {TLS.KeyFile}: give both files or neither (got a certificate %q and no key)", t.CertFile)
	}
	return errs
}

// Load reads and checks the files into t.Material, unless it is loaded
// already. Its errors are *FieldError values keyed by the field whose
// file is wrong.
func (t *TLS) Load() error {
	if t == nil {
		return nil
	}
	if m := t.Material; m != nil {
		if len(m.TicketKey) != 32 {
			k := newTicketKey()
			m.TicketKey = k[:]
		}
		return nil
	}
	if errs := t.validate(); len(errs) > 0 {
		return errors.Join(errs...)
	}
	m := &TLSMaterial{}
	var err error
	if m.Cert, m.Key, err = tlsfiles.ReadKeyPair(t.CertFile, t.KeyFile); err != nil {
		return fielderr.New("TLS.CertFile", "and {TLS.KeyFile} must be readable PEM files of a certificate and its private key: %v", err)
	}
	if t.ClientCAFile != "" {
		if m.ClientCA, err = tlsfiles.ReadCAs(t.ClientCAFile); err != nil {
			return fielderr.New("TLS.ClientCAFile", "must be a readable PEM file of CA certificates: %v", err)
		}
	}
	k := newTicketKey()
	m.TicketKey = k[:]
	t.Material = m
	return nil
}

// serverConfig is the server's crypto/tls configuration: its certificate,
// tickets under the material's key (renewTicketKey changes it).
func (t *TLS) serverConfig() (*tls.Config, error) {
	if err := t.Load(); err != nil {
		return nil, err
	}
	cert, err := tlsfiles.KeyPair(t.Material.Cert, t.Material.Key)
	if err != nil {
		return nil, fielderr.New("TLS.CertFile", "%v", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12,
		// RFC 6455 §4.1: the opening handshake is HTTP/1.1.
		NextProtos:                  []string{"http/1.1"},
		DynamicRecordSizingDisabled: true}
	var key [32]byte
	copy(key[:], t.Material.TicketKey)
	cfg.SetSessionTicketKeys([][32]byte{key})
	if len(t.Material.ClientCA) > 0 {
		pool, err := tlsfiles.CertPool(t.Material.ClientCA)
		if err != nil {
			return nil, fielderr.New("TLS.ClientCAFile", "%v", err)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// controlConfig is the control API's crypto/tls configuration with
// ControlTLS: the server's certificate; no client certificate is asked
// for (the token authenticates), whatever the WebSocket listener asks.
func (t *TLS) controlConfig() (*tls.Config, error) {
	if t == nil {
		return nil, fielderr.New("ControlTLS", "needs {TLS.CertFile} and {TLS.KeyFile}")
	}
	if err := t.Load(); err != nil {
		return nil, err
	}
	cert, err := tlsfiles.KeyPair(t.Material.Cert, t.Material.Key)
	if err != nil {
		return nil, fielderr.New("TLS.CertFile", "%v", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// Scheme returns the URL scheme the server speaks: ws, or wss with TLS.
func (c Config) Scheme() string {
	if c.TLS != nil {
		return "wss"
	}
	return "ws"
}

// renewTicketKey gives the server a new session ticket key at a start or
// restart, when TicketKeyPerStart asks for one.
func (s *Server) renewTicketKey() {
	if s.tls != nil && s.cfg.TLS.TicketKeyPerStart {
		s.tls.SetSessionTicketKeys([][32]byte{newTicketKey()})
	}
}

// acceptTLS runs the TLS handshake of an accepted connection, within the
// deadline already set on c (which also bounds the upgrade). A failure is
// counted and the connection closed: nil.
func (s *Server) acceptTLS(c net.Conn) *looptls.Conn {
	tc, err := looptls.Server(c, s.tls)
	if err != nil {
		s.stats.c.tlsErrors.Add(1)
		s.stats.c.handshakeErrors.Add(1)
		_ = c.Close()
		return nil
	}
	return tc
}

// detach hands an upgraded connection's socket to the loops.
func detach(c net.Conn, tc *looptls.Conn) (int, error) {
	if tc == nil {
		return evloop.Detach(c)
	}
	return tc.Detach()
}

// closeConn drops a connection whose upgrade failed: for wss with
// close_notify first, so that a refusal (503) reaches the client whole.
func closeConn(c net.Conn, tc *looptls.Conn) {
	if tc != nil {
		_ = tc.Close()
		return
	}
	_ = c.Close()
}

// readTLS reads what a wss connection's socket holds and hands the
// plaintext to the frame decoder, record by record.
func (c *conn) readTLS() {
	sh := c.sh
	t := c.tls
	n, err := t.Fill(c.fd, sh.rx)
	if n == 0 && err != unix.EAGAIN {
		c.closeRead(err)
		return
	}
	if n > 0 {
		c.lastRecv = sh.loop.Now()
	}
	c.drainTLS()
}

// drainTLS hands on the plaintext crypto/tls holds (after Fill, or what
// arrived behind the upgrade).
func (c *conn) drainTLS() {
	sh := c.sh
	t := c.tls
	for !c.closed {
		m, err := t.Read(sh.loop.Buf)
		if m > 0 {
			sh.srv.stats.c.bytesReceived.Add(int64(m))
			c.consume(sh.loop.Buf[:m], c.lastRecv)
		}
		switch {
		case c.closed:
		case errors.Is(err, io.EOF):
			// close_notify: the client closed cleanly.
			c.close(discEOF, false)
		case err != nil:
			// A broken record or an alert: the connection did not end
			// cleanly.
			c.close(discReset, false)
		case m == 0:
			return
		}
	}
}

// closeRead ends a connection whose socket read 0 bytes: its FIN (nil) or
// its reset.
func (c *conn) closeRead(err error) {
	if err == nil {
		c.close(discEOF, false)
		return
	}
	c.close(discReset, false)
}

// seal turns a frame into the records that carry it, in the shard's
// scratch.
func (c *conn) seal(b []byte) ([]byte, bool) {
	sh := c.sh
	out, err := c.tls.Seal(sh.sealed[:0], b)
	sh.sealed = out
	return out, err == nil
}
