package kernel

import (
	"bytes"
	"os"
	"strconv"
	"testing"
)

// kernelNames is where each field comes from: the line label and the name.
var kernelNames = map[Field][2]string{
	SocketsUsed: {"sockets:", "used"}, TCPInUse: {"TCP:", "inuse"}, TCPOrphan: {"TCP:", "orphan"},
	TCPTimeWait: {"TCP:", "tw"}, TCPAlloc: {"TCP:", "alloc"}, TCPMemPages: {"TCP:", "mem"},
	TCP6InUse: {"TCP6:", "inuse"}, MemoryPressures: {"TcpExt:", "TCPMemoryPressures"},
	MemoryPressuresChrono: {"TcpExt:", "TCPMemoryPressuresChrono"}, AbortOnMemory: {"TcpExt:", "TCPAbortOnMemory"},
	PruneCalled: {"TcpExt:", "PruneCalled"}, RcvQDrop: {"TcpExt:", "TCPRcvQDrop"},
	ListenOverflows: {"TcpExt:", "ListenOverflows"}, ListenDrops: {"TcpExt:", "ListenDrops"},
	AbortOnTimeout: {"TcpExt:", "TCPAbortOnTimeout"}, Timeouts: {"TcpExt:", "TCPTimeouts"},
}

// checkParsed asserts what any parse of any input must satisfy: a field is
// only present if its label, its name and its value's digits are all in
// the input.
func checkParsed(t *testing.T, data []byte, s Sample) {
	t.Helper()
	for f := Field(0); f < numFields; f++ {
		v, ok := s.Get(f)
		if !ok {
			continue
		}
		n := kernelNames[f]
		mag := uint64(v)
		if v < 0 {
			mag = -mag
		}
		digits := strconv.FormatUint(mag, 10)
		if !bytes.Contains(data, []byte(n[0])) || !bytes.Contains(data, []byte(n[1])) || !bytes.Contains(data, []byte(digits)) {
			t.Fatalf("%v = %d read from an input without %q, %q or %q: %q", f, v, n[0], n[1], digits, data)
		}
	}
}

func addFiles(f *testing.F, names ...string) {
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzSockstat(f *testing.F) {
	addFiles(f, "testdata/host/net/sockstat", "testdata/host/net/sockstat6")
	f.Add([]byte("TCP: inuse 1 orphan 0 tw 0 alloc 1 mem -9223372036854775808\n"))
	f.Add([]byte("TCP: mem\nTCP6: inuse 007\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Sample
		parseSockstat(data, &s)
		checkParsed(t, data, s)
		for f := MemoryPressures; f < numFields; f++ {
			if s.Has(f) {
				t.Fatalf("sockstat produced the netstat field %v", f)
			}
		}
	})
}

func FuzzNetstat(f *testing.F) {
	addFiles(f, "testdata/host/net/netstat", "testdata/netstat-old-kernel")
	f.Add([]byte("TcpExt: ListenDrops TCPTimeouts\nTcpExt: 1\nTcpExt: ListenDrops\nTcpExt: 2 3\n"))
	f.Add([]byte("IpExt: TCPTimeouts\nTcpExt: TCPTimeouts\nTcpExt: 5"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Sample
		parseNetstat(data, &s)
		checkParsed(t, data, s)
		for f := Field(0); f < MemoryPressures; f++ {
			if s.Has(f) {
				t.Fatalf("netstat produced the sockstat field %v", f)
			}
		}
	})
}

// The parsers themselves do not allocate (the Sampler test covers the
// reads).
func TestParsersDoNotAllocate(t *testing.T) {
	var files [][]byte
	for _, name := range []string{"testdata/host/net/sockstat", "testdata/host/net/netstat", "testdata/netstat-old-kernel"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	var s Sample
	n := testing.AllocsPerRun(100, func() {
		parseSockstat(files[0], &s)
		parseNetstat(files[1], &s)
		parseNetstat(files[2], &s)
	})
	if n != 0 {
		t.Fatalf("parsing allocates %.1f times", n)
	}
}
