package sut

import "math/bits"

// DedupWindow is how many message ids above the highest contiguous one a
// session remembers. A client numbers its messages from 1 and sends them
// in order; only redeliveries of recent ones (after a reconnect) arrive
// out of order, so 256 bits are enough and the state per session is a
// fixed 40 bytes, whatever the client sends.
const DedupWindow = 256

// dedup is the set of message ids a session received: every id ≤ base,
// and those of base+1 … base+DedupWindow whose bit is set (bit i is id
// base+1+i).
type dedup struct {
	base uint64
	win  [DedupWindow / 64]uint64
}

// add records id and reports whether it had been received before, and how
// many never-received ids slid below the window to make room for it: those
// are then taken as received (a redelivery of one would be acked as a
// duplicate), the price of the bound.
func (d *dedup) add(id uint64) (dup bool, skipped uint64) {
	if id <= d.base {
		return true, 0
	}
	off := id - d.base - 1
	if off >= DedupWindow {
		skipped = d.shift(off - DedupWindow + 1)
		off = DedupWindow - 1
	}
	w, b := off/64, off%64
	if d.win[w]&(1<<b) != 0 {
		return true, skipped
	}
	d.win[w] |= 1 << b
	// Advance base over the ids now contiguous.
	if d.win[0]&1 != 0 {
		n := uint64(0)
		for i := range d.win {
			t := uint64(bits.TrailingZeros64(^d.win[i]))
			n += t
			if t < 64 {
				break
			}
		}
		d.shift(n)
	}
	return false, skipped
}

// shift moves the window up by n ids and returns how many of the ids it
// moved past had not been received.
func (d *dedup) shift(n uint64) (missing uint64) {
	if n >= DedupWindow {
		set := 0
		for _, w := range d.win {
			set += bits.OnesCount64(w)
		}
		d.win = [DedupWindow / 64]uint64{}
		d.base += n
		return n - uint64(set)
	}
	// Count the received ids among the n shifted out.
	set := 0
	for i := uint64(0); i < n/64; i++ {
		set += bits.OnesCount64(d.win[i])
	}
	if r := n % 64; r > 0 {
		set += bits.OnesCount64(d.win[n/64] & (1<<r - 1))
	}
	words, sh := int(n/64), n%64
	const nw = DedupWindow / 64
	for i := 0; i < nw; i++ {
		var lo, hi uint64
		if i+words < nw {
			lo = d.win[i+words]
		}
		if i+words+1 < nw {
			hi = d.win[i+words+1]
		}
		if sh == 0 {
			d.win[i] = lo
		} else {
			d.win[i] = lo>>sh | hi<<(64-sh)
		}
	}
	d.base += n
	return n - uint64(set)
}
