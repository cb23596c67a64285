package experiment

import (
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// HostFacts are the machine facts config.json records next to the settings.
type HostFacts struct {
	Hostname       string `json:"hostname"`
	Cores          int    `json:"cores"`
	GOMAXPROCS     int    `json:"gomaxprocs"`
	Kernel         string `json:"kernel"`
	FileLimit      uint64 `json:"file_limit"`
	PortRange      string `json:"ip_local_port_range"`
	Somaxconn      string `json:"somaxconn"`
	TCPMaxSynBack  string `json:"tcp_max_syn_backlog"`
	MemTotalKiB    string `json:"mem_total_kib"`
	GoVersion      string `json:"go_version"`
	StormbenchVers string `json:"stormbench_version"`
	Commit         string `json:"commit"`
}

// ReadHostFacts reads the facts of this machine; what cannot be read is empty.
func ReadHostFacts() HostFacts {
	var u unix.Utsname
	_ = unix.Uname(&u)
	var lim syscall.Rlimit
	_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	name, _ := os.Hostname()
	return HostFacts{
		Hostname:       name,
		Cores:          runtime.NumCPU(),
		GOMAXPROCS:     runtime.GOMAXPROCS(0),
		Kernel:         unix.ByteSliceToString(u.Release[:]),
		FileLimit:      lim.Cur,
		PortRange:      readProc("/proc/sys/net/ipv4/ip_local_port_range"),
		Somaxconn:      readProc("/proc/sys/net/core/somaxconn"),
		TCPMaxSynBack:  readProc("/proc/sys/net/ipv4/tcp_max_syn_backlog"),
		MemTotalKiB:    memTotal(),
		GoVersion:      runtime.Version(),
		StormbenchVers: Version,
		Commit:         Commit(),
	}
}

func readProc(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

func memTotal() string {
	b, _ := os.ReadFile("/proc/meminfo")
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
			return f[1]
		}
	}
	return ""
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// Version is the tool's version, set at build time with
// -ldflags "-X github.com/stormbench/stormbench/experiment.Version=…".
var Version = "dev"

// Commit returns the VCS revision recorded in the binary, if any.
func Commit() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}
