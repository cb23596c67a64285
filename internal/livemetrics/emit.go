package livemetrics

import (
	"errors"
	"fmt"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
)

// namespace prefixes every metric name.
const namespace = "stormbench"

// MaxLabelValues bounds the values of one label of one metric (the keys of
// one map of a snapshot). Causes, rules and kinds are small enums; a map
// with more keys is a producer's bug that would flood Prometheus with
// series, and fails the scrape instead.
const MaxLabelValues = 64

// maxLabelLen bounds one label value (a cause, rule, kind or phase name).
const maxLabelLen = 64

// family is one metric: its name (for error messages) and descriptor.
type family struct {
	name string
	desc *prometheus.Desc
}

// newFamily describes the metric namespace_name with help text and the
// given variable labels.
func newFamily(name, help string, labels ...string) family {
	fq := prometheus.BuildFQName(namespace, "", name)
	return family{name: fq, desc: prometheus.NewDesc(fq, help, labels, nil)}
}

// emitter builds the metrics of one scrape; the first error voids them
// all, so that a scrape shows a snapshot whole or not at all.
type emitter struct {
	ms  []prometheus.Metric
	err error
}

func (e *emitter) fail(f family, err error) {
	if e.err == nil {
		e.err = fmt.Errorf("%s: %w", f.name, err)
	}
}

func (e *emitter) add(f family, m prometheus.Metric, err error) {
	if err != nil {
		e.fail(f, err)
		return
	}
	e.ms = append(e.ms, m)
}

// counter emits a cumulative count; a negative one is a producer's bug.
func (e *emitter) counter(f family, v int64, labels ...string) {
	if v < 0 {
		e.fail(f, fmt.Errorf("counter is %d: counts never go below 0", v))
		return
	}
	m, err := prometheus.NewConstMetric(f.desc, prometheus.CounterValue, float64(v), labels...)
	e.add(f, m, err)
}

// gauge emits a current value.
func (e *emitter) gauge(f family, v float64, labels ...string) {
	m, err := prometheus.NewConstMetric(f.desc, prometheus.GaugeValue, v, labels...)
	e.add(f, m, err)
}

// seconds emits a duration gauge in seconds, Prometheus's base unit.
func (e *emitter) seconds(f family, d time.Duration) {
	e.gauge(f, d.Seconds())
}

// byLabel emits one counter per key of m, the key as the only label.
func (e *emitter) byLabel(f family, m map[string]int64) {
	if len(m) > MaxLabelValues {
		e.fail(f, fmt.Errorf("%d label values: at most %d (causes, rules and kinds are small enums)", len(m), MaxLabelValues))
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := checkName(k); err != nil {
			e.fail(f, fmt.Errorf("label value %q: %w", k, err))
			return
		}
		e.counter(f, m[k], k)
	}
}

// histogram emits h as a Prometheus histogram.
func (e *emitter) histogram(f family, h Histogram) {
	if err := h.validate(); err != nil {
		e.fail(f, err)
		return
	}
	n, buckets := h.cumulative()
	m, err := prometheus.NewConstHistogram(f.desc, n, h.Sum, buckets)
	e.add(f, m, err)
}

// errBadName reports a label value that is not a lower-case name or a
// number.
var errBadName = errors.New("want a lower-case snake_case name or a number, of at most 64 bytes")

// checkName accepts the names enums use in results files, [a-z][a-z0-9_]*,
// and numbers (close codes), [0-9]+.
func checkName(s string) error {
	if s == "" || len(s) > maxLabelLen {
		return errBadName
	}
	if s[0] >= '0' && s[0] <= '9' {
		for i := 1; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return errBadName
			}
		}
		return nil
	}
	if s[0] < 'a' || s[0] > 'z' {
		return errBadName
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return errBadName
		}
	}
	return nil
}

// checkPhase accepts a phase name: printable UTF-8 of at most 64 bytes
// (phases are ramp, hold, storm-k, hold-k, drain).
func checkPhase(s string) error {
	if len(s) > maxLabelLen || !utf8.ValidString(s) {
		return errors.New("want valid UTF-8 of at most 64 bytes")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return errors.New("control characters are not allowed")
		}
	}
	return nil
}

// send hands the metrics to ch, or — when building them failed — one
// invalid metric that makes the registry's Gather, and so the scrape, fail
// with err.
func (e *emitter) send(ch chan<- prometheus.Metric, errDesc *prometheus.Desc) {
	if e.err != nil {
		ch <- prometheus.NewInvalidMetric(errDesc, e.err)
		return
	}
	for _, m := range e.ms {
		ch <- m
	}
}
