package kernel

import (
	"os"
	"strings"
	"testing"
)

func TestParseNetstat(t *testing.T) {
	host, err := os.ReadFile("testdata/host/net/netstat")
	if err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile("testdata/netstat-old-kernel")
	if err != nil {
		t.Fatal(err)
	}
	hostWant := want{MemoryPressures: 0, MemoryPressuresChrono: 0, AbortOnMemory: 0, PruneCalled: 0, RcvQDrop: 0,
		ListenOverflows: 0, ListenDrops: 0, AbortOnTimeout: 0, Timeouts: 2}
	tests := []struct {
		name string
		in   string
		want want
	}{
		{"this machine", string(host), hostWant},
		// An older layout: fewer columns, in another order, and none of
		// TCPMemoryPressuresChrono or TCPRcvQDrop.
		{"older kernel", string(old), want{MemoryPressures: 3, AbortOnMemory: 1, PruneCalled: 12,
			ListenOverflows: 40, ListenDrops: 41, AbortOnTimeout: 5, Timeouts: 77}},
		{"reordered and extra columns",
			"TcpExt: Foo ListenDrops Bar TCPMemoryPressures\nTcpExt: 1 2 3 4\n",
			want{ListenDrops: 2, MemoryPressures: 4}},
		{"IpExt only", "IpExt: InNoRoutes ListenDrops\nIpExt: 0 9\n", want{}},
		{"same name in another section is ignored",
			"MPTcpExt: ListenDrops\nMPTcpExt: 9\nTcpExt: ListenDrops\nTcpExt: 4\n", want{ListenDrops: 4}},
		{"value line shorter than header", "TcpExt: ListenDrops TCPTimeouts\nTcpExt: 6\n", want{ListenDrops: 6}},
		{"value line longer than header", "TcpExt: ListenDrops\nTcpExt: 6 7 8\n", want{ListenDrops: 6}},
		{"garbled value", "TcpExt: ListenDrops TCPTimeouts\nTcpExt: -x 7\n", want{Timeouts: 7}},
		{"torn pair resynchronises", "TcpExt: ListenDrops\nIpExt: InNoRoutes\nIpExt: 0\nTcpExt: TCPTimeouts\nTcpExt: 5\n",
			want{Timeouts: 5}},
		{"header without values", "TcpExt: ListenDrops TCPTimeouts\n", want{}},
		{"empty", "", want{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Sample
			parseNetstat([]byte(tt.in), &s)
			tt.want.check(t, s)
		})
	}
}

// The host file's counters really are read by name: moving a column
// changes nothing.
func TestParseNetstatByName(t *testing.T) {
	h := "TcpExt: A TCPTimeouts B\nTcpExt: 1 2 3\n"
	r := "TcpExt: TCPTimeouts B A\nTcpExt: 2 3 1\n"
	var a, b Sample
	parseNetstat([]byte(h), &a)
	parseNetstat([]byte(r), &b)
	if a != b || !strings.Contains(h, "TCPTimeouts") {
		t.Fatalf("by name: %+v vs %+v", a, b)
	}
}
