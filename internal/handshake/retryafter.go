package handshake

import (
	"net/http"
	"time"
)

// maxDelta caps delta-seconds the way RFC 7234 §1.2.1 caps them: 2^31 s,
// far beyond any run, and safe from overflow.
const maxDelta = 1 << 31

// findRetryAfter returns the first valid Retry-After among the header
// lines of a non-101 response. Other lines are not judged: the status is
// what the caller needs, and a 503 with an odd header is still a 503.
func findRetryAfter(lines []byte, exp *Expect) (time.Duration, bool) {
	for {
		var line []byte
		line, lines = nextLine(lines)
		if len(line) == 0 {
			return 0, false
		}
		if isOWS(line[0]) {
			continue
		}
		name, v, ok := splitField(line)
		if !ok || !equalLower(name, "retry-after") {
			continue
		}
		if d, ok := parseRetryAfter(v, exp); ok {
			return d, true
		}
	}
}

// parseRetryAfter parses Retry-After = HTTP-date / delta-seconds (RFC 7231
// §7.1.3).
func parseRetryAfter(v []byte, exp *Expect) (time.Duration, bool) {
	if len(v) == 0 {
		return 0, false
	}
	if isDigit(v[0]) {
		var s int64
		for _, c := range v {
			if !isDigit(c) {
				return 0, false
			}
			if s < maxDelta {
				s = s*10 + int64(c-'0')
			}
		}
		return time.Duration(min(s, maxDelta)) * time.Second, true
	}
	t, ok := parseIMFFixdate(v)
	if !ok {
		// The two obsolete formats a recipient must still accept (§7.1.1.1):
		// rare enough that net/http may parse them, allocating.
		pt, err := http.ParseTime(string(v))
		if err != nil {
			return 0, false
		}
		t = pt
	}
	now := exp.Now
	if now.IsZero() {
		now = time.Now()
	}
	return max(t.Sub(now), 0), true
}

// parseIMFFixdate parses the preferred HTTP-date format, e.g.
// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 7231 §7.1.1.1), without allocating.
func parseIMFFixdate(v []byte) (time.Time, bool) {
	const layout = "Sun, 06 Nov 1994 08:49:37 GMT"
	if len(v) != len(layout) || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' ||
		v[16] != ' ' || v[19] != ':' || v[22] != ':' || string(v[25:]) != " GMT" {
		return time.Time{}, false
	}
	wday := -1
	for i, d := range [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"} {
		if string(v[:3]) == d {
			wday = i
		}
	}
	month := 0
	for i, m := range [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"} {
		if string(v[8:11]) == m {
			month = i + 1
		}
	}
	day, ok1 := digits(v[5:7])
	year, ok2 := digits(v[12:16])
	hour, ok3 := digits(v[17:19])
	minute, ok4 := digits(v[20:22])
	sec, ok5 := digits(v[23:25])
	if wday < 0 || month == 0 || !(ok1 && ok2 && ok3 && ok4 && ok5) ||
		day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	// time.Date normalises 31 Feb into March: refuse such dates. Like
	// time.Parse, take the weekday's spelling but not its agreement.
	if t.Day() != day {
		return time.Time{}, false
	}
	return t, true
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
