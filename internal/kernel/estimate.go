package kernel

import (
	"fmt"
	"math"
	"strings"
)

// Per-socket TCP memory measured on this machine (Linux 6.18, 4 KiB pages)
// with
//
//	go run ./scripts/tcpmem -conns 8000
//
// which holds 8 000 loopback connection pairs and reads "TCP: mem" in each
// state: a socket holds no page when nothing is queued on it (just
// connected, or after a heartbeat and its answer were read and
// acknowledged), and exactly one page as soon as a small message waits
// unread on it (852 B of buffer plus the rest of the page reserved for the
// next one); data sent and not yet acknowledged is charged to the sender
// the same way. SO_RCVBUF/SO_SNDBUF of 4, 16 or 64 KiB do not
// change either figure: they cap how much one socket may queue, and a
// heartbeat is far below every cap.
//
// A fleet's TCP memory is therefore one page per socket that has a message
// in flight, and the share of such sockets depends on how far the harness
// lags. Sampled every 100 ms during stormbench runs here (embedded server,
// ws-ping every 10 s, abort storm; the two cores shared, so the harness was
// saturated, timer lateness p99 0.6–0.9 s):
//
//	clients    hold, loops keeping up  hold, saturated  ramp and storm peaks
//	50 000     0.017                   0.36–0.41        0.79
//	100 000    –                       0.47–0.57        0.74
//	1 000 000  –                       0.32–0.40 (the run that collapsed)
//
// in pages per socket.
const (
	// PagesPerQueuedSocket is the measured memory of a socket with one
	// small message waiting on it; a fleet of small messages cannot need
	// more than this per socket.
	PagesPerQueuedSocket = 1.0
	// DefaultPagesPerSocket is the figure the preflight uses for every
	// socket of a run: a saturated fleet under heartbeats, which is what a
	// run large enough to matter becomes on a small machine, keeps about
	// half of its sockets with a message waiting.
	DefaultPagesPerSocket = 0.5
)

// The tcp_mem the remedy suggests, as multiples of the expected pages:
// pressure above the highest share measured in storms (0.8 page per socket
// when the expected is 0.5), max at one page per socket, the most small
// messages can take. And the most of the machine's memory it will suggest
// giving TCP buffers: the rest is for the harness, the server and the
// kernel's socket structures (~10 KiB per loopback connection).
const (
	suggestPressure = 1.6
	suggestMax      = 2.0
	maxMemShare     = 0.5
)

// SocketsFor returns the TCP sockets a run holds on this machine: two per
// connection when the server is embedded (both ends of a loopback
// connection are here), one when the server runs elsewhere.
func SocketsFor(clients int64, embeddedServer bool) int64 {
	if embeddedServer {
		return 2 * clients
	}
	return clients
}

// Load is what a run will put on the kernel's TCP memory.
type Load struct {
	// Sockets is the TCP sockets the run holds at its peak (SocketsFor).
	Sockets int64
	// PagesPerSocket is the pages one socket holds on average at the peak;
	// 0 means DefaultPagesPerSocket.
	PagesPerSocket float64
	// BaselinePages is the TCP memory already in use ("TCP: mem" now,
	// host-wide), added to the run's.
	BaselinePages int64
	// BufferBytes is the SO_RCVBUF/SO_SNDBUF the harness sets on its
	// sockets, 0 if it leaves them to the kernel. It only changes the
	// advice: either way the per-socket figure stands (see
	// PagesPerQueuedSocket).
	BufferBytes int
}

// Verdict is what the preflight makes of an Estimate.
type Verdict uint8

// Verdicts, from harmless to refusing the run.
const (
	// VerdictUnknown: tcp_mem could not be read; nothing was checked.
	VerdictUnknown Verdict = iota
	// VerdictOK: the expected peak stays below tcp_mem pressure.
	VerdictOK
	// VerdictWarn: the expected peak reaches tcp_mem pressure; the kernel
	// will shrink buffers and the run's figures may show it.
	VerdictWarn
	// VerdictRefuse: the expected peak reaches tcp_mem max; the kernel will
	// drop segments and reset connections, and the storm measured would be
	// the kernel's own.
	VerdictRefuse
)

// String is the verdict's name in summaries.
func (v Verdict) String() string {
	switch v {
	case VerdictOK:
		return "ok"
	case VerdictWarn:
		return "warn"
	case VerdictRefuse:
		return "refuse"
	}
	return "unknown"
}

// Estimate compares a run's expected TCP memory with tcp_mem.
type Estimate struct {
	// Load is the input, with PagesPerSocket resolved.
	Load Load
	// Pages is the expected peak: BaselinePages + Sockets × PagesPerSocket.
	Pages int64
	// Limits is the machine's tcp_mem.
	Limits Fact[MemLimits]
	// PageSize is the size of a page in bytes.
	PageSize int64
	Verdict  Verdict
	// Suggested is a tcp_mem that fits the run (Verdict warn or refuse,
	// and Fits), else zero.
	Suggested MemLimits
	// Fits is false when even the largest tcp_mem this package suggests
	// (half of MemTotal) is too small for the run.
	Fits bool
	// Remedy names what to do when Verdict is warn or refuse; empty
	// otherwise.
	Remedy string
}

