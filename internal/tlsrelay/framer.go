package tlsrelay

// recordHeaderLen is the length of a TLS record header (RFC 8446 §5.1):
// content type, legacy version (2 bytes), length (2 bytes).
const recordHeaderLen = 5

// framer follows the TLS record boundaries of the byte stream handed to
// crypto/tls, so that the relay can hand it no more than the current
// record: crypto/tls then never holds bytes the relay does not know
// about, and one Read that returned data leaves it with nothing, so the
// relay can go back to waiting on the socket without first asking
// crypto/tls for more (a read that would only fail with EAGAIN).
type framer struct {
	hdr  [recordHeaderLen]byte
	got  int // header bytes seen of the current record
	left int // body bytes of the current record still to come
}

// limit returns how many bytes the current record can still take: what
// completes its header, or the rest of its body.
func (f *framer) limit() int {
	if f.got < recordHeaderLen {
		return recordHeaderLen - f.got
	}
	return f.left
}

// boundary reports whether the bytes fed so far end at a record's end.
func (f *framer) boundary() bool { return f.got == 0 }

// feed accounts for p, at most limit() bytes of it at a time.
func (f *framer) feed(p []byte) {
	for len(p) > 0 {
		if f.got < recordHeaderLen {
			k := copy(f.hdr[f.got:], p)
			f.got += k
			p = p[k:]
			if f.got == recordHeaderLen {
				f.left = int(f.hdr[3])<<8 | int(f.hdr[4])
				if f.left == 0 {
					f.got = 0
				}
			}
			continue
		}
		k := min(len(p), f.left)
		f.left -= k
		p = p[k:]
		if f.left == 0 {
			f.got = 0
		}
	}
}
