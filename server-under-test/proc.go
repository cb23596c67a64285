package sut

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
)

// currentRSS reads the resident set size from /proc/self/statm (pages).
func currentRSS() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.ParseInt(string(f[1]), 10, 64)
	return n * int64(os.Getpagesize())
}

func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

func goroutines() int { return runtime.NumGoroutine() }

func pid() int { return os.Getpid() }
