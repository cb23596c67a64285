package reporter

import (
	"strconv"
	"time"
)

// column indexes the values of one time-series row. The first three are
// gauges at the end of the interval, the rest are counts within it.
type column int

const (
	colOpen column = iota
	colConnecting
	colWaiting
	colAttempts
	colConnects
	colFailures
	colDisconnects
	colPingsSent
	colPongsReceived
	colBytesSent
	colBytesReceived
	colMessagesReceived
	colGaveUp
	colMessagesLost
	colMessagesDuplicated
	colHeartbeatFramesSent
	colHeartbeatFramesReceived
	colHeartbeatBytesSent
	colHeartbeatBytesReceived
	colReconnects
	numColumns
)

// numGauges is how many leading columns are gauges.
const numGauges = int(colAttempts)

var columnNames = [numColumns]string{
	"open", "connecting", "waiting",
	"attempts", "connects", "failures", "disconnects", "pings_sent",
	"pongs_received", "bytes_sent", "bytes_received", "messages_received",
	"gave_up", "messages_lost", "messages_duplicated",
	"heartbeat_frames_sent", "heartbeat_frames_received",
	"heartbeat_bytes_sent", "heartbeat_bytes_received", "reconnects",
}

// maxBuckets bounds the series of one loop (29 hours at 100 ms) so that a
// wild offset cannot allocate without limit; later events land in the last
// bucket.
const maxBuckets = 1 << 20

// columns returns the names of the series columns, t_s excluded.
func columns() []string {
	out := make([]string, numColumns)
	copy(out, columnNames[:])
	return out
}

// TimeseriesHeader returns the header row of timeseries.csv.
func TimeseriesHeader() []string {
	return append([]string{"t_s"}, columnNames[:]...)
}

// row is one interval of one loop's series.
type row struct {
	v [numColumns]int64
	// gauged reports that the loop reported its gauges in this interval.
	gauged bool
}

// series is the time series of one loop.
type series struct {
	interval time.Duration
	rows     []row
}

// bucket returns the index of the interval that contains offset at.
func (s *series) bucket(at time.Duration) int {
	if at <= 0 {
		return 0
	}
	i := at / s.interval
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

// add adds n to column c of the interval containing at.
func (s *series) add(at time.Duration, c column, n int64) {
	s.row(s.bucket(at)).v[c] += n
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

// snapshot returns n rows of the series as plain values, with every gauge the
// loop did not report carried forward from the interval before.
func (s *series) snapshot(n int) [][]int64 {
	out := make([][]int64, n)
	var last [numGauges]int64
	for i := range out {
		r := make([]int64, numColumns)
		if i < len(s.rows) {
			copy(r, s.rows[i].v[:])
			if s.rows[i].gauged {
				copy(last[:], r[:numGauges])
			}
		}
		copy(r[:numGauges], last[:])
		out[i] = r
	}
	return out
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
