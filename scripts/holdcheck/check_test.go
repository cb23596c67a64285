package main

import (
	"bytes"
	"cmp"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/reporter"
)

// fixture is a results folder of scripts/targets/hold against the real
// Socket.IO target (CLIENTS=200 HOLD=10), with the stats it read.
var fixture = filepath.Join("testdata", "socketio-200")

const fixtureClients = 200

// loadFixture reads the fixture afresh, for a case to change.
func loadFixture(t *testing.T) input {
	t.Helper()
	sum, err := reporter.ReadSummary(fixture)
	if err != nil {
		t.Fatal(err)
	}
	h, err := readHold(fixture, sum.Storms[0].T0)
	if err != nil {
		t.Fatal(err)
	}
	return input{target: "socketio", clients: fixtureClients, sum: sum, hold: h,
		stats: &stats{Joined: fixtureClients, Connections: fixtureClients}}
}

func TestReadHold(t *testing.T) {
	in := loadFixture(t)
	h := in.hold
	// The ramp and the hold: everyone joined once, nothing ended; the
	// restart's closes (1005 at T0 + 0.2 s) are not in it.
	if h.counts[measure.Joins] != fixtureClients || h.ready != fixtureClients || h.counts[measure.Disconnects] != 0 {
		t.Errorf("joins %d, ready %d, disconnects %d; want %d, %d, 0", h.counts[measure.Joins], h.ready, h.counts[measure.Disconnects], fixtureClients, fixtureClients)
	}
	if n := total(h.byKey[measure.CloseCodes]); n != 0 {
		t.Errorf("close codes before T0: %v", h.byKey[measure.CloseCodes])
	}
	if got := h.byKey[measure.ConnectAddresses]["127.0.0.1:9310"]; got != fixtureClients {
		t.Errorf("connections by address before T0: %d, want %d", got, fixtureClients)
	}
	if h.counts[measure.MessagesReceived] < fixtureClients {
		t.Errorf("%d messages before T0", h.counts[measure.MessagesReceived])
	}
	// Everything, the storm included: the restart's closes are there.
	all, err := readHold(fixture, in.sum.DurationS)
	if err != nil {
		t.Fatal(err)
	}
	if got := all.byKey[measure.CloseCodes]["1005"]; got != fixtureClients {
		t.Errorf("close codes of the whole run: %v, want 1005: %d", all.byKey[measure.CloseCodes], fixtureClients)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		change func(*input)
		fail   string // "" = passes; else a failure contains it
		ended  string // the connections ended in the hold ("" = "0 / 0")
	}{
		{name: "as recorded"},
		{name: "stats not read", change: func(in *input) { in.stats = nil }, fail: "stats were not read"},
		{name: "server counted fewer", change: func(in *input) { in.stats.Joined = fixtureClients - 1 }, fail: "counted 199 clients joined"},
		{name: "a close in the hold", change: func(in *input) {
			in.hold.counts[measure.Disconnects] = 1
			in.hold.byKey[measure.DisconnectCauses] = map[string]int64{"close_frame": 1}
			in.hold.byKey[measure.CloseCodes] = map[string]int64{"4408": 1}
		}, fail: "close codes {4408: 1}", ended: "1 / 1"},
		{name: "a heartbeat timeout in the hold", change: func(in *input) {
			in.hold.counts[measure.Disconnects] = 2
			in.hold.byKey[measure.DisconnectCauses] = map[string]int64{"heartbeat_timeout": 2}
			in.hold.byKey[measure.CloseCodes] = map[string]int64{"1006": 2}
		}, fail: "causes {heartbeat_timeout: 2}", ended: "0 / 2"},
		{name: "a goodbye in the hold", change: func(in *input) {
			in.hold.byKey[measure.Goodbyes] = map[string]int64{"server_restart": 1}
		}, fail: "goodbyes {server_restart: 1}"},
		{name: "a client never joined", change: func(in *input) { in.hold.counts[measure.Joins]--; in.hold.ready-- }, fail: "199 joins, 199 ready"},
		{name: "messages lost in the hold", change: func(in *input) { in.hold.counts[measure.MessagesLost] = 3 }, fail: "3 lost"},
		{name: "reordered, allowed", change: func(in *input) {
			in.reorders = true
			in.hold.counts[measure.MessagesLost] = 3
			in.hold.counts[measure.MessagesDuplicated] = 3
		}},
		{name: "lost beyond the reordered", change: func(in *input) {
			in.reorders = true
			in.hold.counts[measure.MessagesLost] = 4
			in.hold.counts[measure.MessagesDuplicated] = 3
		}, fail: "4 lost, 3 duplicated"},
		{name: "no data", change: func(in *input) { in.hold.counts[measure.MessagesReceived] = 0 }, fail: "0 data messages"},
		{name: "unrecognised messages", change: func(in *input) { in.sum.Counters.Set(measure.MessagesOther, 5) }, fail: "5 unrecognised"},
		{name: "restart failed", change: func(in *input) { in.sum.Storms[0].Exec.ExitCode = 1 }, fail: "restart command failed"},
		{name: "not all ready again", change: func(in *input) { in.sum.Storms[0].Ready-- }, fail: "199 ready again"},
		{name: "window timed out", change: func(in *input) { in.sum.Storms[0].TimedOut = true }, fail: "timed out true"},
		{name: "ready sooner than open", change: func(in *input) {
			v := *in.sum.Storms[0].RecoveryMs.P99 - 1
			in.sum.Storms[0].RecoveryReadyMs.P99 = &v
		}, fail: "sooner than open"},
		{name: "no ready recovery", change: func(in *input) { in.sum.Storms[0].RecoveryReadyMs = nil }, fail: "want both p50 and p99"},
		{name: "two storms", change: func(in *input) { in.sum.Storms = append(in.sum.Storms, in.sum.Storms[0]) }, fail: "2 storms"},
		{name: "partial", change: func(in *input) { in.sum.Partial = true; in.sum.PartialReasons = []string{"interrupted"} }, fail: "partial results: interrupted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := loadFixture(t)
			if tt.change != nil {
				tt.change(&in)
			}
			r := check(in)
			if len(r.cells) != len(header) {
				t.Fatalf("%d cells, %d in the header", len(r.cells), len(header))
			}
			if want := cmp.Or(tt.ended, "0 / 0"); r.cells[2] != want {
				t.Errorf("ended in the hold %q, want %q", r.cells[2], want)
			}
			if tt.fail == "" {
				if len(r.failures) != 0 || r.cells[len(r.cells)-1] != "passed" {
					t.Fatalf("failures %q, verdict %s; want none", r.failures, r.cells[len(r.cells)-1])
				}
				return
			}
			if r.cells[len(r.cells)-1] != "FAILED" || !strings.Contains(strings.Join(r.failures, "\n"), tt.fail) {
				t.Fatalf("failures %q (verdict %s); want one saying %q", r.failures, r.cells[len(r.cells)-1], tt.fail)
			}
		})
	}
}

