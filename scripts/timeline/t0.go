package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrBadT0 is returned for a -t0 specification timeline cannot use.
var ErrBadT0 = errors.New("bad -t0")

// t0Kind says how a run's alignment instant is given.
type t0Kind int

const (
	t0Seconds t0Kind = iota // seconds since the run's start, as in timeseries.csv
	t0Storm                 // the instant of storm k, from summary.json
	t0Unix                  // a Unix time, converted with summary.json's started_at
)

// t0Spec is one run's alignment instant as given on the command line.
type t0Spec struct {
	Kind    t0Kind
	Seconds float64 // t0Seconds: run seconds; t0Unix: Unix seconds
	Storm   int     // t0Storm: 1-based storm number
}

// parseT0 parses "A=12.3,B=storm,C=unix:1795405448.25" into a map from
// run label to instant.
func parseT0(s string) (map[string]t0Spec, error) {
	m := map[string]t0Spec{}
	if strings.TrimSpace(s) == "" {
		return m, nil
	}
	for _, part := range strings.Split(s, ",") {
		label, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || label == "" {
			return nil, fmt.Errorf("%w: %q is not LABEL=VALUE", ErrBadT0, part)
		}
		if _, dup := m[label]; dup {
			return nil, fmt.Errorf("%w: %q given twice", ErrBadT0, label)
		}
		spec, err := parseT0Value(val)
		if err != nil {
			return nil, err
		}
		m[label] = spec
	}
	return m, nil
}

// parseT0Value parses one instant: SECONDS, storm, stormK or unix:SECONDS.
func parseT0Value(v string) (t0Spec, error) {
	switch {
	case v == "storm":
		return t0Spec{Kind: t0Storm, Storm: 1}, nil
	case strings.HasPrefix(v, "storm"):
		k, err := strconv.Atoi(strings.TrimPrefix(v, "storm"))
		if err != nil || k < 1 {
			return t0Spec{}, fmt.Errorf("%w: %q: storms are numbered from 1 (storm, storm2, …)", ErrBadT0, v)
		}
		return t0Spec{Kind: t0Storm, Storm: k}, nil
	case strings.HasPrefix(v, "unix:"):
		f, err := finite(strings.TrimPrefix(v, "unix:"))
		if err != nil || f <= 0 {
			return t0Spec{}, fmt.Errorf("%w: %q: want unix:SECONDS", ErrBadT0, v)
		}
		return t0Spec{Kind: t0Unix, Seconds: f}, nil
	}
	f, err := finite(v)
	if err != nil {
		return t0Spec{}, fmt.Errorf("%w: %q: want seconds since the run's start, storm[K] or unix:SECONDS", ErrBadT0, v)
	}
	return t0Spec{Kind: t0Seconds, Seconds: f}, nil
}

func finite(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not finite", s)
	}
	return f, nil
}

// resolve returns the instant in seconds since the run's start; storm and
// Unix instants need the run's summary.json.
func (s t0Spec) resolve(sum *summaryFile) (float64, error) {
	switch s.Kind {
	case t0Seconds:
		return s.Seconds, nil
	case t0Storm:
		if sum == nil {
			return 0, fmt.Errorf("%w: storm needs summary.json next to the CSV", ErrBadT0)
		}
		if s.Storm > len(sum.Storms) {
			return 0, fmt.Errorf("%w: storm %d: the run has %d storm(s)", ErrBadT0, s.Storm, len(sum.Storms))
		}
		return sum.Storms[s.Storm-1].T0, nil
	case t0Unix:
		if sum == nil || sum.StartedAt.IsZero() {
			return 0, fmt.Errorf("%w: unix: needs summary.json (started_at) next to the CSV", ErrBadT0)
		}
		start := float64(sum.StartedAt.UnixNano()) / 1e9
		return s.Seconds - start, nil
	}
	return 0, fmt.Errorf("%w: kind %d", ErrBadT0, s.Kind)
}
