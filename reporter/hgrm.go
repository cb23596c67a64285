package reporter

import (
	"bytes"
	"fmt"
	"path/filepath"

	"github.com/stormbench/stormbench/internal/measure"
)

// writeHgrm writes the run's histogram of metric m as <metric>.hgrm in dir,
// in the standard HdrHistogram percentile format: latencies in milliseconds,
// attempts per recovery as counts.
func writeHgrm(dir string, s *Shard, m measure.Metric) error {
	var b bytes.Buffer
	if _, err := s.cumulative(m).PercentilesPrint(&b, 5, scale(m)); err != nil {
		return fmt.Errorf("percentiles of %s: %w", m, err)
	}
	return WriteFileAtomic(filepath.Join(dir, m.String()+".hgrm"), b.Bytes())
}
