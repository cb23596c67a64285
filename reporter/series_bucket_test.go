package reporter

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestSeriesBucketRemembersInterval: the remembered interval gives the
// same index as the division for any offset, in any order: before the
// start, on interval edges, past the last bucket, and going back.
func TestSeriesBucketRemembersInterval(t *testing.T) {
	const iv = 100 * time.Millisecond
	s := &series{interval: iv}
	offsets := []time.Duration{0, -5, 1, iv - 1, iv, iv + 1, 3 * iv, iv, 0, -iv,
		maxBuckets * iv, maxBuckets*iv + 7, (maxBuckets - 1) * iv, (maxBuckets-1)*iv - 1, 2 * iv}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		offsets = append(offsets, time.Duration(r.Int64N(int64(20*iv)))-iv)
	}
	for _, at := range offsets {
		if got, want := s.bucket(at), bucketOf(at, iv); got != want {
			t.Fatalf("bucket(%v) = %d, want %d", at, got, want)
		}
	}
}
