package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// cpuTime is the CPU time (user + system) this process has used.
func cpuTime() time.Duration {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rss is this process's resident set size in bytes.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(string(f[1]), 10, 64)
	return pages * int64(os.Getpagesize())
}

// heapLive is the live heap after a full collection, in bytes.
func heapLive() int64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}

// allocs is the number of heap objects allocated so far.
func allocs() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}

// groupCPU is the CPU time used so far by the processes of the given
// process groups (the servers), read from /proc/PID/stat.
func groupCPU(pgids map[int]bool) time.Duration {
	ticks := int64(100) // USER_HZ on Linux
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	var sum int64
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		// After "pid (comm) ": state ppid pgrp … utime is field 14, stime
		// 15 (1-based), i.e. the 12th and 13th after comm.
		f := bytes.Fields(b[i+1:])
		if len(f) < 13 {
			continue
		}
		pgrp, _ := strconv.Atoi(string(f[2]))
		if !pgids[pgrp] {
			continue
		}
		ut, _ := strconv.ParseInt(string(f[11]), 10, 64)
		stt, _ := strconv.ParseInt(string(f[12]), 10, 64)
		sum += ut + stt
	}
	return time.Duration(sum * int64(time.Second) / ticks)
}

// loadAvg returns the 1-minute load average.
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := bytes.Fields(b)
	if len(f) == 0 {
		return -1
	}
	v, _ := strconv.ParseFloat(string(f[0]), 64)
	return v
}
