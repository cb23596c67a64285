package reporter

import (
	"math"
	"strconv"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// maxBuckets bounds the series of one loop (29 hours at 100 ms) so that a
// wild offset cannot allocate without limit; later events land in the last
// bucket.
const maxBuckets = 1 << 20

// row is one interval of one loop's series.
type row struct {
	v [measure.NumLoopColumns]int64
	// gauged reports that the loop reported a gauge in this interval.
	gauged bool
}

// series is the time series of one loop.
type series struct {
	interval time.Duration
	rows     []row
	// cur is the index of the interval the last call of bucket found,
	// which holds the offsets [lo, hi): a frame's several columns, and
	// most events of a loop's turn, fall in the same interval, and the
	// division that finds it was most of the cost of a recording.
	cur    int
	lo, hi time.Duration
}

// bucket returns the index of the interval that contains offset at.
func (s *series) bucket(at time.Duration) int {
	if at >= s.lo && at < s.hi {
		return s.cur
	}
	i := bucketOf(at, s.interval)
	s.cur, s.lo, s.hi = i, time.Duration(i)*s.interval, time.Duration(i+1)*s.interval
	if i == 0 {
		s.lo = math.MinInt64 // every offset ≤ 0 is the first interval's
	}
	if i == maxBuckets-1 {
		s.hi = math.MaxInt64 // and every offset past the last one its
	}
	return i
}

// bucketOf returns the index of the interval of length interval that
// contains offset at, clamped to [0, maxBuckets).
func bucketOf(at, interval time.Duration) int {
	if at <= 0 {
		return 0
	}
	i := at / interval
	if i >= maxBuckets {
		return maxBuckets - 1
	}
	return int(i)
}

// row returns the row of interval i, growing the series as needed. Growth is
// amortised by append, so steady-state calls do not allocate.
func (s *series) row(i int) *row {
	if i < 0 {
		i = 0
	}
	for len(s.rows) <= i {
		s.rows = append(s.rows, row{})
	}
	return &s.rows[i]
}

// record records v in loop column c of the interval containing at, as
// the column's kind says (measure.Kind.Record).
func (s *series) record(at time.Duration, c measure.Column, v int64) {
	r := s.row(s.bucket(at))
	k := c.Kind()
	r.v[c] = k.Record(r.v[c], v)
	if k == measure.Gauge {
		r.gauged = true
	}
}

// rowsFor returns how many rows a series that ends at end has: up to the
// interval containing end (an interval is (start, end]), and never fewer than
// the rows that hold events.
func rowsFor(end, interval time.Duration, recorded int) int {
	n := 0
	if end > 0 {
		n = int((end + interval - 1) / interval)
		if n > maxBuckets {
			n = maxBuckets
		}
	}
	if recorded > n {
		n = recorded
	}
	return n
}

// snapshot returns n full-width rows of the series as plain values (host
// columns zero), with every gauge the loop did not report carried forward
// from the interval before.
func (s *series) snapshot(n int) [][]int64 {
	out := make([][]int64, n)
	kinds := columnKinds()[:measure.NumLoopColumns]
	var last [measure.NumLoopColumns]int64
	for i := range out {
		r := make([]int64, measure.NumColumns)
		reported := false
		if i < len(s.rows) {
			copy(r, s.rows[i].v[:])
			reported = s.rows[i].gauged
		}
		carry(r[:measure.NumLoopColumns], last[:], kinds, reported)
		out[i] = r
	}
	return out
}

// carry fills the carrying columns of r from last when the interval had no
// report, and otherwise remembers them in last.
func carry(r, last []int64, kinds []measure.Kind, reported bool) {
	for c, k := range kinds {
		if !k.Carries() {
			continue
		}
		if reported {
			last[c] = r[c]
		} else {
			r[c] = last[c]
		}
	}
}

// formatSeconds writes an offset as decimal seconds without rounding error
// (100ms → "0.1", 1300ms → "1.3").
func formatSeconds(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	sec, frac := int64(d/time.Second), int64(d%time.Second)
	s := strconv.FormatInt(sec, 10)
	if frac != 0 {
		f := strconv.FormatInt(frac+int64(time.Second), 10)[1:] // 9 digits, zero-padded
		for f[len(f)-1] == '0' {
			f = f[:len(f)-1]
		}
		s += "." + f
	}
	if neg {
		s = "-" + s
	}
	return s
}
