package kernel

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestSamplerTestdata(t *testing.T) {
	s, err := NewSampler("testdata/host/net")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got Sample
	for range 2 { // a second Read rereads from the start
		if err := s.Read(&got); err != nil {
			t.Fatal(err)
		}
		want{SocketsUsed: 14, TCPInUse: 1, TCPOrphan: 0, TCPTimeWait: 1, TCPAlloc: 1, TCPMemPages: 166, TCP6InUse: 0,
			MemoryPressures: 0, MemoryPressuresChrono: 0, AbortOnMemory: 0, PruneCalled: 0, RcvQDrop: 0,
			ListenOverflows: 0, ListenDrops: 0, AbortOnTimeout: 0, Timeouts: 2}.check(t, got)
	}
}

func TestSamplerFiles(t *testing.T) {
	big := bytes.Repeat([]byte("IpExt: X\nIpExt: 1\n"), 2000) // 36 KB: past the first buffer
	big = append(big, "TcpExt: TCPTimeouts\nTcpExt: 9\n"...)
	tests := []struct {
		name    string
		files   map[string]string
		openErr bool
		want    want
	}{
		{"no sockstat", map[string]string{"netstat": "TcpExt: TCPTimeouts\nTcpExt: 9\n"}, true, nil},
		{"sockstat only", map[string]string{"sockstat": "TCP: inuse 2 mem 3\n"}, false, want{TCPInUse: 2, TCPMemPages: 3}},
		{"IPv6 file too", map[string]string{"sockstat": "TCP: mem 3\n", "sockstat6": "TCP6: inuse 4\n"}, false, want{TCPMemPages: 3, TCP6InUse: 4}},
		{"netstat larger than the buffer", map[string]string{"sockstat": "TCP: mem 3\n", "netstat": string(big)}, false, want{TCPMemPages: 3, Timeouts: 9}},
		{"empty files", map[string]string{"sockstat": "", "sockstat6": "", "netstat": ""}, false, want{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			s, err := NewSampler(dir)
			if tt.openErr {
				if err == nil || !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("NewSampler error = %v, want not-exist", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var got Sample
			got.Set(ListenDrops, 1) // Read starts from an empty sample
			if err := s.Read(&got); err != nil {
				t.Fatal(err)
			}
			tt.want.check(t, got)
		})
	}
}

func liveSampler(tb testing.TB) *Sampler {
	tb.Helper()
	if runtime.GOOS != "linux" {
		tb.Skip("sockstat and netstat are Linux's /proc/net files")
	}
	s, err := NewSampler(ProcNet)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// Reading the live files allocates nothing, so the coordinator can take
// a sample every 100 ms for the whole run.
func TestSamplerReadDoesNotAllocate(t *testing.T) {
	s := liveSampler(t)
	var smp Sample
	if err := s.Read(&smp); err != nil { // the buffer is sized on the first read
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = s.Read(&smp) }); n != 0 {
		t.Fatalf("Sampler.Read allocates %.1f times per call", n)
	}
	for _, f := range []Field{TCPInUse, TCPMemPages, MemoryPressures, ListenOverflows, Timeouts} {
		if !smp.Has(f) {
			t.Errorf("the live sample lacks %v (%s)", f, f.Source())
		}
	}
}

func BenchmarkSamplerRead(b *testing.B) {
	s := liveSampler(b)
	var smp Sample
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Read(&smp); err != nil {
			b.Fatal(err)
		}
	}
}

// The live sample sees this test's own sockets: pairs loopback connections
// are "inuse" in this namespace, and once each socket has one unread
// message the host-wide "TCP: mem" holds at least a page per socket, less
// what the CPUs may not have added to it yet (mem_pcpu_rsv per CPU).
// Other processes can only add to both counts, so these are lower bounds.
func TestSamplerSeesOwnSockets(t *testing.T) {
	s := liveSampler(t)
	const pairs = 500
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range pairs {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		sc, err := ln.Accept()
		if err != nil {
			c.Close()
			t.Fatal(err)
		}
		conns = append(conns, c, sc)
	}
	var smp Sample
	if err := s.Read(&smp); err != nil {
		t.Fatal(err)
	}
	if v, _ := smp.Get(TCPInUse); v < 2*pairs+1 {
		t.Fatalf("TCP inuse = %d with %d sockets of this test open", v, 2*pairs+1)
	}
	if v, _ := smp.Get(TCPAlloc); v < 2*pairs+1 {
		t.Fatalf("TCP alloc = %d with %d sockets of this test open", v, 2*pairs+1)
	}

	for _, c := range conns {
		if _, err := c.Write([]byte("ping")); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range conns {
		waitReadable(t, c)
	}
	if err := s.Read(&smp); err != nil {
		t.Fatal(err)
	}
	rsv := int64(256) // the kernel's default when the sysctl does not exist
	if v, ok := ReadFacts().MemPcpuRsv.Get(); ok {
		rsv = v
	}
	bound := int64(2*pairs) - rsv*possibleCPUs(t)
	if bound <= 0 {
		t.Skipf("%d CPUs may each hold %d pages back: no bound to check with %d sockets", possibleCPUs(t), rsv, 2*pairs)
	}
	if v, _ := smp.Get(TCPMemPages); v < bound {
		t.Fatalf("TCP mem = %d pages with %d sockets holding an unread message; want ≥ %d", v, 2*pairs, bound)
	}
}

// waitReadable blocks (in the runtime's poller) until c has unread data,
// without reading it.
func waitReadable(t *testing.T, c net.Conn) {
	t.Helper()
	rc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var b [1]byte
	var perr error
	err = rc.Read(func(fd uintptr) bool {
		_, _, perr = unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		return perr != unix.EAGAIN
	})
	if err != nil || perr != nil {
		t.Fatal(err, perr)
	}
}

// possibleCPUs counts the CPUs the kernel keeps per-CPU counters for.
func possibleCPUs(t *testing.T) int64 {
	b, err := os.ReadFile("/sys/devices/system/cpu/possible")
	if err != nil {
		return int64(runtime.NumCPU())
	}
	var n int64
	for _, r := range strings.Split(strings.TrimSpace(string(b)), ",") {
		lo, hi, isRange := strings.Cut(r, "-")
		a, err1 := strconv.Atoi(lo)
		z := a
		var err2 error
		if isRange {
			z, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil {
			t.Fatalf("cannot parse /sys/devices/system/cpu/possible: %q", b)
		}
		n += int64(z - a + 1)
	}
	return n
}
