package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"github.com/stormbench/stormbench/internal/fielderr"
)

// zeroRule says what an explicit zero given to a numeric flag means. The
// libraries read a zero field as "use the default"; a value the user typed
// must instead be honoured as given or refused, so every numeric flag is
// classified here (TestEveryNumericFlagHasAZeroRule keeps it complete).
type zeroRule struct {
	flag string
	// refuse, when set, is what the flag allows instead: an explicit zero
	// is bad input naming it.
	refuse string
	// means, when set, is what a zero does, as documented in --help.
	means string
	// apply turns an explicit zero into the library's way of saying
	// means (nil when the library's zero already means it).
	apply func()
	// negative: the library gives negative values of this field a meaning
	// of their own, so a negative value typed by the user is refused here.
	negative bool
}

// checkExplicit refuses explicit zeros the rules refuse, and negative
// values of fields whose negatives are the library's own sentinels.
func checkExplicit(fs *pflag.FlagSet, rules []zeroRule) error {
	var errs []string
	for _, r := range rules {
		f := fs.Lookup(r.flag)
		if f == nil || !f.Changed {
			continue
		}
		v := f.Value.String()
		switch {
		case isZero(f):
			if r.refuse != "" {
				errs = append(errs, fmt.Sprintf("--%s must be %s (got %s)", r.flag, r.refuse, v))
			}
		case r.negative && strings.HasPrefix(v, "-"):
			errs = append(errs, fmt.Sprintf("--%s must be ≥ 0 (got %s)%s", r.flag, v, zeroHint(r)))
		}
	}
	if len(errs) > 0 {
		return usagef("%s", strings.Join(errs, "\n"))
	}
	return nil
}

func zeroHint(r zeroRule) string {
	if r.means == "" {
		return ""
	}
	return "; 0 means " + r.means
}

// applyZeroMeanings turns explicit zeros into what they mean.
func applyZeroMeanings(fs *pflag.FlagSet, rules []zeroRule) {
	for _, r := range rules {
		if f := fs.Lookup(r.flag); f != nil && f.Changed && isZero(f) && r.apply != nil {
			r.apply()
		}
	}
}

// isZero reports whether a numeric flag holds zero.
func isZero(f *pflag.Flag) bool {
	v := f.Value.String()
	switch f.Value.Type() {
	case "duration":
		return v == "0s"
	case "float64", "float32":
		x, err := strconv.ParseFloat(v, 64)
		return err == nil && x == 0
	default:
		return v == "0"
	}
}

// isNumeric reports whether a flag takes a number or a duration.
func isNumeric(f *pflag.Flag) bool {
	switch f.Value.Type() {
	case "int", "int64", "uint", "uint64", "float64", "float32", "duration":
		return true
	}
	return false
}

// flagError renames the fields in a library error to the command's flags.
// A field without a flag keeps its name: only library users can set it.
func flagError(err error, names map[string]string) error {
	return fielderr.Rename(err, func(field string) string {
		if n, ok := names[field]; ok {
			return n
		}
		return field
	})
}
