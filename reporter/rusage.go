//go:build unix

package reporter

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// usage returns this process's peak RSS and CPU time from
// getrusage(RUSAGE_SELF), and, on Linux, how much of that peak was the
// process's own memory (fileRSS). ru_maxrss is in KiB on Linux and the
// BSDs, in bytes on macOS.
func usage() HarnessUsage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return HarnessUsage{Processes: 1}
	}
	rss := int64(ru.Maxrss)
	if runtime.GOOS != "darwin" && runtime.GOOS != "ios" {
		rss *= 1024
	}
	cpu := time.Duration(ru.Utime.Nano()) + time.Duration(ru.Stime.Nano())
	u := HarnessUsage{Processes: 1, PeakRSSBytes: rss, CPUSeconds: cpu.Seconds()}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		u.PeakAnonBytes, u.FileRSSBytes = splitRSS(rss, b)
	}
	return u
}

// splitRSS splits a peak RSS into the process's own memory and the file
// pages it has mapped (the executable's code and data above all), read
// from a /proc/PID/status: RssFile and RssShmem now. Every process of a
// run maps the same executable, whose resident pages the kernel keeps
// once: a sum of peak RSS over processes counts them once per process
// (~15 MiB each for stormbench), the sum of the rest does not. File pages
// hardly change after start-up, so peak − file now is the peak of the
// rest, or a little above it if some were evicted. Both are 0 when
// status lacks the fields (before Linux 4.5).
func splitRSS(peak int64, status []byte) (anon, file int64) {
	var shmem int64
	found := false
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		line := sc.Bytes()
		var dst *int64
		switch {
		case bytes.HasPrefix(line, []byte("RssFile:")):
			dst, found = &file, true
		case bytes.HasPrefix(line, []byte("RssShmem:")):
			dst = &shmem
		default:
			continue
		}
		f := bytes.Fields(line[bytes.IndexByte(line, ':')+1:])
		if len(f) == 0 {
			continue
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil || kb < 0 || kb > 1<<40 {
			return 0, 0
		}
		*dst = kb * 1024
	}
	if !found {
		return 0, 0
	}
	file += shmem
	return max(peak-file, 0), file
}
