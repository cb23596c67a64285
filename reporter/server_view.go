package reporter

// ServerView is what the embedded server (stormbench's own) saw of the
// clients' messages and sessions, from its /stats at the end of the run;
// nil when the server is not stormbench's or did not answer.
type ServerView struct {
	// MessagesReceived counts the clients' messages received once;
	// MessagesDuplicate those received again (redelivered after a dead
	// connection whose ack was lost) and de-duplicated.
	MessagesReceived  int64 `json:"messages_received"`
	MessagesDuplicate int64 `json:"messages_duplicate"`
	// PeakReceivedPerS is the flush burst as the server saw it: its
	// highest rate of received messages in an interval.
	PeakReceivedPerS float64 `json:"peak_received_per_s"`
	// Takeovers counts sessions a client's new connection took over from
	// its old one, still open at the server (a half-open connection the
	// server had not noticed): duplicate sessions. TakeoverSilenceP99Ms
	// is how long those old connections had been silent.
	Takeovers            int64   `json:"takeovers"`
	TakeoverSilenceP99Ms float64 `json:"takeover_silence_p99_ms"`
	// ZombiesTerminated counts connections the server's idle timeout closed.
	ZombiesTerminated int64 `json:"zombies_terminated"`
	// DirectProduced and DirectDropped count the server's direct messages
	// and those its bounded offline queues dropped.
	DirectProduced int64 `json:"direct_produced"`
	DirectDropped  int64 `json:"direct_dropped"`
}

// printServerView writes the server's view, when there is one.
func printServerView(p func(string, ...any), v *ServerView) {
	if v == nil || (v.MessagesReceived == 0 && v.Takeovers == 0 && v.ZombiesTerminated == 0 && v.DirectProduced == 0) {
		return
	}
	p("server")
	if v.MessagesReceived > 0 {
		p("  messages\t%d received\tduplicates %d (de-duplicated), peak %.0f/s", v.MessagesReceived, v.MessagesDuplicate, v.PeakReceivedPerS)
	}
	if v.Takeovers > 0 {
		p("  sessions\t%d taken over\tsilent p99 %s before; zombies terminated %d", v.Takeovers, ms(v.TakeoverSilenceP99Ms), v.ZombiesTerminated)
	} else {
		p("  sessions\t0 taken over\tzombies terminated %d", v.ZombiesTerminated)
	}
	if v.DirectProduced > 0 {
		p("  direct\t%d produced\tdropped %d by the offline queues", v.DirectProduced, v.DirectDropped)
	}
}
