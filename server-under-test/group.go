package sut

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Group is the parent of several server worker processes that share one
// port with SO_REUSEPORT. It implements Backend: a fault goes to every
// worker at once, and stats are the workers' stats merged.
type Group struct {
	// Workers are the workers' own control APIs.
	Workers []*ControlClient
}

var _ Backend = (*Group)(nil)

// Fault applies f on every worker concurrently. T0 is the earliest
// worker's T0; affected is the sum.
func (g *Group) Fault(ctx context.Context, f FaultRequest) (FaultResponse, error) {
	if err := f.Validate(); err != nil {
		return FaultResponse{}, err
	}
	if f.BeforeUnixNs == 0 {
		f.BeforeUnixNs = time.Now().UnixNano()
	}
	out := make([]FaultResponse, len(g.Workers))
	errs := make([]error, len(g.Workers))
	var wg sync.WaitGroup
	for i, w := range g.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = w.Fault(ctx, f)
		}()
	}
	wg.Wait()
	var resp FaultResponse
	for i, r := range out {
		if errs[i] != nil {
			if errors.Is(errs[i], ErrBusy) || containsBusy(errs[i]) { // the client sees it as HTTP 409 text
				return FaultResponse{}, ErrBusy
			}
			return FaultResponse{}, fmt.Errorf("worker %d: %w", i, errs[i])
		}
		if resp.T0UnixNs == 0 || r.T0UnixNs < resp.T0UnixNs {
			resp.T0UnixNs = r.T0UnixNs
		}
		resp.Affected += r.Affected
		resp.Kind, resp.DurationMs, resp.Code = r.Kind, r.DurationMs, r.Code
	}
	return resp, nil
}

func containsBusy(err error) bool {
	return strings.Contains(err.Error(), ErrBusy.Error())
}

// Stats fetches every worker's stats and merges them; a worker that does
// not answer is left out (and Workers in the result says how many did).
func (g *Group) Stats() Stats {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var parts []Stats
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, w := range g.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := w.Stats(ctx, true)
			if err == nil {
				mu.Lock()
				parts = append(parts, st)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return MergeStats(parts...)
}

// MergeStats adds the stats of several workers: counters and series add
// (rows are aligned because workers share their series start), the
// detection latencies merge exactly, and process figures add.
func MergeStats(parts ...Stats) Stats {
	out := Stats{IntervalMs: SeriesInterval.Milliseconds(), Series: Series{Columns: SeriesColumns}}
	det := hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
	tk := hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
	for _, p := range parts {
		if out.StartedUnixNs == 0 || p.StartedUnixNs < out.StartedUnixNs {
			out.StartedUnixNs = p.StartedUnixNs
		}
		out.Workers += max(p.Workers, 1)
		addCounters(&out.Counters, p.Counters)
		for i, r := range p.Series.Rows {
			if i == len(out.Series.Rows) {
				out.Series.Rows = append(out.Series.Rows, make([]float64, len(r)))
				out.Series.Rows[i][0] = r[0]
			}
			for j := 1; j < len(r) && j < len(out.Series.Rows[i]); j++ {
				out.Series.Rows[i][j] += r[j]
			}
		}
		if p.Detections != nil {
			det.Merge(hdrhistogram.Import(p.Detections))
		}
		if p.Takeovers != nil {
			tk.Merge(hdrhistogram.Import(p.Takeovers))
		}
		out.Process.CPUSeconds += p.Process.CPUSeconds
		out.Process.MaxRSSBytes += p.Process.MaxRSSBytes
		out.Process.RSSBytes += p.Process.RSSBytes
		out.Process.Goroutines += p.Process.Goroutines
		out.Process.OpenFDs += p.Process.OpenFDs
		out.Process.FileLimit = p.Process.FileLimit
		out.Process.PIDs = append(out.Process.PIDs, p.Process.PIDs...)
		out.Process.PerWorkerRSS = append(out.Process.PerWorkerRSS, p.Process.RSSBytes)
	}
	out.Counters.DetectionLatency = summarize(det)
	out.Counters.ServerDetections = det.TotalCount()
	out.Detections = det.Export()
	out.Counters.TakeoverSilence = summarize(tk)
	out.Counters.Takeovers = tk.TotalCount()
	out.Takeovers = tk.Export()
	out.Counters.Sessions.estimateMemory(out.Counters.DirectQueued)
	return out
}

func addCounters(d *Counters, s Counters) {
	d.Accepts += s.Accepts
	d.Handshakes += s.Handshakes
	d.HandshakeErrors += s.HandshakeErrors
	d.TLSErrors += s.TLSErrors
	d.Rejects += s.Rejects
	d.Disconnects += s.Disconnects
	d.Open += s.Open
	d.PingsSent += s.PingsSent
	d.PongsReceived += s.PongsReceived
	d.AppPingsAnswered += s.AppPingsAnswered
	d.ClientPings += s.ClientPings
	d.MessagesSent += s.MessagesSent
	d.MessagesReplayed += s.MessagesReplayed
	d.BytesSent += s.BytesSent
	d.BytesReceived += s.BytesReceived
	d.Faults = max(d.Faults, s.Faults) // one fault reaches every worker
	d.LastBroadcastSeq = max(d.LastBroadcastSeq, s.LastBroadcastSeq)
	d.RejectCauses = addMap(d.RejectCauses, s.RejectCauses)
	if len(s.ProtocolErrors) > 0 {
		d.ProtocolErrors = addMap(d.ProtocolErrors, s.ProtocolErrors)
	}
	d.DisconnectCauses = addMap(d.DisconnectCauses, s.DisconnectCauses)
	addSessionCounters(d, s)
	if d.FaultsByKind == nil {
		d.FaultsByKind = map[string]int64{}
	}
	for k, v := range s.FaultsByKind {
		d.FaultsByKind[k] = max(d.FaultsByKind[k], v)
	}
}

func addMap(d, s map[string]int64) map[string]int64 {
	if d == nil {
		d = map[string]int64{}
	}
	for k, v := range s {
		d[k] += v
	}
	return d
}

// addSessionCounters adds the counters of clients' messages, sessions and
// direct messages. Sessions are per worker (a client that reconnects to
// another worker starts a new one); the queue peak adds the workers'
// peaks, an upper bound of the group's.
func addSessionCounters(d *Counters, s Counters) {
	d.MessagesReceived += s.MessagesReceived
	d.MessagesDuplicate += s.MessagesDuplicate
	d.AcksSent += s.AcksSent
	d.SendsInvalid += s.SendsInvalid
	d.DedupSkipped += s.DedupSkipped
	d.Sessions.Sessions += s.Sessions.Sessions
	d.SessionsCreated += s.SessionsCreated
	d.SessionsExpired += s.SessionsExpired
	d.ZombiesTerminated += s.ZombiesTerminated
	d.DirectProduced += s.DirectProduced
	d.DirectSent += s.DirectSent
	d.DirectRedelivered += s.DirectRedelivered
	d.DirectQueued += s.DirectQueued
	d.DirectQueuedPeak += s.DirectQueuedPeak
	d.DirectDropped += s.DirectDropped
}
