package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrBadList is returned for a list of counts connlimit cannot use.
var ErrBadList = errors.New("bad list")

// parseCounts parses a comma-separated list of positive counts, e.g.
// "64,256,1024", each at most limit.
func parseCounts(s string, limit int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > limit {
			return nil, fmt.Errorf("%w: %q: want whole numbers from 1 to %d, comma-separated", ErrBadList, f, limit)
		}
		out = append(out, n)
	}
	return out, nil
}
