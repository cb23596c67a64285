package kernel

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// MemLimits is net.ipv4.tcp_mem, in pages: the thresholds the kernel
// compares the TCP memory of all sockets (sockstat "TCP: mem") with.
// Above Pressure the kernel enters memory pressure and shrinks every
// socket's buffers; it leaves it only below Min. Above Max it refuses new
// buffer memory: segments are dropped, sends stall and orphaned
// connections are reset.
type MemLimits struct {
	Min      int64 `json:"min"`
	Pressure int64 `json:"pressure"`
	Max      int64 `json:"max"`
}

// String formats the limits the way sysctl prints and accepts them.
func (l MemLimits) String() string { return fmt.Sprintf("%d %d %d", l.Min, l.Pressure, l.Max) }

// BufSizes is net.ipv4.tcp_rmem or tcp_wmem, in bytes: the buffer size a
// TCP socket starts with (Default), the least the kernel shrinks it to
// under memory pressure (Min), and the most autotuning grows it to (Max).
type BufSizes struct {
	Min     int64 `json:"min"`
	Default int64 `json:"default"`
	Max     int64 `json:"max"`
}

// PortRange is net.ipv4.ip_local_port_range: the ephemeral ports connect()
// picks from.
type PortRange struct {
	Lo int64 `json:"lo"`
	Hi int64 `json:"hi"`
}

// Size is the number of ports in the range.
func (r PortRange) Size() int64 { return max(r.Hi-r.Lo+1, 0) }

// Facts are the kernel's TCP limits and the machine's memory, read once
// before a run. Each value is a Fact: a sysctl this kernel lacks, or a
// /proc that is not mounted, makes that value unknown with the reason.
type Facts struct {
	// TCPMem is net.ipv4.tcp_mem (pages, host-wide; only the host's
	// network namespace has the file, so it is unknown anywhere else).
	TCPMem Fact[MemLimits] `json:"tcp_mem"`
	// TCPRmem and TCPWmem are net.ipv4.tcp_rmem and tcp_wmem (bytes).
	TCPRmem Fact[BufSizes] `json:"tcp_rmem"`
	TCPWmem Fact[BufSizes] `json:"tcp_wmem"`
	// RmemDefault … WmemMax are net.core.rmem_default, wmem_default,
	// rmem_max and wmem_max (bytes); the max values cap SO_RCVBUF and
	// SO_SNDBUF.
	RmemDefault Fact[int64] `json:"rmem_default"`
	WmemDefault Fact[int64] `json:"wmem_default"`
	RmemMax     Fact[int64] `json:"rmem_max"`
	WmemMax     Fact[int64] `json:"wmem_max"`
	// Somaxconn is net.core.somaxconn, the cap on a listener's accept queue.
	Somaxconn Fact[int64] `json:"somaxconn"`
	// TCPMaxSynBacklog is net.ipv4.tcp_max_syn_backlog, the cap on
	// handshakes in progress per listener.
	TCPMaxSynBacklog Fact[int64] `json:"tcp_max_syn_backlog"`
	// LocalPortRange is net.ipv4.ip_local_port_range.
	LocalPortRange Fact[PortRange] `json:"ip_local_port_range"`
	// MemPcpuRsv is net.core.mem_pcpu_rsv (pages): each CPU batches up to
	// this much socket memory before adding it to "TCP: mem", so a reading
	// can be off by this times the number of CPUs. Older kernels and
	// namespaces other than the host's lack the file; the batch is then
	// the kernel's built-in 1 MiB, if that kernel batches at all.
	MemPcpuRsv Fact[int64] `json:"mem_pcpu_rsv"`
	// PageSize is the unit of TCPMem and of "TCP: mem", in bytes.
	PageSize int64 `json:"page_size"`
	// MemTotal and MemAvailable are from /proc/meminfo, in bytes.
	MemTotal     Fact[int64] `json:"mem_total"`
	MemAvailable Fact[int64] `json:"mem_available"`
	// NetNS names the network namespace the facts and samples describe
	// (the target of /proc/self/ns/net, e.g. "net:[4026531840]").
	NetNS Fact[string] `json:"netns"`
}

// ReadFacts reads the facts of this machine from /proc, as seen from the
// calling process's network namespace.
func ReadFacts() Facts { return ReadFactsFS(os.DirFS("/proc")) }

