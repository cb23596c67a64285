//go:build unix

package reporter

import (
	"os"
	"runtime"
	"testing"
)

// statusSample is the memory part of a /proc/PID/status (Linux 6.x).
const statusSample = `Name:	stormbench
VmPeak:	 1262136 kB
VmHWM:	   19048 kB
VmRSS:	   19048 kB
RssAnon:	    2616 kB
RssFile:	   15302 kB
RssShmem:	    1130 kB
Threads:	7
`

func TestSplitRSS(t *testing.T) {
	const kb = 1024
	tests := []struct {
		name       string
		peak       int64
		status     string
		anon, file int64
	}{
		{"file and shared memory come off the peak", 40000 * kb, statusSample, (40000 - 15302 - 1130) * kb, (15302 + 1130) * kb},
		{"no RssFile (before Linux 4.5): unknown", 40000 * kb, "Name:\tx\nVmHWM:\t40000 kB\n", 0, 0},
		{"file above the peak (pages mapped after it)", 10000 * kb, "RssFile:\t12000 kB\n", 0, 12000 * kb},
		{"a value that is not a number: unknown", 40000 * kb, "RssFile:\tlots kB\n", 0, 0},
		{"an empty field is skipped", 40000 * kb, "RssShmem:\n" + "RssFile:\t100 kB\n", 39900 * kb, 100 * kb},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			anon, file := splitRSS(tt.peak, []byte(tt.status))
			if anon != tt.anon || file != tt.file {
				t.Fatalf("splitRSS = %d, %d; want %d, %d", anon, file, tt.anon, tt.file)
			}
		})
	}
}

// TestUsageSplitsRSS: on Linux the process's own memory and its file
// pages add up to its peak, and the file pages (the test binary) are some.
func TestUsageSplitsRSS(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("RssFile is Linux's")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skipf("no /proc: %v", err)
	}
	u := usage()
	if u.FileRSSBytes <= 0 || u.PeakAnonBytes <= 0 || u.PeakAnonBytes+u.FileRSSBytes != u.PeakRSSBytes {
		t.Fatalf("usage %+v: want own memory + file pages = peak RSS, both > 0", u)
	}
}

func FuzzSplitRSS(f *testing.F) {
	f.Add(int64(40000*1024), []byte(statusSample))
	f.Add(int64(0), []byte("RssFile:\t-5 kB\n"))
	f.Fuzz(func(t *testing.T, peak int64, status []byte) {
		if peak < 0 {
			return
		}
		anon, file := splitRSS(peak, status)
		if anon < 0 || file < 0 || anon > peak {
			t.Fatalf("splitRSS(%d) = %d, %d", peak, anon, file)
		}
	})
}
