//go:build unix

package reporter

import (
	"runtime"
	"syscall"
	"time"
)

// usage returns this process's peak RSS and CPU time from
// getrusage(RUSAGE_SELF). ru_maxrss is in KiB on Linux and the BSDs, in bytes
// on macOS.
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
	return HarnessUsage{Processes: 1, PeakRSSBytes: rss, CPUSeconds: cpu.Seconds()}
}
