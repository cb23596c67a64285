// Package tlsfiles reads and checks the PEM files that TLS settings name
// (CA bundles, certificates and their keys), so that a command refuses a
// bad file before anything starts instead of failing every handshake of a
// run. Errors say what the file should hold; they never quote a key.
package tlsfiles

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// maxFile bounds what is read of one file: a CA bundle of every public
// root is about 200 KiB.
const maxFile = 4 << 20

// read reads path, refusing what cannot be a PEM file of certificates or keys.
func read(path string) ([]byte, error) {
	if path == "" {
		return nil, errors.New("no file named")
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Size() > maxFile {
		return nil, fmt.Errorf("%s is %d bytes, over %d: not a PEM file of certificates", path, fi.Size(), maxFile)
	}
	return os.ReadFile(path)
}

// CertPool parses pemCerts, a bundle of PEM "CERTIFICATE" blocks, into a
// pool. Every certificate block must parse and there must be at least
// one: a bundle that silently trusts nothing would fail every handshake.
func CertPool(pemCerts []byte) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	n := 0
	for rest := pemCerts; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", n+1, err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return nil, errors.New("no PEM certificate in it (want -----BEGIN CERTIFICATE----- blocks)")
	}
	return pool, nil
}

// ReadCAs reads a PEM bundle of CA certificates and checks it (CertPool).
func ReadCAs(path string) ([]byte, error) {
	b, err := read(path)
	if err != nil {
		return nil, err
	}
	if _, err := CertPool(b); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// ReadKeyPair reads a PEM certificate (chain) and its private key and
// checks that they belong together; it returns both files' contents.
func ReadKeyPair(certPath, keyPath string) (certPEM, keyPEM []byte, err error) {
	if certPEM, err = read(certPath); err != nil {
		return nil, nil, err
	}
	if keyPEM, err = read(keyPath); err != nil {
		return nil, nil, err
	}
	if _, err := KeyPair(certPEM, keyPEM); err != nil {
		return nil, nil, fmt.Errorf("%s with %s: %w", certPath, keyPath, err)
	}
	return certPEM, keyPEM, nil
}

// KeyPair parses a PEM certificate (chain) and its key into a
// tls.Certificate. crypto/tls's own errors name what is wrong (no
// certificate, no key, a key that does not match) without quoting it.
func KeyPair(certPEM, keyPEM []byte) (tls.Certificate, error) {
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("want a PEM certificate and its PEM private key: %w", err)
	}
	return c, nil
}
