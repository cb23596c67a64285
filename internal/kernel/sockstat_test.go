package kernel

import (
	"os"
	"testing"
)

// want is a compact expected sample: only the listed fields are present.
type want map[Field]int64

func (w want) check(t *testing.T, got Sample) {
	t.Helper()
	for f := Field(0); f < numFields; f++ {
		v, ok := got.Get(f)
		wv, wok := w[f]
		if ok != wok || v != wv {
			t.Errorf("%v = %d (present %v), want %d (present %v)", f, v, ok, wv, wok)
		}
	}
}

func TestParseSockstat(t *testing.T) {
	host, err := os.ReadFile("testdata/host/net/sockstat")
	if err != nil {
		t.Fatal(err)
	}
	host6, err := os.ReadFile("testdata/host/net/sockstat6")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   string
		want want
	}{
		{"this machine", string(host), want{SocketsUsed: 14, TCPInUse: 1, TCPOrphan: 0, TCPTimeWait: 1, TCPAlloc: 1, TCPMemPages: 166}},
		{"this machine sockstat6", string(host6), want{TCP6InUse: 0}},
		{"busy host", "sockets: used 200412\nTCP: inuse 200016 orphan 3 tw 37 alloc 200016 mem 98191\nUDP: inuse 0 mem 0\n",
			want{SocketsUsed: 200412, TCPInUse: 200016, TCPOrphan: 3, TCPTimeWait: 37, TCPAlloc: 200016, TCPMemPages: 98191}},
		{"reordered and extra pairs", "TCP: mem 5 zerocopy 9 inuse 2 alloc 3\n",
			want{TCPMemPages: 5, TCPInUse: 2, TCPAlloc: 3}},
		{"missing pairs (old kernel without tw and alloc)", "TCP: inuse 4 orphan 0 mem 1\n",
			want{TCPInUse: 4, TCPOrphan: 0, TCPMemPages: 1}},
		{"IPv6-only file", "TCP6: inuse 12\nUDP6: inuse 1\nUDPLITE6: inuse 0\nRAW6: inuse 0\nFRAG6: inuse 0 memory 0\n",
			want{TCP6InUse: 12}},
		{"UDP mem is not TCP mem", "UDP: inuse 1 mem 77\n", want{}},
		{"garbled value skipped", "TCP: inuse x orphan 1 mem 99999999999999999999\n", want{TCPOrphan: 1}},
		{"dangling name", "TCP: inuse 3 mem", want{TCPInUse: 3}},
		{"no trailing newline, CRLF", "TCP: inuse 3 mem 8\r", want{TCPInUse: 3, TCPMemPages: 8}},
		{"tabs", "TCP:\tinuse\t3\tmem\t8\n", want{TCPInUse: 3, TCPMemPages: 8}},
		{"empty", "", want{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Sample
			parseSockstat([]byte(tt.in), &s)
			tt.want.check(t, s)
		})
	}
}
