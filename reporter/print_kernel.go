package reporter

import "fmt"

// printKernel writes the kernel block, when the coordinator sampled it.
func printKernel(p func(string, ...any), k *KernelSummary) {
	if k == nil {
		return
	}
	p("kernel")
	limits := "limits unknown"
	if l := k.TCPMemPages; l.Max > 0 {
		limits = fmt.Sprintf("tcp_mem %s / %s / %s pages (min / pressure / max)", grouped(l.Min), grouped(l.Pressure), grouped(l.Max))
	}
	p("  tcp memory\tpeak %s pages at %ss\t%s", grouped(k.PeakPages), secs(k.PeakAtS), limits)
	p("  sockets\tpeak in use %s\torphans %s, time-wait %s", grouped(k.PeakInUse), grouped(k.PeakOrphans), grouped(k.PeakTimeWait))
	p("  listen queues\toverflows %d\tSYNs dropped %d", k.ListenOverflows, k.ListenDrops)
}

// kernelWarnings warns when the kernel, not the server, may have lost
// connections: TCP memory at its limit or under pressure, listen queues
// that overflowed.
func kernelWarnings(p func(string, ...any), k *KernelSummary) {
	if k == nil {
		return
	}
	l := k.TCPMemPages
	switch {
	case k.FirstLimitAtS != nil:
		p("WARNING: the kernel's TCP memory reached its limit (%s pages) at %s s: connections lost after that were lost to this machine, not to the server; raise it with sysctl -w net.ipv4.tcp_mem=\"%d %d %d\"",
			grouped(l.Max), secs(*k.FirstLimitAtS), 2*l.Min, 2*l.Pressure, 2*l.Max)
	case k.AbortsOnMemory > 0:
		p("WARNING: the kernel aborted %d sockets for lack of TCP memory: connections lost then were lost to this machine, not to the server; raise net.ipv4.tcp_mem", k.AbortsOnMemory)
	case k.FirstPressureAtS != nil:
		p("WARNING: the kernel's TCP memory was under pressure (≥ %s pages) for %s s from %s s: it shrank socket buffers on this machine; consider raising net.ipv4.tcp_mem",
			grouped(l.Pressure), secs(k.SecondsUnderPressure), secs(*k.FirstPressureAtS))
	case k.MemoryPressures > 0:
		p("WARNING: the kernel's TCP memory came under pressure %d times: it shrank socket buffers on this machine; consider raising net.ipv4.tcp_mem", k.MemoryPressures)
	}
	if k.ListenOverflows > 0 || k.ListenDrops > 0 {
		p("WARNING: listen queues on this machine overflowed %d times (%d SYNs dropped): the kernel dropped connection attempts before any process accepted them (see net.core.somaxconn and the listen backlog)",
			k.ListenOverflows, k.ListenDrops)
	}
}
