package main

import (
	"github.com/spf13/pflag"
	"github.com/stormbench/stormbench/loadgen"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// TLS flags of run (wss:// clients, the embedded server's --server-tls)
// and serve (--tls-cert, --tls-key, --tls-client-ca). Files are read and
// checked before anything starts (experiment.Prepare, sut.TLS.Load);
// config.json records their paths, never a key.

// tlsFlags holds run's TLS flags.
type tlsFlags struct {
	caCert, clientCert, clientKey string
	insecure, serverTLS           bool
	// newTicketKey: the embedded server's --server-tls-new-ticket-key.
	newTicketKey bool
}

func init() {
	for field, flag := range map[string]string{
		"TLS.CertFile": "--tls-cert", "TLS.KeyFile": "--tls-key", "TLS.ClientCAFile": "--tls-client-ca",
	} {
		serveFlagNames[field] = flag
	}
}

// applyTLSFlags puts run's TLS flags into cfg and refuses what cannot
// work: a file flag given as "", client TLS settings against a server
// that speaks ws://, --server-tls with --url. The files themselves are
// read by experiment.Prepare; ws:// URLs and pairs of flags are checked
// by cfg.Validate.
func applyTLSFlags(fs *pflag.FlagSet, cfg *loadgen.Config, tf tlsFlags) error {
	for _, f := range []struct{ name, val, what string }{
		{"ca-cert", tf.caCert, "a PEM file of CA certificates"},
		{"client-cert", tf.clientCert, "a PEM file of the client certificate"},
		{"client-key", tf.clientKey, "a PEM file of the client certificate's private key"},
	} {
		if fs.Changed(f.name) && f.val == "" {
			return usagef("--%s must name %s (got \"\")", f.name, f.what)
		}
	}
	// --tls-resume, --tls-curves and --tls-min-version are bound to
	// cfg.TLS itself.
	cfg.TLS.CACert, cfg.TLS.Insecure, cfg.TLS.ClientCert, cfg.TLS.ClientKey = tf.caCert, tf.insecure, tf.clientCert, tf.clientKey
	embed := cfg.URL == ""
	switch {
	case tf.serverTLS && !embed:
		return usagef("--server-tls sets the embedded server; with --url the server is yours (give a wss:// URL)")
	case tf.serverTLS && cfg.TLS.TrustSet():
		return usagef("--server-tls makes the clients trust exactly the embedded server's throwaway certificate: %s would do nothing", setTLSFlags(tf, cfg.TLS))
	case embed && !tf.serverTLS && cfg.TLS.Set():
		return usagef("%s: the embedded server speaks ws:// unless --server-tls is given, and these flags are for wss:// servers", setTLSFlags(tf, cfg.TLS))
	case tf.newTicketKey && !tf.serverTLS:
		return usagef("--server-tls-new-ticket-key sets the session tickets of the embedded server's wss://: give --server-tls too")
	}
	return nil
}

// setTLSFlags names the client TLS flags given.
func setTLSFlags(tf tlsFlags, t loadgen.TLS) string {
	var out string
	add := func(set bool, name string) {
		if !set {
			return
		}
		if out != "" {
			out += ", "
		}
		out += name
	}
	add(tf.caCert != "", "--ca-cert")
	add(tf.insecure, "--insecure")
	add(tf.clientCert != "", "--client-cert")
	add(tf.clientKey != "", "--client-key")
	add(t.Resume, "--tls-resume")
	add(len(t.Curves) > 0, "--tls-curves")
	add(t.MinVersion != "", "--tls-min-version")
	return out
}

// serveTLSFlags defines serve's TLS flags into a TLS setting of cfg that
// finishServeTLS keeps only when one of them was given.
func serveTLSFlags(fs *pflag.FlagSet, cfg *sut.Config) {
	t := &sut.TLS{}
	cfg.TLS = t
	fs.StringVar(&t.CertFile, "tls-cert", "", "serve wss://: the server's PEM certificate (chain) (with --tls-key)")
	fs.StringVar(&t.KeyFile, "tls-key", "", "the PEM private key of --tls-cert")
	fs.StringVar(&t.ClientCAFile, "tls-client-ca", "", "require a client certificate signed by a CA of this PEM file (mutual TLS; with --tls-cert)")
	fs.BoolVar(&t.TicketKeyPerStart, "tls-new-ticket-key", false, "a new TLS session ticket key at every start and restart of the listener and in every worker, so that no ticket survives one (default: one key for the server's processes and their restarts)")
}

// finishServeTLS drops the TLS setting when no TLS flag was given, and
// refuses a file flag given as "" or --tls-client-ca without a
// certificate. The files are read and checked by sut.TLS.Load.
func finishServeTLS(fs *pflag.FlagSet, cfg *sut.Config) error {
	any := false
	for _, f := range []struct{ name, what string }{
		{"tls-cert", "a PEM file of the server's certificate"},
		{"tls-key", "a PEM file of the server certificate's private key"},
		{"tls-client-ca", "a PEM file of CA certificates"},
		{"tls-new-ticket-key", ""},
	} {
		if !fs.Changed(f.name) {
			continue
		}
		any = true
		if f.what != "" && fs.Lookup(f.name).Value.String() == "" {
			return usagef("--%s must name %s (got \"\")", f.name, f.what)
		}
	}
	if !any {
		cfg.TLS = nil
		return nil
	}
	if cfg.TLS.TicketKeyPerStart && cfg.TLS.CertFile == "" && cfg.TLS.KeyFile == "" {
		return usagef("--tls-new-ticket-key needs --tls-cert and --tls-key: session tickets are TLS's")
	}
	if cfg.TLS.ClientCAFile != "" && cfg.TLS.CertFile == "" && cfg.TLS.KeyFile == "" {
		return usagef("--tls-client-ca needs --tls-cert and --tls-key: client certificates are asked for over TLS")
	}
	return nil
}
