package reporter

import (
	"bytes"
	"fmt"
	"path/filepath"

	"github.com/stormbench/stormbench/internal/measure"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// writeHlog writes histograms.hlog in dir: an HdrHistogram interval log with
// one interval per phase per metric, tagged with the metric name, timestamps
// in seconds since the run start. Values are microseconds (attempts per
// recovery: counts); the library writes the Interval_Max column as the
// maximum divided by 10⁶.
func writeHlog(dir string, s *Shard) error {
	var b bytes.Buffer
	w := hdr.NewHistogramLogWriter(&b)
	startMs := s.Start.UnixMilli()
	w.SetBaseTime(startMs)
	if err := w.OutputLogFormatVersion(); err != nil {
		return fmt.Errorf("hlog: %w", err)
	}
	if err := w.OutputComment("[stormbench: values in microseconds, attempts_per_recovery in counts; timestamps relative to StartTime; tags are metric names]"); err != nil {
		return fmt.Errorf("hlog: %w", err)
	}
	if err := w.OutputStartTime(startMs); err != nil {
		return fmt.Errorf("hlog: %w", err)
	}
	if err := w.OutputLegend(); err != nil {
		return fmt.Errorf("hlog: %w", err)
	}
	for _, p := range s.Phases {
		for m := measure.Metric(0); m < measure.NumMetrics; m++ {
			h := newHist(m)
			if src := p.Histograms[m.String()]; src != nil {
				if src.Packed != nil {
					src.Packed.MergeInto(h)
				} else if src.Histogram != nil {
					h.Merge(src.Histogram)
				}
			}
			h.SetTag(m.String())
			h.SetStartTimeMs(startMs + p.Start.Milliseconds())
			h.SetEndTimeMs(startMs + p.End.Milliseconds())
			if err := w.OutputIntervalHistogram(h); err != nil {
				return fmt.Errorf("hlog phase %s %s: %w", p.Name, m, err)
			}
		}
	}
	return WriteFileAtomic(filepath.Join(dir, "histograms.hlog"), b.Bytes())
}
