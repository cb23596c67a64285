package experiment

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/stormbench/stormbench/internal/kernel"
	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// RunConfig is what config.json holds: every resolved setting, the tool
// and the host.
type RunConfig struct {
	Command  []string       `json:"command"`
	Started  time.Time      `json:"started"`
	Dir      string         `json:"dir"`
	RunID    string         `json:"run_id"`
	Loadgen  loadgen.Config `json:"loadgen"`
	Server   *sut.Config    `json:"server,omitempty"`
	Embedded bool           `json:"embedded_server"`
	Workers  int            `json:"workers"`
	// ServerWorkers is the embedded server's worker processes.
	ServerWorkers int `json:"server_workers,omitempty"`
	// ServerRestarts counts restarts of the embedded server after crashes.
	ServerRestarts int             `json:"server_restarts,omitempty"`
	Outcome        loadgen.Outcome `json:"outcome"`
	Host           HostFacts       `json:"host"`
	// Kernel is the kernel's limits that bound the run (tcp_mem, buffer
	// sizes, listen backlogs); unknown values are null.
	Kernel kernel.Facts `json:"kernel"`
	// TCPMemEstimate is the preflight's estimate of the kernel's TCP
	// memory at the run's peak.
	TCPMemEstimate kernel.Estimate `json:"tcp_mem_estimate"`
}

// runConfig is the config.json of a run of p laid out as l that ran with
// cfg (the server's URL filled in) and ended with outcome; restarts counts
// the embedded server's restarts. Secrets are redacted.
func runConfig(p *Plan, l layout, cfg loadgen.Config, outcome loadgen.Outcome, restarts int) RunConfig {
	rc := RunConfig{Command: append([]string{"stormbench", "run"}, RedactArgs(p.Args)...), Started: l.start, Dir: l.dir, RunID: p.RunID,
		Loadgen: cfg.Redacted(), Embedded: p.Embedded(), Outcome: outcome, Host: ReadHostFacts(), Workers: max(p.Workers, 1),
		Kernel: p.Kernel, TCPMemEstimate: p.TCPMem}
	if p.Embedded() {
		rc.Server = p.Server
		rc.ServerWorkers = p.ServerWorkers
		rc.ServerRestarts = restarts
	}
	return rc
}

// writeResults writes the results folder dir, every file atomically:
// config.json (rc), timeseries.csv, the .hgrm files, histograms.hlog and
// summary.json (reporter.WriteRun), the embedded server's throwaway
// certificate (--server-tls), shard.json (the raw result, so that shards
// of one run on several machines merge exactly) and the server's own view
// when srv holds it (server.json, server_timeseries.csv). Failing to write
// the server's view costs no figure of the run: it is a warning.
func writeResults(dir string, p *Plan, shard *reporter.Shard, sum *reporter.Summary, rc RunConfig, srv *sut.Stats) (warnings []string, err error) {
	if err := reporter.WriteRun(dir, shard, sum, rc); err != nil {
		return nil, err
	}
	if err := writeServerCert(dir, p); err != nil {
		return nil, err
	}
	if err := reporter.WriteShard(filepath.Join(dir, ShardFile), shard); err != nil {
		return nil, err
	}
	if srv != nil {
		if err := writeServerStats(dir, srv); err != nil {
			warnings = append(warnings, fmt.Sprintf("server stats: %v", err))
		}
	}
	return warnings, nil
}
