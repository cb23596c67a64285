package tlsfiles

import (
	"crypto/tls"
	"crypto/x509"
	"testing"
)

func TestGenerateSelfSigned(t *testing.T) {
	certPEM, keyPEM, err := GenerateSelfSigned([]string{"127.0.0.1", "::1", "localhost", "stormbench.test"})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	c := pair.Leaf
	if c == nil {
		if c, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
			t.Fatal(err)
		}
	}
	if c.PublicKeyAlgorithm != x509.ECDSA || c.SignatureAlgorithm != x509.ECDSAWithSHA256 {
		t.Fatalf("algorithms %v %v, want ECDSA P-256", c.PublicKeyAlgorithm, c.SignatureAlgorithm)
	}
	pool, err := CertPool(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"127.0.0.1", "::1", "localhost", "stormbench.test"} {
		if _, err := c.Verify(x509.VerifyOptions{Roots: pool, DNSName: host}); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
	if _, err := c.Verify(x509.VerifyOptions{Roots: pool, DNSName: "other.test"}); err == nil {
		t.Error("verified for a host it does not name")
	}
	if _, err := CertPool([]byte("no pem here")); err == nil {
		t.Error("CertPool accepted no certificate")
	}
}
