package main

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// hist is a log-linear histogram of durations with atomic buckets, so
// that every engine records into it the same way whichever goroutine
// records (a loop for evloop and gnet, a timer goroutine for nbio):
// exact below 64 ns, then 32 buckets per power of two (≤ 3.2 % error,
// each value reported as its bucket's upper bound, as HDR histograms do).
type hist struct {
	b   [histBuckets]atomic.Uint64
	max atomic.Int64
}

const (
	histSub     = 6
	histHalf    = 1 << (histSub - 1)
	histBuckets = 1<<histSub + (64-histSub)*histHalf
)

func histIndex(v uint64) int {
	if v < 1<<histSub {
		return int(v)
	}
	e := bits.Len64(v) - histSub
	return 1<<histSub + (e-1)*histHalf + int(v>>e) - histHalf
}

// histUpper is the largest value bucket i holds.
func histUpper(i int) int64 {
	if i < 1<<histSub {
		return int64(i)
	}
	e := (i-1<<histSub)/histHalf + 1
	m := uint64((i-1<<histSub)%histHalf + histHalf)
	return int64((m+1)<<e - 1)
}

func (h *hist) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.b[histIndex(uint64(d))].Add(1)
	for {
		m := h.max.Load()
		if int64(d) <= m || h.max.CompareAndSwap(m, int64(d)) {
			return
		}
	}
}

// histData is a histogram as a child reports it: the non-empty buckets.
type histData struct {
	Buckets [][2]uint64 `json:"buckets"` // index, count
	Max     int64       `json:"max_ns"`
}

func (h *hist) data() histData {
	var d histData
	for i := range h.b {
		if n := h.b[i].Load(); n > 0 {
			d.Buckets = append(d.Buckets, [2]uint64{uint64(i), n})
		}
	}
	d.Max = h.max.Load()
	return d
}

// merged is the sum of several children's histograms.
type merged struct {
	counts [histBuckets]uint64
	n      uint64
	max    int64
}

func (m *merged) add(d histData) {
	for _, b := range d.Buckets {
		if b[0] < histBuckets {
			m.counts[b[0]] += b[1]
			m.n += b[1]
		}
	}
	m.max = max(m.max, d.Max)
}

// quantile returns the value at or below which a fraction q of the
// recordings fall (the maximum itself for q = 1); 0 when empty.
func (m *merged) quantile(q float64) time.Duration {
	if m.n == 0 {
		return 0
	}
	if q >= 1 {
		return time.Duration(m.max)
	}
	rank := uint64(q*float64(m.n) + 0.5)
	rank = max(rank, 1)
	var seen uint64
	for i, c := range m.counts {
		seen += c
		if seen >= rank {
			return time.Duration(min(histUpper(i), m.max))
		}
	}
	return time.Duration(m.max)
}
