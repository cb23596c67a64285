package kernel

// parseSockstat adds to s the fields of /proc/net/sockstat or
// /proc/net/sockstat6 held in b. Each line is a label ("TCP:") followed by
// name-value pairs ("inuse 3 orphan 0 …"); values are found by label and
// name, so reordered, missing or extra pairs and lines are fine. A value
// that is not a decimal integer is skipped.
func parseSockstat(b []byte, s *Sample) {
	for len(b) > 0 {
		var line []byte
		line, b = nextLine(b)
		label, rest := nextToken(line)
		for {
			var name, val []byte
			name, rest = nextToken(rest)
			if len(name) == 0 {
				break
			}
			val, rest = nextToken(rest)
			f, ok := sockstatField(label, name)
			if !ok {
				continue
			}
			if v, ok := parseInt(val); ok {
				s.Set(f, v)
			}
		}
	}
}

// sockstatField maps a label and a name to a Field. The string conversions
// in the switches do not allocate.
func sockstatField(label, name []byte) (Field, bool) {
	switch string(label) {
	case "sockets:":
		if string(name) == "used" {
			return SocketsUsed, true
		}
	case "TCP:":
		switch string(name) {
		case "inuse":
			return TCPInUse, true
		case "orphan":
			return TCPOrphan, true
		case "tw":
			return TCPTimeWait, true
		case "alloc":
			return TCPAlloc, true
		case "mem":
			return TCPMemPages, true
		}
	case "TCP6:":
		if string(name) == "inuse" {
			return TCP6InUse, true
		}
	}
	return 0, false
}
