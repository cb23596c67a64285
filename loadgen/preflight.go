package loadgen

import (
	"bufio"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/stormbench/stormbench/internal/fielderr"
	"golang.org/x/sys/unix"
)

// Machine holds the facts of this host that decide whether a run fits.
type Machine struct {
	// FileLimit is the per-process open-file limit (RLIMIT_NOFILE, soft).
	FileLimit int `json:"file_limit"`
	// PortsPerAddr is the size of ip_local_port_range: the connections one
	// source address can open to one destination address and port.
	PortsPerAddr int `json:"ports_per_addr"`
	// MemAvailable is MemAvailable from /proc/meminfo, in bytes.
	MemAvailable int64 `json:"mem_available"`
}

// ReadMachine reads the machine's limits; a value it cannot read is 0,
// which skips the matching check.
func ReadMachine() Machine {
	var m Machine
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		m.FileLimit = int(min(lim.Cur, 1<<30))
	}
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		f := strings.Fields(string(b))
		if len(f) == 2 {
			lo, _ := strconv.Atoi(f[0])
			hi, _ := strconv.Atoi(f[1])
			m.PortsPerAddr = max(hi-lo+1, 0)
		}
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				m.MemAvailable = kb * 1024
			}
		}
		f.Close()
	}
	return m
}

// Plan is the shape of a run as the preflight check sees it.
type Plan struct {
	Clients int
	// Workers is the number of load-generator processes.
	Workers int
	// SourceAddrs is the number of source addresses (0 = the kernel's one).
	SourceAddrs int
	// ServerWorkers is the embedded server's processes; 0 when the server
	// is someone else's.
	ServerWorkers int
	// ServerHandshakes is the embedded server's handshakes in flight per process.
	ServerHandshakes int
	// TLS: the connections are wss (on the embedded server's side too):
	// the memory of a TLS connection.
	TLS bool
}

// Per-connection memory assumed by the preflight (measured on this design,
// see docs/scale.md, "Fleet size"): user space on each side, and kernel memory for the
// two sockets of a loopback connection.
const (
	estClientBytes = 2 << 10
	estServerBytes = 3 << 10
	estKernelBytes = 10 << 10
	// The same for wss (docs/tls.md, "What it costs": the TLS state of an
	// idle connection, ~4 KiB on each side, and the garbage of handshakes
	// that a peak of RSS holds), with the same margin.
	estClientBytesTLS = 8 << 10
	estServerBytesTLS = 8 << 10
	estKernelBytesTLS = estKernelBytes
	// descriptor slack per process: listeners, epoll, eventfd, pipes, logs.
	fdSlack = 64
	// serverImbalance: SO_REUSEPORT spreads connections by hash, not evenly.
	serverImbalance = 1.1
	// portChurn keeps a share of each source address's ports free for
	// reconnects while old connections sit in TIME_WAIT.
	portChurn = 0.8
)

// Preflight says whether p fits on m, and if not, what to change. Every
// problem is a *FieldError keyed by the field of Plan that fixes it
// (Workers, ServerWorkers, SourceAddrs, Clients); the remedy names other
// fields as {Field}.
func Preflight(p Plan, m Machine) error {
	var probs []error
	if m.FileLimit > 0 {
		fds, what := 1, "sockets"
		per := (p.Clients + p.Workers - 1) / max(p.Workers, 1)
		need := per*fds + fdSlack
		if need > m.FileLimit {
			room := max((m.FileLimit-fdSlack)/fds, 1)
			want := (p.Clients + room - 1) / room
			probs = append(probs, fielderr.New("Workers", "%d: each load-generator process would hold %d %s, over the file limit of %d per process; use {Workers} ≥ %d (or leave it unset)", p.Workers, need, what, m.FileLimit, want))
		}
		if p.ServerWorkers > 0 {
			perSrv := int(float64(p.Clients)/float64(p.ServerWorkers)*serverImbalance)*fds + p.ServerHandshakes + fdSlack
			if perSrv > m.FileLimit {
				cap := float64(m.FileLimit-p.ServerHandshakes-fdSlack) / float64(fds) / serverImbalance
				want := int(float64(p.Clients)/max(cap, 1)) + 1
				probs = append(probs, fielderr.New("ServerWorkers", "%d: each server process would hold about %d %s, over the file limit of %d; use {ServerWorkers} ≥ %d (or leave it unset)", p.ServerWorkers, perSrv, what, m.FileLimit, want))
			}
		}
	}
	if m.PortsPerAddr > 0 {
		addrs := max(p.SourceAddrs, 1)
		usable := int(float64(m.PortsPerAddr) * portChurn)
		per := (p.Clients + addrs - 1) / addrs
		if per > usable {
			want := (p.Clients + usable - 1) / usable
			probs = append(probs, fielderr.New("SourceAddrs", "(%d clients over %d source address(es)) need %d ports each, but one address has %d ephemeral ports to one server port (%d with room for reconnects); give {SourceAddrs} with ≥ %d addresses, e.g. 127.0.0.2-127.0.0.%d on loopback", p.Clients, addrs, per, m.PortsPerAddr, usable, want, want+1))
		}
	}
	if m.MemAvailable > 0 {
		client, server, kern := int64(estClientBytes), int64(estServerBytes), int64(estKernelBytes)
		if p.TLS {
			client, server, kern = estClientBytesTLS, estServerBytesTLS, estKernelBytesTLS
		}
		need := int64(p.Clients) * (client + kern)
		if p.ServerWorkers > 0 {
			need += int64(p.Clients) * server
		}
		if need > m.MemAvailable*9/10 {
			probs = append(probs, fielderr.New("Clients", "%d: needs about %d MiB (client, server and kernel memory), but only %d MiB are available; lower {Clients}", p.Clients, need>>20, m.MemAvailable>>20))
		}
	}
	return errors.Join(probs...)
}

