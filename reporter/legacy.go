package reporter

import (
	"encoding/json"
	"fmt"

	"github.com/stormbench/stormbench/internal/measure"
)

// legacyShard is what shards of format 2 and older held where today's
// hold counts by family (Shard.Keys) and per-storm counts by column
// (Storm.Counts).
type legacyShard struct {
	FailureCauses    map[string]int64 `json:"failure_causes"`
	DisconnectCauses map[string]int64 `json:"disconnect_causes"`
	ProtocolErrors   map[string]int64 `json:"protocol_errors"`
	Storms           []struct {
		MessagesLost       int64         `json:"messages_lost"`
		MessagesDuplicated int64         `json:"messages_duplicated"`
		App                StormMessages `json:"app"`
	} `json:"storms"`
}

// upgradeLegacy moves the figures of a format 1 or 2 shard, whose JSON is
// b, to where today's layout keeps them.
func upgradeLegacy(s *Shard, b []byte) error {
	var l legacyShard
	if err := json.Unmarshal(b, &l); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	s.Keys[measure.FailureCauses] = l.FailureCauses
	s.Keys[measure.DisconnectCauses] = l.DisconnectCauses
	s.Keys[measure.ProtocolErrors] = l.ProtocolErrors
	for i, ls := range l.Storms {
		if i >= len(s.Storms) {
			break
		}
		c := &s.Storms[i].Counts
		c[measure.MessagesLost] = ls.MessagesLost
		c[measure.MessagesDuplicated] = ls.MessagesDuplicated
		c[measure.AppLost] = ls.App.SentLost
		c[measure.AppDropped] = ls.App.SentDropped
		c[measure.AppDuplicated] = ls.App.SentDuplicated
		c[measure.DirectLost] = ls.App.DirectLost
		c[measure.DirectDuplicated] = ls.App.DirectDuplicated
	}
	return nil
}
