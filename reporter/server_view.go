package reporter

import "time"

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
	// Series is the server's time series on the wall clock, from which
	// Summarize gives each storm the server's takeovers and peak of
	// received messages in its window; nil when the server's series
	// cannot be aligned with the run's. Not written (server.json holds
	// the server's whole series).
	Series *ServerSeries `json:"-"`
}

// ServerSeries is the part of the server's time series a storm's figures
// need, on the wall clock.
type ServerSeries struct {
	// Interval is the length of a row.
	Interval time.Duration
	// Rows are the server's intervals, in order.
	Rows []ServerInterval
}

// ServerInterval is one row of the server's series: the interval
// (End − Interval, End].
type ServerInterval struct {
	End time.Time
	// Takeovers counts the sessions taken over in the interval.
	Takeovers int64
	// ReceivedPerS is the rate of the clients' messages received in it.
	ReceivedPerS float64
}

// stormFigures gives st the server's figures in its window of a run that
// started at start: the takeovers of every interval that overlaps it, and
// the highest rate of received messages among them.
func (s *ServerSeries) stormFigures(st *StormSummary, start time.Time) {
	from := start.Add(time.Duration(st.T0 * float64(time.Second)))
	to := start.Add(time.Duration(st.End * float64(time.Second)))
	var n int64
	for _, r := range s.Rows {
		if r.End.After(from) && r.End.Add(-s.Interval).Before(to) {
			n += r.Takeovers
			st.ServerPeakReceivedPerS = max(st.ServerPeakReceivedPerS, r.ReceivedPerS)
		}
	}
	st.ServerTakeovers = &n
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