// autoPerAddr is how many clients AutoSourceAddrs puts on one source
// address. Far below the 28 232 ports one address has, on purpose: the
// kernel picks a connect's port by scanning from an offset and checking
// each candidate against the established table (__inet_check_established),
// so the cost of every connect grows with the share of ports in use. At
// 20 000 clients per address it took over half of both cores during a
// 3 000/s ramp; at 4 096 it does not show in a profile.
const autoPerAddr = 4096

// AutoSourceAddrs picks loopback source addresses 127.0.0.2, 127.0.0.3, …
// (one per autoPerAddr clients) when the target is on loopback; it returns
// nil when one address is enough or the target is elsewhere.
func AutoSourceAddrs(target netip.Addr, clients int, m Machine) []netip.Addr {
	if !target.IsLoopback() || !target.Is4() || clients <= autoPerAddr {
		return nil
	}
	n := (clients + autoPerAddr - 1) / autoPerAddr
	out := make([]netip.Addr, 0, n)
	a := netip.AddrFrom4([4]byte{127, 0, 0, 2})
	for i := 0; i < n; i++ {
		out = append(out, a)
		a = a.Next()
	}
	return out
}

// ParseSourceIPs reads --source-ips: a comma-separated list of addresses
// and ranges like 127.0.0.2-127.0.0.40.
func ParseSourceIPs(s string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := netip.ParseAddr(strings.TrimSpace(lo))
		if err != nil {
			return nil, fmt.Errorf("--source-ips: %q is not an IP address", lo)
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		b, err := netip.ParseAddr(strings.TrimSpace(hi))
		if err != nil {
			return nil, fmt.Errorf("--source-ips: %q is not an IP address", hi)
		}
		if a.Is4() != b.Is4() || b.Less(a) {
			return nil, fmt.Errorf("--source-ips: range %s must go from a lower to a higher address of one family", part)
		}
		for x := a; ; x = x.Next() {
			out = append(out, x)
			if len(out) > 65536 {
				return nil, fmt.Errorf("--source-ips: more than 65536 addresses")
			}
			if x == b {
				break
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--source-ips: no address in %q", s)
	}
	return out, nil
}

// CheckSourceAddrs makes sure every source address is one this machine
// can send from, by binding a TCP socket to it (port 0, closed at once):
// an address that is not local would make every attempt of the run fail.
func CheckSourceAddrs(addrs []netip.Addr) error {
	var bad []string
	for _, a := range addrs {
		fam := unix.AF_INET
		var sa unix.Sockaddr = &unix.SockaddrInet4{Addr: a.As4()}
		if a.Is6() && !a.Is4In6() {
			fam = unix.AF_INET6
			sa = &unix.SockaddrInet6{Addr: a.As16()}
		}
		fd, err := unix.Socket(fam, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("source address check: socket: %w", err)
		}
		err = unix.Bind(fd, sa)
		unix.Close(fd)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s (%v)", a, err))
			if len(bad) == 5 {
				break
			}
		}
	}
	if len(bad) > 0 {
		return fielderr.New("SourceAddrs", "must be addresses of this machine, but these are not: %s (on loopback every 127.x.y.z is)", strings.Join(bad, ", "))
	}
	return nil
}
