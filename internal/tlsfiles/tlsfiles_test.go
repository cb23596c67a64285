package tlsfiles

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c1, k1, err := GenerateSelfSigned([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	c2, k2, _ := GenerateSelfSigned([]string{"localhost"})
	cert, key, other := write("c.pem", c1), write("k.pem", k1), write("k2.pem", k2)
	bundle := write("bundle.pem", append(append([]byte("comment line\n"), c1...), c2...))
	broken := write("broken.pem", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	empty := write("empty.pem", nil)
	tests := []struct {
		name, ca, cert, key string
		want                string // substring of the error; "" = ok
	}{
		{"bundle of two", bundle, "", "", ""},
		{"one certificate", cert, "", "", ""},
		{"key is no CA", key, "", "", "no PEM certificate"},
		{"empty", empty, "", "", "no PEM certificate"},
		{"broken certificate", broken, "", "", "certificate 1"},
		{"missing", filepath.Join(dir, "nope.pem"), "", "", "no such file"},
		{"directory", dir, "", "", "not a regular file"},
		{"no file named", "", "", "", "no file named"},
		{"key pair", "", cert, key, ""},
		{"key of another certificate", "", cert, other, "want a PEM certificate and its PEM private key"},
		{"swapped", "", key, cert, "want a PEM certificate and its PEM private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.cert != "" {
				var cb, kb []byte
				cb, kb, err = ReadKeyPair(tt.cert, tt.key)
				if err == nil && (!bytes.Equal(cb, c1) || !bytes.Equal(kb, k1)) {
					t.Fatal("contents not returned")
				}
			} else {
				_, err = ReadCAs(tt.ca)
			}
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want %q", err, tt.want)
			case err != nil && strings.Contains(err.Error(), "PRIVATE KEY-----"):
				t.Fatalf("error quotes a key: %v", err)
			}
		})
	}
}
