package main

import (
	"encoding/json"
	"os"
	"runtime"
	"time"
)

// childResult is what a client process measured, printed as JSON.
type childResult struct {
	Engine  string `json:"engine"`
	Index   int    `json:"index"`
	Clients int    `json:"clients"`

	Attempts  int64 `json:"attempts"`
	Opened    int64 `json:"opened"`
	Failed    int64 `json:"failed"`
	Dead      int64 `json:"dead"`
	Pings     int64 `json:"pings"`
	Pongs     int64 `json:"pongs"`
	HoldPings int64 `json:"hold_pings"`
	HoldPongs int64 `json:"hold_pongs"`
	// LastOpen is when the last client opened, since T0 (ns).
	LastOpen time.Duration `json:"last_open_ns"`
	// RampCPU is the CPU time from T0 to the fleet open, HoldCPU within
	// the hold window (ns).
	RampCPU time.Duration `json:"ramp_cpu_ns"`
	HoldCPU time.Duration `json:"hold_cpu_ns"`
	// RampAllocs and HoldAllocs are the heap objects allocated in the
	// same spans.
	RampAllocs int64 `json:"ramp_allocs"`
	HoldAllocs int64 `json:"hold_allocs"`
	// RSS0 and Heap0 are taken with the engine started and no client yet,
	// RSS1 and Heap1 at the end of the hold; the heaps after a collection.
	RSS0       int64 `json:"rss0"`
	RSS1       int64 `json:"rss1"`
	Heap0      int64 `json:"heap0"`
	Heap1      int64 `json:"heap1"`
	Goroutines int   `json:"goroutines"`

	RampLate histData `json:"ramp_lateness"`
	Connect  histData `json:"connect"`
	HoldLate histData `json:"hold_lateness"`
	RTT      histData `json:"rtt"`
}

// runChild runs one process's part of a trial and writes its result.
func runChild(cfg childConfig, resultPath string) error {
	r, err := measure(cfg)
	if err != nil {
		return err
	}
	b, err := json.Marshal(&r)
	if err != nil {
		return err
	}
	return os.WriteFile(resultPath, b, 0o644)
}

// measure runs cfg's clients on its engine through the trial's timeline.
func measure(cfg childConfig) (r childResult, err error) {
	f, err := newFleet(cfg)
	if err != nil {
		return r, err
	}
	eng, err := newEngine(cfg.Engine)
	if err != nil {
		return r, err
	}
	if err := eng.start(f); err != nil {
		return r, err
	}
	r = childResult{Engine: cfg.Engine, Index: cfg.Index}
	r.Heap0 = heapLive()
	r.RSS0 = rss()
	ids := cfg.ids()
	r.Clients = len(ids)
	if err := eng.launch(ids); err != nil {
		return r, err
	}
	sleepUntil(f, f.t0)
	cpu0, a0 := cpuTime(), allocs()
	// The ramp ends when every client is open or gone, or at the latest
	// one connect timeout after the last attempt was due.
	limit := f.rampEnd + cfg.ConnectTimeout + time.Second
	for f.now() < limit && f.st.opened.Load()+f.st.failed.Load() < int64(len(ids)) {
		time.Sleep(5 * time.Millisecond)
	}
	r.RampCPU, r.RampAllocs = cpuTime()-cpu0, allocs()-a0
	if cfg.Hold > 0 {
		sleepUntil(f, f.holdStart)
		cpu1, a1 := cpuTime(), allocs()
		sleepUntil(f, f.holdEnd)
		r.HoldCPU, r.HoldAllocs = cpuTime()-cpu1, allocs()-a1
		r.RSS1 = rss()
		r.Goroutines = runtime.NumGoroutine()
		r.Heap1 = heapLive()
	} else {
		r.RSS1 = rss()
		r.Goroutines = runtime.NumGoroutine()
		r.Heap1 = heapLive()
	}
	st := &f.st
	r.Attempts, r.Opened, r.Failed, r.Dead = st.attempts.Load(), st.opened.Load(), st.failed.Load(), st.dead.Load()
	r.Pings, r.Pongs, r.HoldPings, r.HoldPongs = st.pings.Load(), st.pongs.Load(), st.holdPings.Load(), st.holdPongs.Load()
	r.LastOpen = max(time.Duration(st.lastOpen.Load())-f.t0, 0)
	r.RampLate, r.Connect, r.HoldLate, r.RTT = st.rampLate.data(), st.connect.data(), st.holdLate.data(), st.rtt.data()
	return r, nil
}

func sleepUntil(f *fleet, t time.Duration) {
	if d := t - f.now(); d > 0 {
		time.Sleep(d)
	}
}
