package kernel

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// machine is this machine's facts as captured in testdata/host.
var machine = Facts{
	TCPMem:   known(MemLimits{287832, 383779, 575664}),
	PageSize: 4096,
	MemTotal: known(int64(24682416) * 1024),
}

func TestSocketsFor(t *testing.T) {
	if got := SocketsFor(1_000_000, true); got != 2_000_000 {
		t.Fatalf("embedded: %d", got)
	}
	if got := SocketsFor(1_000_000, false); got != 1_000_000 {
		t.Fatalf("remote server: %d", got)
	}
}

func TestEstimateTCPMem(t *testing.T) {
	noMemTotal := machine
	noMemTotal.MemTotal = unknown[int64](errors.New("no meminfo"))
	small := machine
	small.MemTotal = known(int64(2) << 30)
	tests := []struct {
		name      string
		load      Load
		facts     Facts
		verdict   Verdict
		pages     int64
		suggested MemLimits
		fits      bool
		remedy    string // a part of the remedy; "" = no remedy
	}{
		{"100k clients embedded", Load{Sockets: SocketsFor(100_000, true)}, machine, VerdictOK, 100_000, MemLimits{}, true, ""},
		{"500k clients embedded: pressure", Load{Sockets: SocketsFor(500_000, true)}, machine, VerdictWarn, 500_000,
			MemLimits{287832, 800_000, 1_000_000}, true, `sysctl -w net.ipv4.tcp_mem="287832 800000 1000000"`},
		{"1M clients embedded: over the max", Load{Sockets: SocketsFor(1_000_000, true)}, machine, VerdictRefuse, 1_000_000,
			MemLimits{287832, 1_600_000, 2_000_000}, true, `sysctl -w net.ipv4.tcp_mem="287832 1600000 2000000"`},
		{"1M clients, server elsewhere", Load{Sockets: SocketsFor(1_000_000, false)}, machine, VerdictWarn, 500_000,
			MemLimits{287832, 800_000, 1_000_000}, true, "smaller SO_RCVBUF/SO_SNDBUF would not help"},
		{"baseline counts", Load{Sockets: 700_000, BaselinePages: 40_000}, machine, VerdictWarn, 390_000,
			MemLimits{287832, 624_000, 780_000}, true, "287832 624000 780000"},
		{"own figure", Load{Sockets: 100_000, PagesPerSocket: 6}, machine, VerdictRefuse, 600_000,
			MemLimits{287832, 960_000, 1_200_000}, true, "960000 1200000"},
		{"small buffers named", Load{Sockets: 2_000_000, BufferBytes: 4096}, machine, VerdictRefuse, 1_000_000,
			MemLimits{287832, 1_600_000, 2_000_000}, true, "already sets SO_RCVBUF/SO_SNDBUF of 4096 B"},
		{"keeps a larger current max", Load{Sockets: 800_000}, Facts{TCPMem: known(MemLimits{1, 2, 5_000_000}), PageSize: 4096},
			VerdictWarn, 400_000, MemLimits{1, 640_000, 5_000_000}, true, "1 640000 5000000"},
		{"too big for the machine", Load{Sockets: 2_000_000}, small, VerdictRefuse, 1_000_000, MemLimits{}, false,
			"at most about 262144 TCP sockets"},
		{"no MemTotal: no cap", Load{Sockets: 2_000_000}, noMemTotal, VerdictRefuse, 1_000_000,
			MemLimits{287832, 1_600_000, 2_000_000}, true, "1600000 2000000"},
		{"tcp_mem unknown", Load{Sockets: 2_000_000}, Facts{PageSize: 4096}, VerdictUnknown, 1_000_000, MemLimits{}, true, ""},
		{"no sockets", Load{}, machine, VerdictOK, 0, MemLimits{}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := EstimateTCPMem(tt.load, tt.facts)
			if e.Verdict != tt.verdict || e.Pages != tt.pages || e.Suggested != tt.suggested || e.Fits != tt.fits {
				t.Fatalf("got verdict %v, pages %d, suggested %v, fits %v; want %v, %d, %v, %v",
					e.Verdict, e.Pages, e.Suggested, e.Fits, tt.verdict, tt.pages, tt.suggested, tt.fits)
			}
			if (tt.remedy == "") != (e.Remedy == "") || !strings.Contains(e.Remedy, tt.remedy) {
				t.Fatalf("remedy %q, want one containing %q", e.Remedy, tt.remedy)
			}
			if s := e.Suggested; s != (MemLimits{}) && (s.Level(e.Pages) != BelowPressure || s.Min > s.Pressure || s.Pressure > s.Max) {
				t.Fatalf("suggested %v does not fit %d pages", s, e.Pages)
			}
		})
	}
}

// The messages the preflight prints, compared with a golden file.
func TestEstimateMessages(t *testing.T) {
	var b strings.Builder
	for _, c := range []struct {
		name string
		load Load
		f    Facts
	}{
		{"100k embedded", Load{Sockets: SocketsFor(100_000, true)}, machine},
		{"500k embedded", Load{Sockets: SocketsFor(500_000, true), BaselinePages: 166}, machine},
		{"1M embedded, 4 KiB buffers", Load{Sockets: SocketsFor(1_000_000, true), BufferBytes: 4096}, machine},
		{"1M on a 2 GiB machine", Load{Sockets: SocketsFor(1_000_000, true)}, Facts{TCPMem: machine.TCPMem, PageSize: 4096, MemTotal: known(int64(2) << 30)}},
		{"tcp_mem unknown", Load{Sockets: 10}, Facts{PageSize: 4096, TCPMem: unknown[MemLimits](errors.New("open sys/net/ipv4/tcp_mem: file does not exist"))}},
	} {
		e := EstimateTCPMem(c.load, c.f)
		fmt.Fprintf(&b, "%s [%v]:\n%s\n\n", c.name, e.Verdict, e)
	}
	const golden = "testdata/estimate.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if b.String() != string(want) {
		t.Fatalf("messages changed (go test -update to accept):\n%s", b.String())
	}
}

func TestVerdictString(t *testing.T) {
	for v, name := range map[Verdict]string{VerdictUnknown: "unknown", VerdictOK: "ok", VerdictWarn: "warn", VerdictRefuse: "refuse"} {
		if v.String() != name {
			t.Errorf("%d.String() = %q, want %q", v, v.String(), name)
		}
	}
}