func TestRun(t *testing.T) {
	stats := filepath.Join(fixture, "stats-mid-hold.json")
	tests := []struct {
		name string
		args []string
		err  error // nil, errFailed, or errUsage: any other error
		out  string
	}{
		{name: "passes", args: []string{"-target", "socketio", "-clients", "200", "-stats", stats, fixture},
			out: "| socketio | 200 / 200 | 0 / 0 | "},
		{name: "the fleet was larger", args: []string{"-target", "socketio", "-clients", "2000", "-stats", stats, fixture},
			err: errFailed, out: "| socketio | 200 / 2000 | 0 / 0 | "},
		{name: "no stats", args: []string{"-target", "socketio", "-clients", "200", "-stats", filepath.Join(t.TempDir(), "none"), fixture},
			err: errFailed, out: "| socketio | - | 0 / 0 | "},
		{name: "header", args: []string{"-header"}, out: "| target | joined (server) / fleet |"},
		{name: "no folder", args: []string{"-target", "socketio"}, err: errUsage},
		{name: "no target", args: []string{fixture}, err: errUsage},
		{name: "not a results folder", args: []string{"-target", "socketio", t.TempDir()}, err: errUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(tt.args, &stdout, &stderr)
			switch {
			case tt.err == nil && err != nil, tt.err == errFailed && !errors.Is(err, errFailed),
				tt.err == errUsage && (err == nil || errors.Is(err, errFailed)):
				t.Fatalf("run %q: %v (stderr %s); want %v", tt.args, err, stderr.String(), tt.err)
			}
			if !strings.HasPrefix(stdout.String(), tt.out) {
				t.Fatalf("run %q printed %q; want it to start %q", tt.args, stdout.String(), tt.out)
			}
		})
	}
}

// errUsage stands for any error but errFailed in TestRun.
var errUsage = errors.New("bad input")
