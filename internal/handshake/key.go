package handshake

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"
)

// Key is a Sec-WebSocket-Key: the base64 encoding of 16 random bytes
// (§4.1, item 7 of the client's requirements), 24 characters.
type Key [24]byte

// Accept is the Sec-WebSocket-Accept value that answers a Key: the base64
// encoding of the SHA-1 of the key followed by the GUID of §4.2.2, 28
// characters.
type Accept [28]byte

// guid is the fixed GUID of §1.3 and §4.2.2 that the server appends to the
// key before hashing it: proof that it understood the WebSocket request.
const guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// NewKey draws a key from src (two Uint64 calls). The RFC asks for a
// nonce chosen randomly per connection; it does not ask for
// unpredictability from a load generator, so the client's own *rand.PCG
// is a fine source and keeps runs reproducible.
func NewKey(src rand.Source) Key {
	hi := src.Uint64()
	return KeyFromBits(hi, src.Uint64())
}

// KeyFromBits builds the key whose 16 bytes are hi then lo, big-endian.
func KeyFromBits(hi, lo uint64) Key {
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[:8], hi)
	binary.BigEndian.PutUint64(raw[8:], lo)
	var k Key
	base64.StdEncoding.Encode(k[:], raw[:])
	return k
}

// Accept returns the Sec-WebSocket-Accept value a server must answer k
// with (§4.2.2, item 5.4 of the server's response).
func (k *Key) Accept() Accept {
	var in [len(Key{}) + len(guid)]byte
	copy(in[:], k[:])
	copy(in[len(k):], guid)
	sum := sha1.Sum(in[:])
	var a Accept
	base64.StdEncoding.Encode(a[:], sum[:])
	return a
}

// String returns the key as text (for logs and tests; it allocates).
func (k Key) String() string { return string(k[:]) }

// String returns the accept value as text (for logs and tests; it allocates).
func (a Accept) String() string { return string(a[:]) }
