package tlsrelay

import "sync"

// bufSize is the size of the buffers data is copied through: the largest
// TLS plaintext record (RFC 8446 §5.1), so that one buffer carries one
// whole record each way.
const bufSize = 16 << 10

// stashSize is what each direction of a relay keeps of its own: the bytes
// the read that ends a wait returns. A heartbeat or a small message (and
// its TLS record) fits, so it crosses without a pooled buffer.
const stashSize = 128

// bufPool holds the copy buffers: a relay holds one only while data flows,
// so that an idle connection holds none (an io.Copy would keep 32 KiB per
// direction for the connection's life).
var bufPool = sync.Pool{New: func() any { return new([bufSize]byte) }}

func getBuf() *[bufSize]byte  { return bufPool.Get().(*[bufSize]byte) }
func putBuf(b *[bufSize]byte) { bufPool.Put(b) }
