package reporter

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Op is a threshold's comparison.
type Op uint8

// Comparisons.
const (
	OpLess Op = iota
	OpLessEqual
	OpGreater
	OpGreaterEqual
	OpEqual
	OpNotEqual
)

// opTokens are tried longest first, so that <= is not read as <.
var opTokens = []struct {
	tok string
	op  Op
}{{"<=", OpLessEqual}, {">=", OpGreaterEqual}, {"==", OpEqual}, {"!=", OpNotEqual}, {"<", OpLess}, {">", OpGreater}}

// String returns the operator as written.
func (o Op) String() string {
	for _, t := range opTokens {
		if t.op == o {
			return t.tok
		}
	}
	return "?"
}

func (o Op) holds(v, limit float64) bool {
	switch o {
	case OpLess:
		return v < limit
	case OpLessEqual:
		return v <= limit
	case OpGreater:
		return v > limit
	case OpGreaterEqual:
		return v >= limit
	case OpEqual:
		return v == limit
	case OpNotEqual:
		return v != limit
	}
	return false
}

// Threshold is a pass/fail condition on a run's figure: recovery_p99<10s.
// A storm figure must hold for every storm (it is tested on the worst).
type Threshold struct {
	Figure Figure
	Op     Op
	// Limit is in the figure's unit (milliseconds for durations, 1 or 0
	// for true or false).
	Limit float64
	// Src is the threshold as given.
	Src string
}

// ErrThreshold wraps every threshold parse error.
var ErrThreshold = errors.New("bad threshold")

// ParseThreshold parses "figure OP value": OP one of < <= > >= == !=;
// durations with a unit (250ms, 10s, 2m), counts and rates as numbers,
// percentages with or without %, booleans as true or false (== and !=
// only).
func ParseThreshold(s string) (Threshold, error) {
	t := Threshold{Src: s}
	name, rest, op, found := "", "", Op(0), false
	for i := 0; i < len(s) && !found; i++ {
		for _, tok := range opTokens {
			if strings.HasPrefix(s[i:], tok.tok) {
				name, rest, op, found = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+len(tok.tok):]), tok.op, true
				break
			}
		}
	}
	if !found {
		return t, fmt.Errorf("%w %q: want figure<value, e.g. recovery_p99<10s (operators < <= > >= == !=)", ErrThreshold, s)
	}
	f, ok := ParseFigure(name)
	if !ok {
		return t, fmt.Errorf("%w %q: unknown figure %q (known: %s)", ErrThreshold, s, name, FigureNames())
	}
	t.Figure, t.Op = f, op
	if rest == "" {
		return t, fmt.Errorf("%w %q: no value after %s", ErrThreshold, s, op)
	}
	switch f.Unit() {
	case UnitMs:
		d, err := time.ParseDuration(rest)
		if err != nil {
			return t, fmt.Errorf("%w %q: %s is a duration: write it with a unit, e.g. 250ms, 10s, 2m (got %q)", ErrThreshold, s, f, rest)
		}
		t.Limit = float64(d) / float64(time.Millisecond)
	case UnitBool:
		switch rest {
		case "true":
			t.Limit = 1
		case "false":
			t.Limit = 0
		default:
			return t, fmt.Errorf("%w %q: %s is true or false (got %q)", ErrThreshold, s, f, rest)
		}
		if op != OpEqual && op != OpNotEqual {
			return t, fmt.Errorf("%w %q: %s takes == or != only", ErrThreshold, s, f)
		}
	default:
		num := rest
		if f.Unit() == UnitPercent {
			num = strings.TrimSuffix(num, "%")
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return t, fmt.Errorf("%w %q: %s is a number without a unit (got %q)", ErrThreshold, s, f, rest)
		}
		t.Limit = v
	}
	return t, nil
}

// ThresholdResult is a threshold tested against a run.
type ThresholdResult struct {
	Threshold Threshold
	// Broken is true when the run does not meet the threshold, including
	// when it has no value for the figure (a recovery never reached).
	Broken bool
	// Measured is the run's value as text ("12.4s", "none: not every
	// storm reached it").
	Measured string
}

// Check tests t against sum.
func (t Threshold) Check(sum *Summary) ThresholdResult {
	v, ok, missing := t.Figure.RunValue(sum)
	switch {
	case missing && t.Figure.PerStorm():
		return ThresholdResult{Threshold: t, Broken: true, Measured: "none: a storm never reached it"}
	case !ok:
		return ThresholdResult{Threshold: t, Broken: true, Measured: "none: the run did not measure it"}
	}
	return ThresholdResult{Threshold: t, Broken: !t.Op.holds(v, t.Limit), Measured: FormatFigure(t.Figure, v)}
}

// FormatFigure writes v in f's unit.
func FormatFigure(f Figure, v float64) string {
	switch f.Unit() {
	case UnitMs:
		if v >= 1000 {
			return strconv.FormatFloat(v/1000, 'f', 3, 64) + "s"
		}
		return strconv.FormatFloat(v, 'f', 1, 64) + "ms"
	case UnitBool:
		return strconv.FormatBool(v != 0)
	case UnitPercent:
		return strconv.FormatFloat(v, 'f', 1, 64) + "%"
	case UnitPerS:
		return strconv.FormatFloat(v, 'f', 0, 64) + "/s"
	case UnitBytesPerConnS:
		return strconv.FormatFloat(v, 'f', 1, 64) + " B/conn·s"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// CheckAll tests every threshold against sum, in order.
func CheckAll(ts []Threshold, sum *Summary) []ThresholdResult {
	out := make([]ThresholdResult, len(ts))
	for i, t := range ts {
		out[i] = t.Check(sum)
	}
	return out
}

// ThresholdOutcome is a ThresholdResult as summary.json records it.
type ThresholdOutcome struct {
	Threshold string `json:"threshold"`
	Broken    bool   `json:"broken"`
	Measured  string `json:"measured"`
}

// SetThresholds tests ts against the summary and records the outcomes.
func (s *Summary) SetThresholds(ts []Threshold) {
	s.Thresholds = nil
	for _, r := range CheckAll(ts, s) {
		s.Thresholds = append(s.Thresholds, ThresholdOutcome{Threshold: r.Threshold.Src, Broken: r.Broken, Measured: r.Measured})
	}
}

// BrokenThresholds returns the outcomes that failed.
func (s *Summary) BrokenThresholds() []ThresholdOutcome {
	var out []ThresholdOutcome
	for _, t := range s.Thresholds {
		if t.Broken {
			out = append(out, t)
		}
	}
	return out
}

// printThresholds writes each threshold with its outcome and the measured
// value.
func printThresholds(p func(string, ...any), ts []ThresholdOutcome) {
	if len(ts) == 0 {
		return
	}
	p("thresholds")
	for _, t := range ts {
		state := "ok"
		if t.Broken {
			state = "BROKEN"
		}
		p("  %s\t%s\tmeasured %s", state, t.Threshold, t.Measured)
	}
}
