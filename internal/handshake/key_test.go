package handshake

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// The worked example of RFC 6455 §1.3: the nonce "the sample nonce".
const (
	sampleKey    = "dGhlIHNhbXBsZSBub25jZQ=="
	sampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
)

func sampleKeyValue() Key {
	nonce := []byte("the sample nonce")
	return KeyFromBits(binary.BigEndian.Uint64(nonce[:8]), binary.BigEndian.Uint64(nonce[8:]))
}

func TestKeyAndAcceptMatchRFCExample(t *testing.T) {
	k := sampleKeyValue()
	if got := k.String(); got != sampleKey {
		t.Fatalf("key = %q, want %q", got, sampleKey)
	}
	if got := k.Accept().String(); got != sampleAccept {
		t.Fatalf("accept = %q, want %q", got, sampleAccept)
	}
}

func TestNewKeyIsBase64OfSixteenBytesFromSource(t *testing.T) {
	a, b := rand.NewPCG(1, 2), rand.NewPCG(1, 2)
	for range 100 {
		k := NewKey(a)
		raw, err := base64.StdEncoding.DecodeString(k.String())
		if err != nil || len(raw) != 16 {
			t.Fatalf("key %q: decodes to %d bytes, %v", k, len(raw), err)
		}
		hi, lo := b.Uint64(), b.Uint64()
		if binary.BigEndian.Uint64(raw[:8]) != hi || binary.BigEndian.Uint64(raw[8:]) != lo {
			t.Fatalf("key %q is not the source's next two values", k)
		}
		// The accept, computed the long way.
		sum := sha1.Sum([]byte(k.String() + guid))
		if want := base64.StdEncoding.EncodeToString(sum[:]); k.Accept().String() != want {
			t.Fatalf("accept of %q = %q, want %q", k, k.Accept(), want)
		}
	}
	if NewKey(rand.NewPCG(1, 2)) == NewKey(rand.NewPCG(3, 4)) {
		t.Fatal("different sources gave the same key")
	}
}

func TestFailureNames(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Failures() {
		if f.String() == "" || f.String() == "unknown" || seen[f.String()] {
			t.Fatalf("failure %d has name %q", f, f)
		}
		seen[f.String()] = true
		var err error = f
		if err.Error() != "websocket handshake: "+f.String() {
			t.Fatalf("Error() = %q", err.Error())
		}
	}
	if len(seen) != int(numFailures)-1 || Failure(200).String() != "unknown" {
		t.Fatalf("names: %v", seen)
	}
}
