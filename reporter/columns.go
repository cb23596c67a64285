package reporter

// column indexes the values of one time-series row: first what the event
// loops record (summed over loops), then what the coordinator samples of its
// machine (Recorder.Host).
type column int

const (
	colOpen column = iota
	colConnecting
	colWaiting
	colAttempts
	colConnects
	colFailures
	colDisconnects
	colPingsSent
	colPongsReceived
	colBytesSent
	colBytesReceived
	colMessagesReceived
	colGaveUp
	colMessagesLost
	colMessagesDuplicated
	colHeartbeatFramesSent
	colHeartbeatFramesReceived
	colHeartbeatBytesSent
	colHeartbeatBytesReceived
	colReconnects
	colMessagesOther
	colRetryAfterSeen
	colRetryAfterHonoured
	colSeqRestarts
	colPongsUntimed
	colAppProduced
	colAppSent
	colAppFlushed
	colAppAcked
	colAppDuplicated
	colAppDropped
	colAppLost
	colAppQueued
	colDirectReceived
	colDirectLost
	colDirectDuplicated
	colLoopBusy
	colLoopStall
	colLoopCPU
	colProcCPU
	colTCPMemPages
	colTCPInUse
	colTCPOrphans
	colTCPTimeWait
	colTCPAbortOnMemory
	colTCPMemoryPressures
	colListenOverflows
	colListenDrops
	numColumns
)

// numLoopColumns is how many leading columns the event loops record; the
// rest are host columns.
const numLoopColumns = int(colTCPMemPages)

// numHostColumns is how many columns Recorder.Host records.
const numHostColumns = int(numColumns) - numLoopColumns

var columnNames = [numColumns]string{
	"open", "connecting", "waiting",
	"attempts", "connects", "failures", "disconnects", "pings_sent",
	"pongs_received", "bytes_sent", "bytes_received", "messages_received",
	"gave_up", "messages_lost", "messages_duplicated",
	"heartbeat_frames_sent", "heartbeat_frames_received",
	"heartbeat_bytes_sent", "heartbeat_bytes_received", "reconnects",
	"messages_other", "retry_after_seen", "retry_after_honoured",
	"seq_restarts", "pongs_untimed",
	"app_produced", "app_sent", "app_flushed", "app_acked", "app_duplicated", "app_dropped", "app_lost", "app_queued",
	"direct_received", "direct_lost", "direct_duplicated",
	"loop_busy_us", "loop_stall_us", "loop_cpu_us", "proc_cpu_us",
	"tcp_mem_pages", "tcp_inuse", "tcp_orphans", "tcp_time_wait",
	"tcp_abort_on_memory", "tcp_memory_pressures", "listen_overflows", "listen_drops",
}

// columnKind says how a column's values behave over time and across shards.
type columnKind uint8

const (
	// kindCount is a count within the interval: shards add, and an
	// interval without events is zero.
	kindCount columnKind = iota
	// kindGauge is a loop's state at the end of the interval: an interval
	// without a report carries the previous value forward, and shards add
	// (each loop holds its own clients).
	kindGauge
	// kindPeak is the largest value of the interval (the longest stretch
	// a loop worked without a pause): shards take the maximum, and an
	// interval without a report is zero.
	kindPeak
	// kindHostGauge is a machine-wide state sampled by the coordinator: it
	// carries forward like a gauge, but shards take the maximum, because
	// only one shard of a machine samples it and machines do not share a
	// kernel (merged over machines it is the highest machine's value).
	kindHostGauge
)

var columnKinds = [numColumns]columnKind{
	colOpen: kindGauge, colConnecting: kindGauge, colWaiting: kindGauge, colAppQueued: kindGauge,
	colLoopStall:   kindPeak,
	colTCPMemPages: kindHostGauge, colTCPInUse: kindHostGauge,
	colTCPOrphans: kindHostGauge, colTCPTimeWait: kindHostGauge,
}

// carries reports whether a value of this kind carries forward over
// intervals without a report.
func (k columnKind) carries() bool { return k == kindGauge || k == kindHostGauge }

// combine returns the value of a merged interval from two shards' values.
func (k columnKind) combine(a, b int64) int64 {
	if k == kindHostGauge || k == kindPeak {
		return max(a, b)
	}
	return a + b
}

// kindByName returns the kind of a named column; unknown names count.
func kindByName(name string) columnKind {
	for c, n := range columnNames {
		if n == name {
			return columnKinds[c]
		}
	}
	return kindCount
}

// kindsOf returns the kinds of the named columns.
func kindsOf(names []string) []columnKind {
	out := make([]columnKind, len(names))
	for i, n := range names {
		out[i] = kindByName(n)
	}
	return out
}

// columns returns the names of the series columns, t_s excluded.
func columns() []string {
	out := make([]string, numColumns)
	copy(out, columnNames[:])
	return out
}

// TimeseriesHeader returns the header row of timeseries.csv.
func TimeseriesHeader() []string {
	return append([]string{"t_s"}, columnNames[:]...)
}
