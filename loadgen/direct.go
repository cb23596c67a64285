package loadgen

import (
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// direct checks one of the server's direct messages (numbered per client
// from 1, produced at t Unix ns): in order, it is received with its
// latency (produced → received; on one machine the clocks agree, across
// machines the figure carries their offset); a gap is lost, a repeat a
// duplicate.
func (c *client) direct(id, t int64, now time.Duration) {
	sh := c.sh
	last := int64(c.lastDirect)
	switch {
	case id <= last:
		sh.count(now, measure.DirectDuplicated, 1)
		return
	case id > last+1:
		sh.count(now, measure.DirectLost, id-last-1)
	}
	c.lastDirect = uint32(min(id, 1<<32-1))
	if lat := time.Duration(sh.fl.wallBase + int64(now) - t); lat >= 0 {
		sh.directReceived(now, lat)
	}
}