// EstimateTCPMem estimates the TCP memory of l and compares it with the
// tcp_mem of f.
func EstimateTCPMem(l Load, f Facts) Estimate {
	if l.PagesPerSocket <= 0 {
		l.PagesPerSocket = DefaultPagesPerSocket
	}
	e := Estimate{
		Load:     l,
		Pages:    l.BaselinePages + ceil(float64(l.Sockets)*l.PagesPerSocket),
		Limits:   f.TCPMem,
		PageSize: f.PageSize,
		Fits:     true,
	}
	cur, ok := f.TCPMem.Get()
	if !ok {
		return e
	}
	e.Verdict = VerdictOK
	switch cur.Level(e.Pages) {
	case AtLimit:
		e.Verdict = VerdictRefuse
	case UnderPressure:
		e.Verdict = VerdictWarn
	default:
		return e
	}
	want := MemLimits{
		Min:      cur.Min,
		Pressure: max(cur.Pressure, roundUp(float64(e.Pages)*suggestPressure)),
		Max:      max(cur.Max, roundUp(float64(e.Pages)*suggestMax)),
	}
	limit := int64(math.MaxInt64)
	if total, ok := f.MemTotal.Get(); ok && f.PageSize > 0 {
		limit = int64(float64(total) * maxMemShare / float64(f.PageSize))
	}
	if want.Max > limit {
		e.Fits = false
		fit := int64(0)
		if room := float64(limit)/suggestMax - float64(l.BaselinePages); room > 0 {
			fit = int64(room / l.PagesPerSocket)
		}
		e.Remedy = fmt.Sprintf("lower --clients: at most about %d TCP sockets (two per client with the embedded server) fit, because tcp_mem should not give socket buffers more than %.0f%% of this machine's memory (%d pages); %s",
			fit, maxMemShare*100, limit, e.buffersNote())
		return e
	}
	e.Suggested = want
	e.Remedy = fmt.Sprintf(`raise the kernel's TCP memory limits (host-wide; as root, in the host's network namespace): sysctl -w net.ipv4.tcp_mem="%v" (pressure at %s, max %s); %s`,
		want, e.bytes(want.Pressure), e.bytes(want.Max), e.buffersNote())
	return e
}

// buffersNote says why smaller socket buffers are not the remedy.
func (e Estimate) buffersNote() string {
	if e.Load.BufferBytes > 0 {
		return fmt.Sprintf("stormbench already sets SO_RCVBUF/SO_SNDBUF of %d B on its own sockets, and smaller buffers would not help: a socket with even one small message waiting holds a whole page", e.Load.BufferBytes)
	}
	return "smaller SO_RCVBUF/SO_SNDBUF would not help: a socket with even one small message waiting holds a whole page"
}

// String describes the estimate in one paragraph, remedy included.
func (e Estimate) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kernel TCP memory: %d sockets × %.2f pages", e.Load.Sockets, e.Load.PagesPerSocket)
	if e.Load.BaselinePages > 0 {
		fmt.Fprintf(&b, " + %d pages in use", e.Load.BaselinePages)
	}
	fmt.Fprintf(&b, " = %d pages (%s) expected at the peak", e.Pages, e.bytes(e.Pages))
	lim, ok := e.Limits.Get()
	if !ok {
		fmt.Fprintf(&b, "; net.ipv4.tcp_mem is unknown (%v), not checked", e.Limits.Error())
		return b.String()
	}
	fmt.Fprintf(&b, "; net.ipv4.tcp_mem is %q (pressure %s, max %s)", lim.String(), e.bytes(lim.Pressure), e.bytes(lim.Max))
	switch e.Verdict {
	case VerdictOK:
		b.WriteString(": fits")
	case VerdictWarn:
		b.WriteString(": the kernel will enter TCP memory pressure and shrink socket buffers")
	case VerdictRefuse:
		b.WriteString(": over the max, the kernel will drop segments and reset connections, and the reconnects measured would be its own")
	}
	if e.Remedy != "" {
		b.WriteString("; ")
		b.WriteString(e.Remedy)
	}
	return b.String()
}

// bytes formats pages as GiB or MiB.
func (e Estimate) bytes(pages int64) string {
	n := float64(pages) * float64(max(e.PageSize, 1))
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", n/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", n/(1<<20))
	}
	return fmt.Sprintf("%.0f KiB", n/(1<<10))
}

func ceil(x float64) int64 { return int64(math.Ceil(x)) }

// roundUp rounds a suggested page count up to a multiple of 1 000, which
// reads better in a command and changes nothing that matters.
func roundUp(x float64) int64 { return (ceil(x) + 999) / 1000 * 1000 }
