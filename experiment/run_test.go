package experiment

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
)

// TestRunWritesTheFolder: a run against the embedded server writes every
// file of its folder, complete, with the server's own view in the summary.
func TestRunWritesTheFolder(t *testing.T) {
	p := prepare(t, quickSpec(t, "", loadgen.FaultClose))
	res, err := Run(context.Background(), p)
	if err != nil {
		t.Fatalf("%v\n%s", err, p.Stderr)
	}
	if filepath.Dir(res.Dir) != p.Out || len(res.Warnings) > 0 {
		t.Fatalf("folder %s, warnings %q", res.Dir, res.Warnings)
	}
	checkFolder(t, res.Dir, "server.json", "server_timeseries.csv", "report.html")
	sum, err := reporter.ReadSummary(res.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Partial || sum.Interrupted || len(sum.Storms) != 1 || sum.Server == nil {
		t.Fatalf("partial %v %q, interrupted %v, %d storms, server view %v", sum.Partial, sum.PartialReasons, sum.Interrupted, len(sum.Storms), sum.Server)
	}
	if st := sum.Storms[0]; st.Affected != 20 || st.Recovered != 20 || st.ServerTakeovers == nil {
		t.Fatalf("storm: affected %d, recovered %d, server takeovers %v", st.Affected, st.Recovered, st.ServerTakeovers)
	}
}

// TestRunServerView: the user's server's view (--control) is in the
// summary when the server answered; when it did not, the run says so in a
// warning and the summary has no server view.
func TestRunServerView(t *testing.T) {
	srv, token := startSUT(t)
	tests := []struct {
		name     string
		control  string
		wantView bool
	}{
		{"server answered", "http://" + srv.ControlAddr(), true},
		{"server did not answer", "http://" + deadAddr(t), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := quickSpec(t, "ws://"+srv.Addr()+"/ws", loadgen.FaultReset)
			s.Control, s.ControlToken = tt.control, token
			p := prepare(t, s)
			res, err := Run(context.Background(), p)
			if err != nil {
				t.Fatalf("%v\n%s", err, p.Stderr)
			}
			warned := len(res.Warnings) == 1 && strings.HasPrefix(res.Warnings[0], "server stats: ")
			if warned == tt.wantView || !tt.wantView && len(res.Warnings) != 1 {
				t.Fatalf("warnings %q", res.Warnings)
			}
			sum, err := reporter.ReadSummary(res.Dir)
			if err != nil {
				t.Fatal(err)
			}
			if (sum.Server != nil) != tt.wantView || (sum.Storms[0].ServerTakeovers != nil) != tt.wantView || sum.Partial {
				t.Fatalf("server view %+v, storm takeovers %v, partial %v", sum.Server, sum.Storms[0].ServerTakeovers, sum.Partial)
			}
			extra := []string{"report.html"}
			if tt.wantView {
				extra = append(extra, "server.json", "server_timeseries.csv")
			}
			checkFolder(t, res.Dir, extra...)
		})
	}
}

// cancelAt cancels a run when its status line first names phase: the
// scenario prints a line at every phase change.
type cancelAt struct {
	phase  string
	cancel context.CancelFunc
	at     time.Time
	once   sync.Once
}

func (c *cancelAt) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("] "+c.phase+" ")) {
		c.once.Do(func() {
			c.at = time.Now()
			c.cancel()
		})
	}
	return len(p), nil
}

// TestRunInterrupted: Ctrl-C in the middle of a run (a hold of a minute)
// ends it promptly with ErrInterrupted, and what it measured is written,
// marked partial and interrupted.
func TestRunInterrupted(t *testing.T) {
	srv, _ := startSUT(t)
	s := quickSpec(t, "ws://"+srv.Addr()+"/ws", loadgen.FaultReset)
	s.Loadgen.Hold = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	status := &cancelAt{phase: "hold", cancel: cancel}
	s.Status = status
	p := prepare(t, s)
	res, err := Run(ctx, p)
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err %v, want ErrInterrupted\n%s", err, p.Stderr)
	}
	if status.at.IsZero() {
		t.Fatal("the run never reached its hold")
	}
	if d := time.Since(status.at); d > 20*time.Second {
		t.Errorf("the run ended %v after Ctrl-C", d)
	}
	if res == nil || res.Summary == nil || !res.Outcome.Interrupted {
		t.Fatalf("result %+v", res)
	}
	checkFolder(t, res.Dir, "report.html")
	sum, err := reporter.ReadSummary(res.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Interrupted || !sum.Partial || len(sum.PartialReasons) != 1 || !strings.HasSuffix(sum.PartialReasons[0], "during hold") ||
		sum.Counters.Get(measure.Connects) != 20 || len(sum.Storms) != 0 {
		t.Fatalf("interrupted %v, partial %v %q, connects %d, %d storms", sum.Interrupted, sum.Partial, sum.PartialReasons, sum.Counters.Get(measure.Connects), len(sum.Storms))
	}
	// When: in the hold, not at the end of the drain that followed.
	var at float64
	if _, err := fmt.Sscanf(sum.PartialReasons[0], "interrupted at %fs", &at); err != nil {
		t.Fatal(err)
	}
	held := false
	for _, ph := range sum.Harness.Phases {
		if ph.Name == "hold" {
			held = true
			if at < ph.StartS-0.05 || at > ph.EndS+0.05 {
				t.Errorf("interrupted at %.1fs, outside the hold [%.2fs, %.2fs]", at, ph.StartS, ph.EndS)
			}
		}
	}
	if !held {
		t.Errorf("no hold among the phases %+v", sum.Harness.Phases)
	}
}
