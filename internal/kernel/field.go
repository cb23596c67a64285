package kernel

// Field names one value of a Sample: a gauge from /proc/net/sockstat(6) or
// a cumulative counter from the TcpExt table of /proc/net/netstat.
type Field uint8

// The fields a Sampler reads. Gauges describe the moment of the sample;
// counters count since boot, and Sample.Delta turns them into counts per
// interval.
const (
	// SocketsUsed is "sockets: used": sockets of every family in this
	// network namespace.
	SocketsUsed Field = iota
	// TCPInUse is "TCP: inuse": IPv4 TCP sockets in this network
	// namespace, listeners included, TIME_WAIT excluded.
	TCPInUse
	// TCPOrphan is "TCP: orphan": TCP sockets no process holds any more
	// (closed, still flushing or in FIN_WAIT), host-wide.
	TCPOrphan
	// TCPTimeWait is "TCP: tw": TIME_WAIT sockets in this network namespace.
	TCPTimeWait
	// TCPAlloc is "TCP: alloc": TCP sockets allocated, host-wide, both
	// families, orphans included.
	TCPAlloc
	// TCPMemPages is "TCP: mem": pages charged to TCP socket buffers,
	// host-wide, both families. This is the number net.ipv4.tcp_mem bounds.
	TCPMemPages
	// TCP6InUse is "TCP6: inuse" from /proc/net/sockstat6: IPv6 TCP sockets
	// in this network namespace. Their memory is in TCPMemPages.
	TCP6InUse
	// MemoryPressures counts entries into TCP memory pressure
	// (TcpExt TCPMemoryPressures).
	MemoryPressures
	// MemoryPressuresChrono is the time spent under TCP memory pressure, in
	// milliseconds (TcpExt TCPMemoryPressuresChrono).
	MemoryPressuresChrono
	// AbortOnMemory counts connections the kernel reset because TCP memory
	// or the orphan limit ran out (TcpExt TCPAbortOnMemory).
	AbortOnMemory
	// PruneCalled counts receive queues the kernel had to collapse or prune
	// to fit their memory (TcpExt PruneCalled).
	PruneCalled
	// RcvQDrop counts segments dropped because a receive queue could not be
	// charged any more memory (TcpExt TCPRcvQDrop).
	RcvQDrop
	// ListenOverflows counts handshakes dropped because a listener's accept
	// queue was full (TcpExt ListenOverflows).
	ListenOverflows
	// ListenDrops counts every handshake a listener dropped, overflows
	// included (TcpExt ListenDrops).
	ListenDrops
	// AbortOnTimeout counts connections given up after too many
	// retransmissions or keepalive probes (TcpExt TCPAbortOnTimeout).
	AbortOnTimeout
	// Timeouts counts retransmission timeouts (TcpExt TCPTimeouts).
	Timeouts

	numFields
)

// fieldInfo is what the parsers and the time series need to know of a Field.
var fieldInfo = [numFields]struct {
	column  string // name of the time-series column
	source  string // file and label it is read from
	counter bool   // cumulative since boot
}{
	SocketsUsed:           {"sockets_used", "sockstat sockets: used", false},
	TCPInUse:              {"tcp_inuse", "sockstat TCP: inuse", false},
	TCPOrphan:             {"tcp_orphan", "sockstat TCP: orphan", false},
	TCPTimeWait:           {"tcp_tw", "sockstat TCP: tw", false},
	TCPAlloc:              {"tcp_alloc", "sockstat TCP: alloc", false},
	TCPMemPages:           {"tcp_mem_pages", "sockstat TCP: mem", false},
	TCP6InUse:             {"tcp6_inuse", "sockstat6 TCP6: inuse", false},
	MemoryPressures:       {"tcp_memory_pressures", "netstat TcpExt: TCPMemoryPressures", true},
	MemoryPressuresChrono: {"tcp_memory_pressure_ms", "netstat TcpExt: TCPMemoryPressuresChrono", true},
	AbortOnMemory:         {"tcp_abort_on_memory", "netstat TcpExt: TCPAbortOnMemory", true},
	PruneCalled:           {"tcp_prune_called", "netstat TcpExt: PruneCalled", true},
	RcvQDrop:              {"tcp_rcvq_drop", "netstat TcpExt: TCPRcvQDrop", true},
	ListenOverflows:       {"listen_overflows", "netstat TcpExt: ListenOverflows", true},
	ListenDrops:           {"listen_drops", "netstat TcpExt: ListenDrops", true},
	AbortOnTimeout:        {"tcp_abort_on_timeout", "netstat TcpExt: TCPAbortOnTimeout", true},
	Timeouts:              {"tcp_timeouts", "netstat TcpExt: TCPTimeouts", true},
}

// String is the field's column name in a time series, e.g. "tcp_mem_pages".
func (f Field) String() string {
	if f >= numFields {
		return "unknown"
	}
	return fieldInfo[f].column
}

// Source says where the field is read: the file under /proc/net and the
// label in it, e.g. "sockstat TCP: mem".
func (f Field) Source() string {
	if f >= numFields {
		return ""
	}
	return fieldInfo[f].source
}

// Counter reports whether the field counts since boot (so an interval's
// value is a difference) rather than describing the moment of the sample.
func (f Field) Counter() bool { return f < numFields && fieldInfo[f].counter }

// Fields lists every field in column order.
func Fields() []Field {
	out := make([]Field, numFields)
	for i := range out {
		out[i] = Field(i)
	}
	return out
}
