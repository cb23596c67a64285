package measure

// Column is one column of a run's time series (timeseries.csv): a count
// within each interval, a gauge at its end, or a peak. The load generator's
// event loops record the columns before FirstHostColumn; the coordinator
// samples the rest from its machine's kernel.
type Column uint8

// The columns, in the order of timeseries.csv (after t_s).
const (
	Open Column = iota
	Connecting
	Waiting
	Attempts
	Connects
	Failures
	Disconnects
	PingsSent
	PongsReceived
	BytesSent
	BytesReceived
	MessagesReceived
	GaveUp
	MessagesLost
	MessagesDuplicated
	HeartbeatFramesSent
	HeartbeatFramesReceived
	HeartbeatBytesSent
	HeartbeatBytesReceived
	Reconnects
	MessagesOther
	RetryAfterSeen
	RetryAfterHonoured
	SeqRestarts
	PongsUntimed
	AppProduced
	AppSent
	AppFlushed
	AppAcked
	AppDuplicated
	AppDropped
	AppLost
	AppQueued
	DirectReceived
	DirectLost
	DirectDuplicated
	LoopBusy
	LoopStall
	LoopCPU
	ProcCPU
	Ready
	Joins
	JoinsRefused
	TLSHandshakesFull
	TLSHandshakesResumed
	TCPMemPages
	TCPInUse
	TCPOrphans
	TCPTimeWait
	TCPAbortOnMemory
	TCPMemoryPressures
	ListenOverflows
	ListenDrops
	NumColumns
)

// FirstHostColumn is the first column the coordinator samples from its
// machine (Recorder.Host); the ones before it are the event loops'.
const FirstHostColumn = TCPMemPages

// NumLoopColumns is how many columns the event loops record.
const NumLoopColumns = int(FirstHostColumn)

// ColumnDef defines a column.
type ColumnDef struct {
	// Name is the column's name in timeseries.csv and shards.
	Name string
	// Kind says how its values combine over time and across loops.
	Kind Kind
	// Unit is what one unit of a value is, for the docs.
	Unit string
	// Doc is the one-line definition (docs, Prometheus help).
	Doc string
	// Summary is where the column's figure lands in summary.json, as a
	// dotted path ("counters.attempts"); empty when the summary only
	// derives other figures from it. Every count column under
	// "counters." is summed there by name, with no code of its own.
	Summary string
	// Storm is set when every storm counts the column's events of its
	// window too (storms[].counts in summary.json).
	Storm bool
	// Prom is the name of the live counter (stormbench_<Prom>) of the run's
	// Prometheus endpoint; empty when it is not exposed live.
	Prom string
}

