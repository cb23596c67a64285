package sut

import (
	"crypto/tls"
	"errors"
	"net"

	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/fielderr"
	"github.com/stormbench/stormbench/internal/tlsfiles"
	"github.com/stormbench/stormbench/internal/tlsrelay"
)

// wss://. The loops own raw descriptors and crypto/tls blocks, so a TLS
// connection is carried by a sidecar (internal/tlsrelay): the accepting
// goroutine runs the TLS handshake and the HTTP upgrade over the
// *tls.Conn, then Attach hands a loop the end of a socketpair that it owns
// exactly like a plain socket, relayed to the TLS connection by two
// goroutines. A plain ws connection has a nil relay and pays nothing.

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
	if t == nil || t.Material != nil {
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
	t.Material = m
	return nil
}

// serverConfig is the server's crypto/tls configuration. No session
// tickets: a fleet's reconnects then all pay a full handshake, the
// server's worst case, and a crash or restart changes nothing about it.
func (t *TLS) serverConfig() (*tls.Config, error) {
	if err := t.Load(); err != nil {
		return nil, err
	}
	cert, err := tlsfiles.KeyPair(t.Material.Cert, t.Material.Key)
	if err != nil {
		return nil, fielderr.New("TLS.CertFile", "%v", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12,
		SessionTicketsDisabled: true,
		// RFC 6455 §4.1: the opening handshake is HTTP/1.1.
		NextProtos: []string{"http/1.1"}}
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

// acceptTLS runs the TLS handshake of an accepted connection, within the
// deadline already set on c (which also bounds the upgrade). A failure is
// counted and the connection closed: nil.
func (s *Server) acceptTLS(c net.Conn) *tlsrelay.ServerConn {
	sc, err := tlsrelay.Accept(c, s.tls, 0)
	if err != nil {
		s.stats.c.tlsErrors.Add(1)
		s.stats.c.handshakeErrors.Add(1)
		return nil
	}
	return sc
}

// detach hands an upgraded connection to the loops: its own descriptor
// for ws, the loop's end of a sidecar for wss.
func detach(c net.Conn, sc *tlsrelay.ServerConn) (int, *tlsrelay.Relay, error) {
	if sc == nil {
		fd, err := evloop.Detach(c)
		return fd, nil, err
	}
	return sc.Attach(nil)
}

// closeConn drops a connection whose upgrade failed: for wss with
// close_notify first, so that a refusal (503) reaches the client whole.
func closeConn(c net.Conn, sc *tlsrelay.ServerConn) {
	if sc != nil {
		_ = sc.Close()
		return
	}
	_ = c.Close()
}

// tlsCause refines why a wss connection ended: its loop end reads EOF
// (and writes to it fail) whether the client closed cleanly or its TCP
// connection was reset; the relay, which set its cause before the EOF
// could be read, tells them apart.
func (c *conn) tlsCause(cause discCause) discCause {
	if c.relay == nil || (cause != discEOF && cause != discWriteError) {
		return cause
	}
	switch c.relay.Cause() {
	case tlsrelay.CauseNone, tlsrelay.CauseEOF, tlsrelay.CauseClosed:
		return cause
	}
	return discReset
}
