package kernel

import "bytes"

// parseNetstat adds to s the TcpExt counters of /proc/net/netstat held in
// b. The file is a series of line pairs: a header line ("TcpExt: SyncookiesSent
// SyncookiesRecv …") and a value line with the same label ("TcpExt: 0 0 …").
// Counters are matched by their header name, never by position, because
// every kernel version adds columns. Unknown sections and names are
// skipped; a value line shorter than its header ends the pair; a label
// mismatch (a torn or odd file) makes the second line the next header.
func parseNetstat(b []byte, s *Sample) {
	var header []byte
	for len(b) > 0 {
		var line []byte
		line, b = nextLine(b)
		if header == nil {
			header = line
			continue
		}
		hl, hrest := nextToken(header)
		vl, vrest := nextToken(line)
		if !bytes.Equal(hl, vl) {
			header = line
			continue
		}
		header = nil
		if string(hl) != "TcpExt:" {
			continue
		}
		for {
			var name, val []byte
			name, hrest = nextToken(hrest)
			val, vrest = nextToken(vrest)
			if len(name) == 0 || len(val) == 0 {
				break
			}
			f, ok := tcpExtField(name)
			if !ok {
				continue
			}
			if v, ok := parseInt(val); ok {
				s.Set(f, v)
			}
		}
	}
}

// tcpExtField maps a TcpExt column name to a Field.
func tcpExtField(name []byte) (Field, bool) {
	switch string(name) {
	case "TCPMemoryPressures":
		return MemoryPressures, true
	case "TCPMemoryPressuresChrono":
		return MemoryPressuresChrono, true
	case "TCPAbortOnMemory":
		return AbortOnMemory, true
	case "PruneCalled":
		return PruneCalled, true
	case "TCPRcvQDrop":
		return RcvQDrop, true
	case "ListenOverflows":
		return ListenOverflows, true
	case "ListenDrops":
		return ListenDrops, true
	case "TCPAbortOnTimeout":
		return AbortOnTimeout, true
	case "TCPTimeouts":
		return Timeouts, true
	}
	return 0, false
}