var columnDefs = [NumColumns]ColumnDef{
	Open:                    {Name: "open", Kind: Gauge, Unit: "clients", Doc: "clients with an open WebSocket connection at the interval's end"},
	Connecting:              {Name: "connecting", Kind: Gauge, Unit: "clients", Doc: "clients with an attempt in flight (TCP, TLS or upgrade) at the interval's end"},
	Waiting:                 {Name: "waiting", Kind: Gauge, Unit: "clients", Doc: "clients backing off before their next attempt at the interval's end"},
	Attempts:                {Name: "attempts", Unit: "attempts", Doc: "connection attempts the fleet started (dial starts)", Summary: "counters.attempts", Prom: "connect_attempts_total"},
	Connects:                {Name: "connects", Unit: "attempts", Doc: "WebSocket handshakes the fleet completed, counted at their dial start", Summary: "counters.connects", Prom: "connects_total"},
	Failures:                {Name: "failures", Unit: "attempts", Doc: "attempts that failed, counted at their dial start (by cause: failure_causes)", Summary: "counters.failures"},
	Disconnects:             {Name: "disconnects", Unit: "connections", Doc: "open connections that ended (by cause: disconnect_causes)", Summary: "counters.disconnects"},
	PingsSent:               {Name: "pings_sent", Unit: "frames", Doc: "heartbeat pings the clients sent", Summary: "counters.pings_sent"},
	PongsReceived:           {Name: "pongs_received", Unit: "frames", Doc: "heartbeat pongs the clients received", Summary: "counters.pongs_received"},
	BytesSent:               {Name: "bytes_sent", Unit: "bytes", Doc: "bytes of WebSocket frames (headers included) the fleet wrote to the wire", Summary: "counters.bytes_sent", Prom: "sent_bytes_total"},
	BytesReceived:           {Name: "bytes_received", Unit: "bytes", Doc: "bytes of WebSocket frames (headers included) the fleet read from the wire", Summary: "counters.bytes_received", Prom: "received_bytes_total"},
	MessagesReceived:        {Name: "messages_received", Unit: "messages", Doc: "broadcast messages (with a sequence number) the fleet received", Summary: "counters.messages_received", Prom: "messages_received_total"},
	GaveUp:                  {Name: "gave_up", Unit: "clients", Doc: "clients that exhausted their retries", Summary: "counters.gave_up"},
	MessagesLost:            {Name: "messages_lost", Unit: "messages", Doc: "sequence numbers missing from the broadcast stream clients received (lost across reconnects)", Summary: "counters.messages_lost", Storm: true, Prom: "messages_lost_total"},
	MessagesDuplicated:      {Name: "messages_duplicated", Unit: "messages", Doc: "sequence numbers of the broadcast stream a client received twice", Summary: "counters.messages_duplicated", Storm: true, Prom: "messages_duplicated_total"},
	HeartbeatFramesSent:     {Name: "heartbeat_frames_sent", Unit: "frames", Doc: "heartbeat frames (pings and pongs) the clients sent", Summary: "heartbeat.frames_sent"},
	HeartbeatFramesReceived: {Name: "heartbeat_frames_received", Unit: "frames", Doc: "heartbeat frames (pings and pongs) the clients received", Summary: "heartbeat.frames_received"},
	HeartbeatBytesSent:      {Name: "heartbeat_bytes_sent", Unit: "bytes", Doc: "bytes of the heartbeat frames the clients sent, headers included", Summary: "heartbeat.bytes_sent"},
	HeartbeatBytesReceived:  {Name: "heartbeat_bytes_received", Unit: "bytes", Doc: "bytes of the heartbeat frames the clients received, headers included", Summary: "heartbeat.bytes_received"},
	Reconnects:              {Name: "reconnects", Unit: "clients", Doc: "clients' first successful handshakes after they lost a connection", Summary: "counters.reconnects", Prom: "reconnects_total"},
	MessagesOther:           {Name: "messages_other", Unit: "messages", Doc: "data messages no rule recognised (a server's own formats): never taken for loss", Summary: "counters.messages_other"},
	RetryAfterSeen:          {Name: "retry_after_seen", Unit: "attempts", Doc: "refused upgrades (429, 503) that carried Retry-After", Summary: "counters.retry_after_seen"},
	RetryAfterHonoured:      {Name: "retry_after_honoured", Unit: "attempts", Doc: "of those, the ones after which the client waited as asked where its policy would have retried sooner", Summary: "counters.retry_after_honoured"},
	SeqRestarts:             {Name: "seq_restarts", Unit: "connections", Doc: "connections whose first sequence number went backwards (the server's sequence restarted): not duplicates", Summary: "counters.seq_restarts"},
	PongsUntimed:            {Name: "pongs_untimed", Unit: "frames", Doc: "app pongs that recorded no round trip: the echoed time was missing or not one the client sent", Summary: "counters.pongs_untimed"},
	AppProduced:             {Name: "app_produced", Unit: "messages", Doc: "messages the clients produced (--send-rate)", Summary: "send.produced"},
	AppSent:                 {Name: "app_sent", Unit: "messages", Doc: "the clients' messages written to the wire, redeliveries included", Summary: "send.sent"},
	AppFlushed:              {Name: "app_flushed", Unit: "messages", Doc: "of those, the ones written from a backlog: produced before the connection they left on opened", Summary: "send.flushed"},
	AppAcked:                {Name: "app_acked", Unit: "messages", Doc: "the clients' messages the server acknowledged", Summary: "send.acked"},
	AppDuplicated:           {Name: "app_duplicated", Unit: "acks", Doc: "acks of messages the server had received before, or that settled nothing", Summary: "send.duplicated", Storm: true},
	AppDropped:              {Name: "app_dropped", Unit: "messages", Doc: "the clients' messages a full send queue dropped", Summary: "send.dropped", Storm: true},
	AppLost:                 {Name: "app_lost", Unit: "messages", Doc: "the clients' messages that will never be acknowledged (sent on a connection that died, or skipped by the acks)", Summary: "send.lost", Storm: true},
	AppQueued:               {Name: "app_queued", Kind: Gauge, Unit: "messages", Doc: "the clients' messages waiting to be sent at the interval's end", Summary: "send.peak_queued"},
	DirectReceived:          {Name: "direct_received", Unit: "messages", Doc: "the server's direct (per-client) messages received in order", Summary: "direct.received"},
	DirectLost:              {Name: "direct_lost", Unit: "messages", Doc: "gaps in the server's direct message ids", Summary: "direct.lost", Storm: true},
	DirectDuplicated:        {Name: "direct_duplicated", Unit: "messages", Doc: "direct messages received again", Summary: "direct.duplicated", Storm: true},
	LoopBusy:                {Name: "loop_busy_us", Unit: "µs", Doc: "time the event loops worked rather than waited, summed over loops"},
	LoopStall:               {Name: "loop_stall_us", Kind: Peak, Unit: "µs", Doc: "the longest stretch one loop worked without a pause"},
	LoopCPU:                 {Name: "loop_cpu_us", Unit: "µs", Doc: "CPU time the loops' threads got while busy"},
	ProcCPU:                 {Name: "proc_cpu_us", Unit: "µs", Doc: "CPU time the load generator's processes used, every thread (loops, TLS, garbage collector)"},
	Ready:                   {Name: "ready", Kind: Gauge, Unit: "clients", Doc: "clients ready at the interval's end: joined what --join names (with a framework --protocol), or open (stormbench, json)"},
	Joins:                   {Name: "joins", Unit: "clients", Doc: "clients that became ready: the framework's join done after the upgrade (with stormbench and json: the upgrade)", Summary: "counters.joins", Prom: "joins_total"},
	JoinsRefused:            {Name: "joins_refused", Unit: "connections", Doc: "connections whose join the server refused (by reason: join_refusals)", Summary: "counters.joins_refused", Storm: true},
	TLSHandshakesFull:       {Name: "tls_handshakes_full", Unit: "handshakes", Doc: "TLS handshakes the clients completed in full: certificate sent, signed and verified (wss)", Summary: "counters.tls_handshakes_full", Storm: true, Prom: "tls_handshakes_full_total"},
	TLSHandshakesResumed:    {Name: "tls_handshakes_resumed", Unit: "handshakes", Doc: "TLS handshakes the clients completed by resuming a session of theirs (wss --tls-resume: a TLS 1.3 ticket, RFC 8446 §2.2)", Summary: "counters.tls_handshakes_resumed", Storm: true, Prom: "tls_handshakes_resumed_total"},
	TCPMemPages:             {Name: "tcp_mem_pages", Kind: HostGauge, Unit: "pages", Doc: "memory of all TCP sockets (sockstat TCP: mem), which net.ipv4.tcp_mem bounds", Summary: "kernel.peak_pages"},
	TCPInUse:                {Name: "tcp_inuse", Kind: HostGauge, Unit: "sockets", Doc: "TCP sockets in use (sockstat TCP: inuse)", Summary: "kernel.peak_tcp_inuse"},
	TCPOrphans:              {Name: "tcp_orphans", Kind: HostGauge, Unit: "sockets", Doc: "orphaned TCP sockets (sockstat TCP: orphan)", Summary: "kernel.peak_tcp_orphans"},
	TCPTimeWait:             {Name: "tcp_time_wait", Kind: HostGauge, Unit: "sockets", Doc: "sockets in TIME_WAIT (sockstat TCP: tw)", Summary: "kernel.peak_tcp_time_wait"},
	TCPAbortOnMemory:        {Name: "tcp_abort_on_memory", Unit: "sockets", Doc: "sockets the kernel aborted for lack of memory (netstat TCPAbortOnMemory)", Summary: "kernel.aborts_on_memory"},
	TCPMemoryPressures:      {Name: "tcp_memory_pressures", Unit: "events", Doc: "entries into TCP memory pressure (netstat TCPMemoryPressures)", Summary: "kernel.memory_pressures"},
	ListenOverflows:         {Name: "listen_overflows", Unit: "events", Doc: "accept-queue overflows (netstat ListenOverflows)", Summary: "kernel.listen_overflows"},
	ListenDrops:             {Name: "listen_drops", Unit: "SYNs", Doc: "SYNs dropped at a listening socket (netstat ListenDrops)", Summary: "kernel.listen_drops"},
}

// Def returns the column's definition.
func (c Column) Def() *ColumnDef { return &columnDefs[c] }

// String returns the column's name in results files.
func (c Column) String() string {
	if c < NumColumns {
		return columnDefs[c].Name
	}
	return "unknown"
}

// Kind returns how the column's values combine.
func (c Column) Kind() Kind { return columnDefs[c].Kind }

// Host reports whether the coordinator samples the column from its machine.
func (c Column) Host() bool { return c >= FirstHostColumn }

// PerStorm reports whether a storm counts the column's events of its
// window.
func (c Column) PerStorm() bool { return c < NumColumns && columnDefs[c].Storm }

// Columns lists every column in timeseries.csv order.
func Columns() []Column {
	out := make([]Column, NumColumns)
	for i := range out {
		out[i] = Column(i)
	}
	return out
}

// ColumnByName returns the column of a results file's name.
func ColumnByName(name string) (Column, bool) {
	for c := range columnDefs {
		if columnDefs[c].Name == name {
			return Column(c), true
		}
	}
	return 0, false
}
