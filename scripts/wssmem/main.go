// Command wssmem measures what wss costs the load generator (and the
// embedded server) in memory, per client, against ws: it runs the same
// fleet twice — over ws, and over wss with --server-tls — in one
// load-generator process (--workers 1) and one server process, held with
// heartbeats, and compares their peak RSS (the load generator's from
// summary.json, the server's from server.json, both the kernel's
// getrusage maximum over the whole run). It also runs a small fleet
// (-base) both ways, so that what does not grow with the fleet (the
// runtime, the loops' buffers, the handshake's garbage at its peak) is
// told apart from what does.
//
//	go run ./scripts/wssmem -bin "$(go env GOPATH)/bin/stormbench" -clients 10000
//
// Each run's results folder is kept under -out.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

func main() {
	bin := flag.String("bin", "", "stormbench binary (go build -o … ./cmd/stormbench)")
	out := flag.String("out", "results/wssmem", "folder that receives the runs' results folders")
	clients := flag.Int("clients", 10000, "clients of the measured fleet")
	base := flag.Int("base", 1000, "clients of the small fleet each side is compared with (0: none)")
	rate := flag.Float64("ramp-rate", 1000, "connections per second during the ramp")
	hold := flag.Duration("hold", 10*time.Second, "steady time with heartbeats")
	hb := flag.Duration("heartbeat", 5*time.Second, "heartbeat interval (ws-ping)")
	extra := flag.String("args", "", "extra flags for every run, space-separated")
	flag.Parse()
	if *bin == "" || *clients < 1 || *base < 0 || *base >= *clients {
		fmt.Fprintln(os.Stderr, "usage: wssmem -bin PATH [-clients N] [-base M < N] [flags]")
		os.Exit(2)
	}
	sizes := []int{*clients}
	if *base > 0 {
		sizes = []int{*base, *clients}
	}
	res := map[string]map[int]sample{"ws": {}, "wss": {}}
	for _, n := range sizes {
		for _, scheme := range []string{"ws", "wss"} {
			s, err := run(*bin, *out, scheme, n, *rate, *hold, *hb, strings.Fields(*extra))
			if err != nil {
				fmt.Fprintf(os.Stderr, "wssmem: %s, %d clients: %v\n", scheme, n, err)
				os.Exit(1)
			}
			res[scheme][n] = s
			fmt.Fprintf(os.Stderr, "wssmem: %s %d clients: load generator %s, server %s peak RSS (%s)\n", scheme, n, mib(s.loadgen), mib(s.server), s.dir)
		}
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "clients\tws loadgen\twss loadgen\twss − ws per client\tws server\twss server\twss − ws per conn\t\n")
	for _, n := range sizes {
		ws, wss := res["ws"][n], res["wss"][n]
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", n, mib(ws.loadgen), mib(wss.loadgen), perClient(wss.loadgen-ws.loadgen, n),
			mib(ws.server), mib(wss.server), perClient(wss.server-ws.server, n))
	}
	if *base > 0 {
		d := *clients - *base
		grow := func(scheme string, f func(sample) int64) int64 {
			return f(res[scheme][*clients]) - f(res[scheme][*base])
		}
		lg := func(s sample) int64 { return s.loadgen }
		sv := func(s sample) int64 { return s.server }
		fmt.Fprintf(tw, "%d → %d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", *base, *clients, perClient(grow("ws", lg), d), perClient(grow("wss", lg), d),
			perClient(grow("wss", lg)-grow("ws", lg), d), perClient(grow("ws", sv), d), perClient(grow("wss", sv), d), perClient(grow("wss", sv)-grow("ws", sv), d))
	}
	tw.Flush()
}

// sample is one run's peak RSS of each side, in bytes.
type sample struct {
	loadgen, server int64
	dir             string
}

func run(bin, out, scheme string, n int, rate float64, hold, hb time.Duration, extra []string) (sample, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return sample{}, err
	}
	name := fmt.Sprintf("wssmem-%s-%d", scheme, n)
	args := []string{"run", "--out", out, "--name", name, "--quiet", "--clients", fmt.Sprint(n), "--workers", "1", "--server-workers", "1",
		"--ramp-rate", fmt.Sprint(rate), "--hold", hold.String(), "--fault", "none", "--server-broadcast-interval", "0",
		"--heartbeat-interval", hb.String()}
	if scheme == "wss" {
		args = append(args, "--server-tls")
	}
	args = append(args, extra...)
	before, _ := filepath.Glob(filepath.Join(out, "*-"+name))
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return sample{}, fmt.Errorf("%s %s: %w", bin, strings.Join(args, " "), err)
	}
	after, _ := filepath.Glob(filepath.Join(out, "*-"+name))
	dir := newest(after, before)
	if dir == "" {
		return sample{}, errors.New("no results folder")
	}
	var sum struct {
		Harness struct {
			PeakRSSBytes int64 `json:"peak_rss_bytes"`
		} `json:"harness"`
		Counters map[string]any `json:"counters"`
	}
	if err := readJSON(filepath.Join(dir, "summary.json"), &sum); err != nil {
		return sample{}, err
	}
	var srv struct {
		Process struct {
			MaxRSSBytes int64 `json:"max_rss_bytes"`
		} `json:"process"`
	}
	if err := readJSON(filepath.Join(dir, "server.json"), &srv); err != nil {
		return sample{}, err
	}
	return sample{loadgen: sum.Harness.PeakRSSBytes, server: srv.Process.MaxRSSBytes, dir: dir}, nil
}

// newest is the folder of after that was not in before.
func newest(after, before []string) string {
	seen := map[string]bool{}
	for _, b := range before {
		seen[b] = true
	}
	for _, a := range after {
		if !seen[a] {
			return a
		}
	}
	return ""
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func perClient(b int64, n int) string { return fmt.Sprintf("%.0f B", float64(b)/float64(n)) }
