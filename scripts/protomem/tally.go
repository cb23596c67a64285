package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
	"github.com/stormbench/stormbench/loadgen"
)

// tally is the Recorder and Sink of an in-process fleet: it counts what
// says whether every client joined and stayed.
type tally struct {
	mu                      sync.Mutex
	joins, messages, lost   int64
	causes                  map[measure.Cause]int
	profileErrors, refusals []string
}

func newTally() *tally { return &tally{causes: map[measure.Cause]int{}} }

func (s *tally) Record(_ time.Duration, c measure.Column, v int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch c {
	case measure.Joins:
		s.joins += v
	case measure.MessagesReceived:
		s.messages += v
	case measure.MessagesLost:
		s.lost += v
	}
}

func (s *tally) RecordKey(_ time.Duration, f measure.Family, k int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == measure.DisconnectCauses {
		s.causes[measure.Cause(k)]++
	}
}

func (s *tally) RecordText(_ time.Duration, f measure.Family, text []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch f {
	case measure.ProfileErrors:
		s.profileErrors = append(s.profileErrors, string(text))
	case measure.JoinRefusals:
		s.refusals = append(s.refusals, string(text))
	}
}

func (s *tally) Observe(measure.Metric, int64)    {}
func (s *tally) Storm(int, loadgen.StormEvent)    {}
func (s *tally) Cut(time.Duration, string)        {}
func (s *tally) Sink(int) loadgen.Sink            { return s }
func (s *tally) StormInfo(int, loadgen.StormInfo) {}

// configOf is the loadgen.Config of p's stormbench flags, with the
// reference client's timing as stormbench run gives it.
func configOf(p *fakeProto) (loadgen.Config, error) {
	var c loadgen.Config
	resume := true
	for i := 0; i < len(p.args); i++ {
		a := p.args[i]
		if a == "--resume=false" {
			resume = false
			continue
		}
		if i+1 == len(p.args) {
			return c, fmt.Errorf("%s: %s without a value", p.name, a)
		}
		i++
		switch v := p.args[i]; a {
		case "--protocol":
			c.Protocol = loadgen.Protocol(v)
		case "--join":
			c.Framework.Join = append(c.Framework.Join, v)
		case "--seq-field":
			c.Formats.SeqField = v
		default:
			return c, fmt.Errorf("%s: flag %q unknown to configOf", p.name, a)
		}
	}
	c.Resume = &resume
	return c.WithReference(false, loadgen.HeartbeatSet{}), nil
}
