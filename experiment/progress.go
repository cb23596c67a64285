package experiment

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// progress returns a function that reports whether process pid is alive
// and making progress: not exited, not stopped (SIGSTOP, a debugger), and
// either running now or having used CPU since the previous call. A worker
// whose loops are saturated, or whose process an overloaded machine
// starves, is slow, not dead; one that is stopped or stuck waiting is not
// progressing.
func progress(pid int) func() bool {
	last, _ := procCPU(pid)
	return func() bool {
		state, cpu, ok := procState(pid)
		if !ok {
			return false
		}
		switch state {
		case 'T', 't', 'Z', 'X', 'x':
			return false
		}
		advanced := cpu > last
		last = cpu
		return advanced || state == 'R'
	}
}

// procCPU returns the user + system CPU ticks of pid.
func procCPU(pid int) (int64, bool) {
	_, cpu, ok := procState(pid)
	return cpu, ok
}

// procState reads the state letter and the CPU ticks (utime + stime) of
// pid from /proc/PID/stat.
func procState(pid int) (byte, int64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, false
	}
	// After "pid (comm) ": state ppid pgrp session tty tpgid flags minflt
	// cminflt majflt cmajflt utime stime …
	f := strings.Fields(s[i+1:])
	if len(f) < 13 || len(f[0]) != 1 {
		return 0, 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return f[0][0], ut + st, true
}
