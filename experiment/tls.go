package experiment

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/stormbench/stormbench/internal/fielderr"
	"github.com/stormbench/stormbench/internal/tlsfiles"
	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// wss runs. Certificates and keys travel to child processes (server
// workers, load-generator workers) inside the settings line written to
// their stdin pipe, never through a file and never in config.json, which
// records paths only. The throwaway certificate of run --server-tls is
// made here, in memory; only the certificate (not its key) is written to
// the results folder.

// ServerCertFile is the name, in the results folder, of the embedded
// server's throwaway certificate (run --server-tls): the CA a client
// outside the run would need to trust to reach that server.
const ServerCertFile = "server-cert.pem"

// generatedHosts are the names the throwaway certificate holds: the
// embedded server listens on 127.0.0.1, and a user may name it either way.
var generatedHosts = []string{"127.0.0.1", "localhost", "::1"}

// prepareTLS makes the throwaway certificate of --server-tls (the server
// gets it and its key, the fleet trusts exactly it) and loads the files
// the fleet's TLS settings name, so that a bad one is refused before
// anything starts. It reports whether the fleet's connections are wss.
func (p *Plan) prepareTLS() (bool, error) {
	cfg := &p.Loadgen
	if p.ServerTLS {
		if p.Server == nil {
			return false, &InputError{fielderr.New("ServerTLS", "is for the embedded server; with {URL} the server is yours")}
		}
		if cfg.TLS.TrustSet() {
			return false, &InputError{fielderr.New("ServerTLS", "makes the fleet trust exactly the embedded server's throwaway certificate: {TLS.CACert}, {TLS.Insecure} and {TLS.ClientCert} would do nothing")}
		}
		certPEM, keyPEM, err := tlsfiles.GenerateSelfSigned(generatedHosts)
		if err != nil {
			return false, fmt.Errorf("--server-tls: %w", err)
		}
		srv := *p.Server
		t := sut.TLS{Generated: true, Material: &sut.TLSMaterial{Cert: certPEM, Key: keyPEM}, TicketKeyPerStart: p.ServerTicketKeyPerStart}
		// The session ticket key, made here once for every server
		// process of the run and their restarts.
		if err := t.Load(); err != nil {
			return false, fmt.Errorf("--server-tls: %w", err)
		}
		srv.TLS = &t
		p.Server = &srv
		cfg.TLS.GeneratedCA, cfg.TLS.Material = true, &loadgen.TLSMaterial{CA: certPEM}
		cfg.TLS.ALPN = loadgen.ALPN
		return true, nil
	}
	if p.ServerTicketKeyPerStart {
		return false, &InputError{fielderr.New("ServerTicketKeyPerStart", "is for the embedded server's wss://: give {ServerTLS} too")}
	}
	if p.Server != nil && cfg.TLS.Set() {
		return false, &InputError{fielderr.New("TLS", "settings are for wss:// servers: the embedded server speaks ws:// unless {ServerTLS} is given")}
	}
	if !loadgen.IsWSS(cfg.URL) {
		return false, nil
	}
	if err := cfg.TLS.Load(); err != nil {
		return false, &InputError{err}
	}
	cfg.TLS.ALPN = loadgen.ALPN
	if cfg.TLS.Insecure {
		p.Warnings = append(p.Warnings, "--insecure: the server's certificate is not verified; anyone between the clients and the server could pose as it")
	}
	return true, nil
}

// tlsMaterial is what a server child needs of c's TLS settings.
func tlsMaterial(c sut.Config) *sut.TLSMaterial {
	if c.TLS == nil {
		return nil
	}
	if err := c.TLS.Load(); err != nil {
		// The child reports the files' problem itself (it loads them).
		return nil
	}
	return c.TLS.Material
}

// withTLSMaterial gives a server child's settings the certificate and key
// its parent sent.
func withTLSMaterial(cfg *sut.Config, m *sut.TLSMaterial) error {
	if m == nil {
		return nil
	}
	if cfg.TLS == nil {
		return errors.New("a certificate came without TLS settings")
	}
	t := *cfg.TLS
	t.Material = m
	cfg.TLS = &t
	return nil
}

// writeServerCert writes the throwaway certificate of --server-tls (not
// its key) to the results folder.
func writeServerCert(dir string, p *Plan) error {
	if p.Server == nil || p.Server.TLS == nil || !p.Server.TLS.Generated || p.Server.TLS.Material == nil {
		return nil
	}
	return reporter.WriteFileAtomic(filepath.Join(dir, ServerCertFile), p.Server.TLS.Material.Cert)
}
