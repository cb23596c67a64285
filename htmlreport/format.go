package htmlreport

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// dash stands for a figure that does not exist (null in summary.json):
// shown as such, never as zero.
const dash = "—"

// ms formats a latency in milliseconds: "33.3 ms", "1.24 s".
func ms(v float64) string {
	switch {
	case math.IsNaN(v):
		return dash
	case v >= 1000:
		return trim(v/1000, 2) + " s"
	case v >= 100:
		return trim(v, 0) + " ms"
	case v >= 10:
		return trim(v, 1) + " ms"
	default:
		return trim(v, 2) + " ms"
	}
}

// msPtr formats a nullable latency.
func msPtr(v *float64) string {
	if v == nil {
		return dash
	}
	return ms(*v)
}

// count formats an integer with thousands grouped: "10 450".
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if len(s) > 4 {
		var b strings.Builder
		for i, r := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				b.WriteRune(' ')
			}
			b.WriteRune(r)
		}
		s = b.String()
	}
	if neg {
		return "-" + s
	}
	return s
}

// rate formats a per-second rate: "10 450/s".
func rate(v float64) string { return count(int64(math.Round(v))) + "/s" }

// percent formats n of all as a percentage: "99.8 %".
func percent(n, all int64) string {
	if all <= 0 {
		return dash
	}
	return trim(100*float64(n)/float64(all), 1) + " %"
}

// seconds formats seconds on the run's clock: "2.32 s".
func seconds(v float64) string { return trim(v, 2) + " s" }

// bytesIEC formats a byte count: "19.8 MiB".
func bytesIEC(n int64) string {
	v := float64(n)
	for _, u := range []string{"B", "KiB", "MiB", "GiB"} {
		if v < 1024 || u == "GiB" {
			return fmt.Sprintf("%s %s", trim(v, 1), u)
		}
		v /= 1024
	}
	return ""
}

// trim formats v with at most dec decimals, without trailing zeros.
func trim(v float64, dec int) string {
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
