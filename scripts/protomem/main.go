// Command protomem measures the load generator's memory per held client
// for each framework protocol (--protocol), against plain stormbench with
// its embedded server: for each protocol it starts a fake server on
// loopback (fake.go: it answers the join and the heartbeats, pings at the
// reference server's interval and broadcasts a numbered message every
// -broadcast), runs `stormbench run --workers 1 --fault none` with
// -base-clients clients and again with -clients, and reports, per client
// added, the growth of the load generator's RSS in the middle of the hold
// and of its peak RSS over the run, and their ratio to plain stormbench's.
// A second reference row is stormbench's own protocol against a fake
// server (--url), which leaves out what the embedded server's
// coordination costs the load generator's process.
//
// Both sizes should keep the Go heap above the runtime's 4 MB minimum
// heap goal (above ~3 000 clients): below it the RSS does not grow with
// the clients, and a slope from a tiny baseline says more about each
// configuration's fixed memory than about its clients.
//
// With -heap it measures instead the live Go heap per held client: the
// fleet runs in this process (package loadgen, one event loop), the fake
// server in a child process, and the heap in use is read after a GC in the
// middle of the hold (heap.go); the reference is then stormbench's own
// protocol against a fake server. That figure is exact where RSS is
// blurred by the GC's heap goal, and says where a protocol's memory goes.
//
// mqtt-split and stomp-split, measured only when named, are MQTT and STOMP
// with every broadcast split across two WebSocket messages (with -pad to
// make the packets larger): what a client keeps of a packet split that way.
//
// A run whose clients did not all join, or lost a connection during the
// hold, is an error: its figure would not be memory per held client. Use
// it through scripts/proto-mem.sh.
//
//	go run ./scripts/protomem -bin /tmp/stormbench -clients 10000 -base-clients 5000 [PROTOCOL...]
//	go run ./scripts/protomem -heap -clients 10000 -base-clients 1000 [PROTOCOL...]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

func main() {
	bin := flag.String("bin", "", "stormbench binary")
	out := flag.String("out", "results/proto-mem", "results folder of the runs")
	clients := flag.Int("clients", 10000, "clients held (one load-generator process)")
	base := flag.Int("base-clients", 5000, "clients of the baseline run, whose memory is subtracted")
	hold := flag.Duration("hold", 30*time.Second, "hold; memory is sampled in its middle")
	rate := flag.Float64("ramp-rate", 2000, "connections per second during the ramp")
	bcast := flag.Duration("broadcast", time.Second, "broadcast interval of every server (0 = none)")
	runs := flag.Int("runs", 1, "measurements per protocol; the median is reported")
	heap := flag.Bool("heap", false, "measure the live Go heap per held client, the fleet (package loadgen) in this process and the server in a child, instead of stormbench's RSS")
	padding := flag.Int("pad", 0, "add a string of this many bytes to every broadcast's payload")
	heapProfile := flag.String("heap-profile", "", "with -heap: write a heap profile of every run into this folder (every allocation sampled), for go tool pprof -base")
	serve := flag.String("serve", "", "internal: be the fake server of this protocol until stdin closes")
	flag.Parse()
	if *heapProfile != "" {
		runtime.MemProfileRate = 1
	}
	pad = strings.Repeat("x", max(*padding, 0))
	if *serve != "" {
		if err := serveChild(*serve, *bcast); err != nil {
			fmt.Fprintln(os.Stderr, "protomem:", err)
			os.Exit(1)
		}
		return
	}
	if *bin == "" && !*heap || *clients <= *base || *base < 1 || *runs < 1 || *clients > 15000 {
		fmt.Fprintln(os.Stderr, "usage: protomem -bin PATH | -heap [-clients N (≤ 15 000, > -base-clients)] [-base-clients N] [-runs N] [PROTOCOL...]")
		os.Exit(2)
	}
	var protos []*fakeProto
	for _, name := range flag.Args() {
		p := protoNamed(name)
		if p == nil || p == plainProto {
			fmt.Fprintf(os.Stderr, "protomem: unknown protocol %q\n", name)
			os.Exit(2)
		}
		protos = append(protos, p)
	}
	if len(protos) == 0 {
		protos = fakeProtos
	}
	m := measurer{bin: *bin, out: *out, clients: *clients, base: *base, hold: *hold, rate: *rate, broadcast: *bcast, heap: *heap, heapProfile: *heapProfile}
	// The reference: stormbench with its embedded server (RSS), or its
	// own protocol against a fake server (the heap, in this process).
	var rows []row
	if !*heap {
		rows = append(rows, m.median("stormbench", nil, *runs))
		printTable(os.Stdout, rows, *heap)
	}
	for _, p := range append([]*fakeProto{plainProto}, protos...) {
		rows = append(rows, m.median(p.name, p, *runs))
		printTable(os.Stdout, rows, *heap)
	}
	for _, r := range rows {
		if r.err != nil {
			os.Exit(1)
		}
	}
}

// protoNamed returns the fake protocol called name, or nil.
func protoNamed(name string) *fakeProto {
	for _, p := range slices.Concat([]*fakeProto{plainProto}, fakeProtos, splitProtos) {
		if p.name == name {
			return p
		}
	}
	return nil
}

// row is one protocol's figures: bytes per held client (hold and peak
// RSS, or the live heap in hold).
type row struct {
	name       string
	hold, peak float64
	runs       int
	err        error
}

// median measures p runs times and keeps the median of each figure.
func (m *measurer) median(name string, p *fakeProto, runs int) row {
	r := row{name: name}
	var holds, peaks []float64
	for i := 0; i < runs; i++ {
		var h, pk float64
		var err error
		if m.heap {
			h, err = m.heapPerClient(p)
		} else {
			h, pk, err = m.perClient(name, p)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "protomem: %s: %v\n", name, err)
			r.err = err
			return r
		}
		holds, peaks = append(holds, h), append(peaks, pk)
	}
	r.hold, r.peak, r.runs = med(holds), med(peaks), runs
	return r
}

func med(v []float64) float64 {
	v = slices.Clone(v)
	sort.Float64s(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func printTable(w io.Writer, rows []row, heap bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	// Ratios are to the first row.
	ref := rows[0]
	if heap {
		fmt.Fprintln(tw, "protocol\theap B/client\t×\t≤ 1.5×\t")
	} else {
		fmt.Fprintln(tw, "protocol\thold B/client\tpeak B/client\thold ×\tpeak ×\t≤ 1.5×\t")
	}
	for _, r := range rows {
		if r.err != nil {
			fmt.Fprintf(tw, "%s\t\t\t\t\t\t%v\n", r.name, r.err)
			continue
		}
		hx, px := r.hold/ref.hold, r.peak/ref.peak
		ok := "yes"
		if hx > 1.5 || !heap && px > 1.5 {
			ok = "no"
		}
		if heap {
			fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%s\t\n", r.name, r.hold, hx, ok)
		} else {
			fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.2f\t%.2f\t%s\t\n", r.name, r.hold, r.peak, hx, px, ok)
		}
	}
	tw.Flush()
	fmt.Fprintln(w, strings.Repeat("-", 20))
}
