package kernel

import (
	"encoding/json"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
)

// hostFS is testdata/host, captured from this machine, plus the netns
// link (kept out of the tree: symlinks do not travel well).
func hostFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{"self/ns/net": {Data: []byte("net:[4026531833]"), Mode: fs.ModeSymlink}}
	err := fs.WalkDir(os.DirFS("testdata/host"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile("testdata/host/" + p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestReadFactsFS(t *testing.T) {
	f := ReadFactsFS(hostFS(t))
	if err := f.Err(); err != nil {
		t.Fatalf("unknown facts in a complete tree: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"tcp_mem", f.TCPMem.Value, MemLimits{287832, 383779, 575664}},
		{"tcp_rmem", f.TCPRmem.Value, BufSizes{4096, 131072, 33554432}},
		{"tcp_wmem", f.TCPWmem.Value, BufSizes{4096, 16384, 4194304}},
		{"rmem_default", f.RmemDefault.Value, int64(212992)},
		{"wmem_default", f.WmemDefault.Value, int64(212992)},
		{"rmem_max", f.RmemMax.Value, int64(4194304)},
		{"wmem_max", f.WmemMax.Value, int64(4194304)},
		{"somaxconn", f.Somaxconn.Value, int64(4096)},
		{"tcp_max_syn_backlog", f.TCPMaxSynBacklog.Value, int64(2048)},
		{"ip_local_port_range", f.LocalPortRange.Value, PortRange{32768, 60999}},
		{"port range size", f.LocalPortRange.Value.Size(), int64(28232)},
		{"mem_pcpu_rsv", f.MemPcpuRsv.Value, int64(256)},
		{"MemTotal", f.MemTotal.Value, int64(24682416 * 1024)},
		{"netns", f.NetNS.Value, "net:[4026531833]"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if !f.MemAvailable.OK || f.MemAvailable.Value <= 0 {
		t.Errorf("MemAvailable = %v", f.MemAvailable)
	}
}

func TestReadFactsUnknown(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(fstest.MapFS)
		check func(Facts) Fact[MemLimits]
		err   string
	}{
		{"missing tcp_mem", func(m fstest.MapFS) { delete(m, "sys/net/ipv4/tcp_mem") }, nil, "file does not exist"},
		{"two values", func(m fstest.MapFS) { m["sys/net/ipv4/tcp_mem"] = &fstest.MapFile{Data: []byte("1 2\n")} }, nil, "want 3 integers"},
		{"four values", func(m fstest.MapFS) { m["sys/net/ipv4/tcp_mem"] = &fstest.MapFile{Data: []byte("1 2 3 4\n")} }, nil, "want 3 integers"},
		{"not numbers", func(m fstest.MapFS) { m["sys/net/ipv4/tcp_mem"] = &fstest.MapFile{Data: []byte("a b c\n")} }, nil, "want 3 integers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := hostFS(t)
			tt.edit(m)
			f := ReadFactsFS(m)
			if f.TCPMem.OK || f.TCPMem.Value != (MemLimits{}) {
				t.Fatalf("tcp_mem = %+v, want unknown", f.TCPMem)
			}
			if err := f.TCPMem.Error(); err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("tcp_mem error = %v, want %q", err, tt.err)
			}
			if !strings.Contains(f.Err().Error(), tt.err) {
				t.Fatalf("Facts.Err() = %v, want it to carry %q", f.Err(), tt.err)
			}
			if !f.TCPRmem.OK {
				t.Fatal("one unknown fact made another unknown")
			}
		})
	}
}

func TestFactsEmptyTree(t *testing.T) {
	f := ReadFactsFS(fstest.MapFS{})
	for name, fact := range map[string]interface{ Error() error }{
		"tcp_mem": f.TCPMem, "somaxconn": f.Somaxconn, "MemTotal": f.MemTotal, "MemAvailable": f.MemAvailable, "netns": f.NetNS,
	} {
		if fact.Error() == nil {
			t.Errorf("%s known in an empty tree", name)
		}
	}
	if f.PageSize <= 0 {
		t.Errorf("PageSize = %d", f.PageSize)
	}
	// The zero Fact is unknown too.
	var z Fact[int64]
	if z.Error() == nil || z.String() != "unknown (not read)" {
		t.Errorf("zero Fact: %v, %q", z.Error(), z.String())
	}
}

func TestFactsJSON(t *testing.T) {
	f := ReadFactsFS(hostFS(t))
	f.Somaxconn = unknown[int64](fs.ErrNotExist)
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"tcp_mem":{"min":287832,"pressure":383779,"max":575664}`, `"somaxconn":null`, `"ip_local_port_range":{"lo":32768,"hi":60999}`} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON lacks %s:\n%s", want, s)
		}
	}
}

// On Linux the live /proc has every fact this package knows of (older
// kernels lack mem_pcpu_rsv).
func TestReadFactsLive(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the facts are read from Linux's /proc")
	}
	f := ReadFacts()
	for name, fact := range map[string]interface{ Error() error }{
		"tcp_mem": f.TCPMem, "tcp_rmem": f.TCPRmem, "somaxconn": f.Somaxconn, "MemTotal": f.MemTotal, "netns": f.NetNS,
	} {
		if err := fact.Error(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	l := f.TCPMem.Value
	if !(0 < l.Min && l.Min <= l.Pressure && l.Pressure <= l.Max) {
		t.Errorf("tcp_mem %v is not ordered", l)
	}
	t.Logf("tcp_mem %v, netns %v", f.TCPMem, f.NetNS)
}