// ReadFactsFS reads the facts from fsys, a tree laid out like /proc (tests
// pass captured copies).
func ReadFactsFS(fsys fs.FS) Facts {
	f := Facts{PageSize: int64(unix.Getpagesize())}
	if l, err := readInts(fsys, "sys/net/ipv4/tcp_mem", 3); err != nil {
		f.TCPMem = unknown[MemLimits](err)
	} else {
		f.TCPMem = known(MemLimits{l[0], l[1], l[2]})
	}
	f.TCPRmem = readBufSizes(fsys, "sys/net/ipv4/tcp_rmem")
	f.TCPWmem = readBufSizes(fsys, "sys/net/ipv4/tcp_wmem")
	f.RmemDefault = readInt(fsys, "sys/net/core/rmem_default")
	f.WmemDefault = readInt(fsys, "sys/net/core/wmem_default")
	f.RmemMax = readInt(fsys, "sys/net/core/rmem_max")
	f.WmemMax = readInt(fsys, "sys/net/core/wmem_max")
	f.Somaxconn = readInt(fsys, "sys/net/core/somaxconn")
	f.TCPMaxSynBacklog = readInt(fsys, "sys/net/ipv4/tcp_max_syn_backlog")
	f.MemPcpuRsv = readInt(fsys, "sys/net/core/mem_pcpu_rsv")
	if r, err := readInts(fsys, "sys/net/ipv4/ip_local_port_range", 2); err != nil {
		f.LocalPortRange = unknown[PortRange](err)
	} else {
		f.LocalPortRange = known(PortRange{r[0], r[1]})
	}
	f.MemTotal, f.MemAvailable = readMeminfo(fsys)
	if ns, err := fs.ReadLink(fsys, "self/ns/net"); err != nil {
		f.NetNS = unknown[string](fmt.Errorf("kernel: %w", err))
	} else {
		f.NetNS = known(ns)
	}
	return f
}

// Err joins the reasons of every unknown fact; nil when all are known.
func (f Facts) Err() error {
	return errors.Join(f.TCPMem.Err, f.TCPRmem.Err, f.TCPWmem.Err,
		f.RmemDefault.Err, f.WmemDefault.Err, f.RmemMax.Err, f.WmemMax.Err,
		f.Somaxconn.Err, f.TCPMaxSynBacklog.Err, f.LocalPortRange.Err,
		f.MemPcpuRsv.Err, f.MemTotal.Err, f.MemAvailable.Err, f.NetNS.Err)
}

func readBufSizes(fsys fs.FS, name string) Fact[BufSizes] {
	v, err := readInts(fsys, name, 3)
	if err != nil {
		return unknown[BufSizes](err)
	}
	return known(BufSizes{v[0], v[1], v[2]})
}

func readInt(fsys fs.FS, name string) Fact[int64] {
	v, err := readInts(fsys, name, 1)
	if err != nil {
		return unknown[int64](err)
	}
	return known(v[0])
}

// readInts reads a sysctl file holding exactly n integers.
func readInts(fsys fs.FS, name string, n int) ([]int64, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("kernel: %w", err)
	}
	out := make([]int64, 0, n)
	// A sysctl file is one line; newlines are treated as blanks so a
	// stray trailing one is harmless.
	for rest := bytes.ReplaceAll(b, []byte("\n"), []byte(" ")); ; {
		var tok []byte
		tok, rest = nextToken(rest)
		if len(tok) == 0 {
			break
		}
		v, ok := parseInt(tok)
		if !ok || len(out) == n {
			return nil, fmt.Errorf("kernel: %s: want %d integers, got %q", name, n, bytes.TrimSpace(b))
		}
		out = append(out, v)
	}
	if len(out) != n {
		return nil, fmt.Errorf("kernel: %s: want %d integers, got %q", name, n, bytes.TrimSpace(b))
	}
	return out, nil
}

// readMeminfo reads MemTotal and MemAvailable (in kB in the file).
func readMeminfo(fsys fs.FS) (total, avail Fact[int64]) {
	b, err := fs.ReadFile(fsys, "meminfo")
	if err != nil {
		err = fmt.Errorf("kernel: %w", err)
		return unknown[int64](err), unknown[int64](err)
	}
	total = unknown[int64](errors.New("kernel: meminfo: no MemTotal"))
	avail = unknown[int64](errors.New("kernel: meminfo: no MemAvailable"))
	for len(b) > 0 {
		var line []byte
		line, b = nextLine(b)
		key, rest := nextToken(line)
		num, rest := nextToken(rest)
		unit, _ := nextToken(rest)
		v, ok := parseInt(num)
		if !ok || string(unit) != "kB" {
			continue
		}
		switch string(key) {
		case "MemTotal:":
			total = known(v * 1024)
		case "MemAvailable:":
			avail = known(v * 1024)
		}
	}
	return total, avail
}
