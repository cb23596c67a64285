package measure

// Metric is one histogram a run keeps: a latency in microseconds, or a
// count (attempts per recovery). Every phase keeps its own interval
// histogram of each metric that recorded a value; storms keep theirs of the
// metrics with a Storm definition.
type Metric uint8

// The metrics, in the order the docs list them.
const (
	ConnectLatency Metric = iota
	DetectLatency
	ReconnectLatency
	Outage
	AttemptsPerRecovery
	HeartbeatRTT
	BackoffDelay
	TimerLateness
	ConnectTCP
	ConnectTLS
	ConnectUpgrade
	DeliveryLatency
	DeliveryQueue
	DeliveryWire
	DirectLatency
	ConnectReady
	OutageReady
	ConnectDNS
	NumMetrics
)

// File says when a metric gets a .hgrm file of its own.
type File uint8

const (
	// FileAlways: every run writes it, empty or not.
	FileAlways File = iota
	// FileWhenRecorded: written when the run recorded a value.
	FileWhenRecorded
	// FileNever: only in summary.json and histograms.hlog.
	FileNever
)

// MetricDef defines a metric.
type MetricDef struct {
	// Name is the metric's name: its .hgrm file, its tag in
	// histograms.hlog, its key in summary.json's histograms.
	Name string
	// Counts is set for a metric of plain counts; the others are
	// durations, recorded in microseconds and reported in milliseconds.
	Counts bool
	// Doc is the one-line definition (docs, Prometheus help).
	Doc string
	// File says when the metric gets a .hgrm file.
	File File
	// Storm is set when every storm keeps the metric's histogram of its
	// affected clients.
	Storm bool
	// Prom is the name of the live histogram (stormbench_<Prom>, in
	// seconds) of the run's Prometheus endpoint; empty when it is not
	// exposed live.
	Prom string
}

var metricDefs = [NumMetrics]MetricDef{
	ConnectLatency:      {Name: "connect_latency", Doc: "dial start to WebSocket handshake complete, for every successful attempt", Prom: "connect_latency_seconds"},
	DetectLatency:       {Name: "detect_latency", Doc: "a storm's T0 to an affected client declaring its connection dead", Storm: true, Prom: "detect_latency_seconds"},
	ReconnectLatency:    {Name: "reconnect_latency", Doc: "detection of a dead connection to the client's next successful handshake (backoff and failed attempts included), storm or not", Storm: true, Prom: "reconnect_latency_seconds"},
	Outage:              {Name: "outage", Doc: "a storm's T0 to an affected client's next successful handshake", Storm: true, Prom: "outage_seconds"},
	AttemptsPerRecovery: {Name: "attempts_per_recovery", Counts: true, Doc: "attempts a client made from detection to its next successful handshake", Storm: true},
	HeartbeatRTT:        {Name: "heartbeat_rtt", Doc: "heartbeat round trip: a ping to its matching pong", Prom: "heartbeat_rtt_seconds"},
	BackoffDelay:        {Name: "backoff_delay", Doc: "every delay the reconnect policy drew"},
	TimerLateness:       {Name: "timer_lateness", Doc: "actual minus scheduled time of every scheduled client action (attempts, pings, deadlines)"},
	ConnectTCP:          {Name: "connect_tcp", Doc: "dial start (when the host is resolved per attempt: its address known) to TCP established", File: FileNever},
	ConnectTLS:          {Name: "connect_tls", Doc: "TCP established to TLS handshake done (wss only)", File: FileNever},
	ConnectUpgrade:      {Name: "connect_upgrade", Doc: "TCP (wss: TLS) established to HTTP 101 received", File: FileNever},
	DeliveryLatency:     {Name: "delivery_latency", Doc: "a client's message produced to acked, the outage included", File: FileWhenRecorded},
	DeliveryQueue:       {Name: "delivery_queue", Doc: "the part of the delivery latency a message waited to be sent", File: FileWhenRecorded},
	DeliveryWire:        {Name: "delivery_wire", Doc: "a client's message written to acked", File: FileWhenRecorded},
	ConnectReady:        {Name: "connect_ready", Doc: "dial start to ready (the framework's join done), for every connection that became ready", File: FileWhenRecorded, Prom: "connect_ready_seconds"},
	OutageReady:         {Name: "outage_ready", Doc: "a storm's T0 to an affected client ready again (joined, not just upgraded)", File: FileWhenRecorded, Storm: true, Prom: "outage_ready_seconds"},
	ConnectDNS:          {Name: "connect_dns", Doc: "dial start to the URL's host resolved, when it is resolved per attempt (a host name without --resolve)", File: FileNever},
	DirectLatency:       {Name: "direct_latency", Doc: "a direct message of the server produced to received", File: FileWhenRecorded},
}

// Def returns the metric's definition.
func (m Metric) Def() *MetricDef { return &metricDefs[m] }

// String returns the metric's name in results files.
func (m Metric) String() string {
	if m < NumMetrics {
		return metricDefs[m].Name
	}
	return "unknown"
}

// Counts reports whether the metric records counts, not durations.
func (m Metric) Counts() bool { return metricDefs[m].Counts }

// Metrics lists every metric.
func Metrics() []Metric {
	out := make([]Metric, NumMetrics)
	for i := range out {
		out[i] = Metric(i)
	}
	return out
}

// StormMetrics lists the metrics storms keep.
func StormMetrics() []Metric {
	var out []Metric
	for m := range metricDefs {
		if metricDefs[m].Storm {
			out = append(out, Metric(m))
		}
	}
	return out
}

// MetricByName returns the metric of a results file's name.
func MetricByName(name string) (Metric, bool) {
	for m := range metricDefs {
		if metricDefs[m].Name == name {
			return Metric(m), true
		}
	}
	return 0, false
}
