package sut

// Heap cost of sessions and of the direct messages they keep, measured
// by TestSessionMemory (go test -run TestSessionMemory -v prints the
// figures; it fails when they drift far from these) on linux/amd64.
const (
	// sessionBytes is one session with its map entry and timers, no
	// message kept.
	sessionBytes = 284
	// queuedMessageBytes is one kept direct message (8 bytes of ring, plus
	// the ring's growth slack on average).
	queuedMessageBytes = 9
)

// estimateMemory fills in the per-session and per-message estimates and
// their product with the current counts of sessions and waiting messages.
func (s *Sessions) estimateMemory(queued int64) {
	s.SessionBytes = sessionBytes
	s.QueuedMessageBytes = queuedMessageBytes
	s.MemoryEstimateBytes = s.Sessions*sessionBytes + queued*queuedMessageBytes
}
