package experiment

import (
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"time"

	"github.com/stormbench/stormbench/internal/fielderr"
	"github.com/stormbench/stormbench/internal/kernel"
	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// Spec is one run as the user asked for it: flags parsed and every value
// the user gave validated as given. Prepare derives the rest.
type Spec struct {
	// Loadgen is the fleet's configuration.
	Loadgen loadgen.Config
	// Server is the embedded server's configuration; nil when Loadgen.URL
	// names the user's own server.
	Server *sut.Config
	// Workers is the number of load-generator processes; zero derives
	// enough to keep each under MaxWorkerSockets.
	Workers int
	// LoopsSet says the user chose Loadgen.Loops (else: 1 per worker
	// process when there are several, GOMAXPROCS otherwise).
	LoopsSet bool
	// ServerWorkers is the embedded server's processes; zero derives
	// enough to keep each under ServerWorkerConns connections.
	ServerWorkers int
	// ServerLoopsSet says the user chose Server.Loops.
	ServerLoopsSet bool
	// ServerPingSet says the user chose Server.PingInterval (else, with
	// the server heartbeat mode, the server pings at the heartbeat interval).
	ServerPingSet bool
	// Control is the control API of the user's server (with Loadgen.URL).
	Control string
	// ControlToken is its token. It never reaches a file or an argv.
	ControlToken string
	// Out is the folder that receives the results folder.
	Out string
	// Dir, when set, is the results folder itself (a sweep's runs), in
	// place of Out/<stamp>-<name>.
	Dir string
	// Name is the suffix of the results folder; empty derives
	// <fault>-<jitter> (or <fault>-<preset>).
	Name string
	// StartAt, with a shard, starts the ramp at this instant and runs every
	// phase on a fixed timetable.
	StartAt time.Time
	// RunID identifies the run that shards belong to; empty derives one.
	RunID string
	// Args is the command line after "stormbench run", for config.json;
	// secrets are redacted before it is written.
	Args []string
	// NoPreflight skips the check that the run fits this machine.
	NoPreflight bool
	// Thresholds are tested against the summary once it is complete;
	// their outcomes are written into summary.json.
	Thresholds []reporter.Threshold
	// MetricsListen, when set, serves the run's live view in the
	// Prometheus text format on this loopback address (/metrics).
	MetricsListen string
	// ServerTLS makes the embedded server serve wss:// with a throwaway
	// self-signed certificate made at start, which the fleet trusts
	// exactly (tls.go).
	ServerTLS bool
	// ServerTicketKeyPerStart makes the embedded server's session ticket
	// key new at every start and restart (sut.TLS.TicketKeyPerStart)
	// instead of one key for the run.
	ServerTicketKeyPerStart bool
	// Status receives the live status line; nil silences it.
	Status io.Writer
	// Stderr receives messages and the children's stderr.
	Stderr io.Writer
	// Exe is the executable child processes run; empty means this one.
	Exe string
}

// ServerWorkerConns is how many connections one embedded server process
// is given at most (the file limit is 20 000 per process; room is left for
// handshakes in flight and connections still closing).
const ServerWorkerConns = 15000

// InputError is a problem with what the user asked for, found before
// anything started (the command exits 2).
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

var runNameRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Plan is a Spec with everything derived, ready to Run.
type Plan struct {
	Spec
	// Machine holds the facts of this host the preflight used.
	Machine loadgen.Machine
	// Kernel holds the kernel's limits (tcp_mem, buffer sizes, backlogs).
	Kernel kernel.Facts
	// TCPMem is the preflight's estimate of the kernel's TCP memory at the
	// run's peak against net.ipv4.tcp_mem.
	TCPMem kernel.Estimate
	// Warnings are what the preflight found worth saying that does not
	// stop the run (TCP memory pressure expected).
	Warnings []string
}

// Embedded reports whether the run starts its own server.
func (p *Plan) Embedded() bool { return p.Server != nil }

// LoadgenWorkers returns how many worker processes keep each under
// MaxWorkerSockets.
func LoadgenWorkers(clients int) int {
	return max(1, (clients+MaxWorkerSockets-1)/MaxWorkerSockets)
}

// ServerWorkers returns how many server processes keep each under
// ServerWorkerConns connections.
func ServerWorkers(conns int) int {
	return max(1, (conns+ServerWorkerConns-1)/ServerWorkerConns)
}

// Prepare derives what s leaves open — worker counts, loops per process,
// the embedded server's ping interval in server heartbeat mode, source
// addresses on loopback, the run's name — and checks that the run fits
// this machine. Its errors are *InputError.
func Prepare(s Spec) (*Plan, error) {
	p := &Plan{Spec: s}
	cfg := &p.Loadgen
	if err := cfg.Validate(); err != nil {
		return nil, &InputError{err}
	}
	if p.Workers < 0 {
		return nil, &InputError{fielderr.New("Workers", "must be ≥ 1 (got %d)", p.Workers)}
	}
	if p.ServerWorkers < 0 {
		return nil, &InputError{fielderr.New("ServerWorkers", "must be ≥ 1 (got %d)", p.ServerWorkers)}
	}
	wss, err := p.prepareTLS()
	if err != nil {
		return nil, err
	}
	if err := p.checkControl(); err != nil {
		return nil, err
	}
	rc := cfg.Resolve()
	perMachine := (rc.Clients + rc.Shard.Count - 1) / rc.Shard.Count
	if p.Workers == 0 {
		p.Workers = LoadgenWorkers(perMachine)
	}
	if p.Workers > 1 && !p.LoopsSet {
		cfg.Loops = 1 // several processes already spread the work over the cores
	}
	*cfg = cfg.Resolve()
	if p.Server != nil {
		srv := *p.Server
		if cfg.Heartbeat.Mode.ServerPings() && !p.ServerPingSet {
			srv.PingInterval = cfg.Heartbeat.Interval
		}
		if p.ServerWorkers == 0 {
			p.ServerWorkers = ServerWorkers(cfg.Clients)
		}
		if p.ServerWorkers > 1 && !p.ServerLoopsSet {
			srv.Loops = 1
		}
		if err := srv.Validate(); err != nil {
			return nil, &InputError{fielderr.Prefix(err, "Server")}
		}
		srv = srv.Resolve()
		srv.ControlToken = NewToken()
		p.Server = &srv
	}
	if p.Name == "" {
		p.Name = string(cfg.Fault.Kind) + "-" + string(cfg.Policy.Jitter)
		if cfg.Policy.Preset != "" {
			p.Name = string(cfg.Fault.Kind) + "-" + string(cfg.Policy.Preset)
		}
		if cfg.Shard.Count > 1 {
			p.Name += fmt.Sprintf("-shard-%d-of-%d", cfg.Shard.Index, cfg.Shard.Count)
		}
	}
	if p.MetricsListen != "" {
		if err := CheckMetricsAddr(p.MetricsListen); err != nil {
			return nil, &InputError{fmt.Errorf("--metrics-listen: %w", err)}
		}
		cfg.Live = true
	}
	if !runNameRE.MatchString(p.Name) {
		return nil, &InputError{fmt.Errorf("--name must be 1–64 letters, digits, '.', '_' or '-' (got %q)", p.Name)}
	}
	p.Machine = loadgen.ReadMachine()
	if len(cfg.SourceIPs) == 0 {
		addr := TargetAddr(cfg.URL)
		if e, err := loadgen.ParseResolve(cfg.Pin); cfg.Pin != "" && err == nil {
			addr = e.Addrs[0]
		}
		cfg.SourceIPs = loadgen.AutoSourceAddrs(addr, perMachine, p.Machine)
	}
	if !p.NoPreflight {
		plan := loadgen.Plan{Clients: perMachine, Workers: p.Workers, SourceAddrs: len(cfg.SourceIPs), TLS: wss}
		if p.Server != nil {
			plan.ServerWorkers, plan.ServerHandshakes = p.ServerWorkers, p.Server.Handshakes
		}
		if err := loadgen.Preflight(plan, p.Machine); err != nil {
			return nil, &InputError{err}
		}
		if err := loadgen.CheckSourceAddrs(cfg.SourceIPs); err != nil {
			return nil, &InputError{err}
		}
	}
	p.Kernel = kernel.ReadFacts()
	p.TCPMem = kernel.EstimateTCPMem(kernel.Load{Sockets: kernel.SocketsFor(int64(perMachine), p.Server != nil),
		BaselinePages: tcpMemInUse(), BufferBytes: loadgen.SocketBuffer}, p.Kernel)
	switch p.TCPMem.Verdict {
	case kernel.VerdictRefuse:
		if !p.NoPreflight {
			return nil, &InputError{fielderr.New("Clients", "%d: %s", perMachine, p.TCPMem)}
		}
		p.Warnings = append(p.Warnings, p.TCPMem.String())
	case kernel.VerdictWarn:
		p.Warnings = append(p.Warnings, p.TCPMem.String())
	}
	if p.Exe == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("find own executable: %w", err)
		}
		p.Exe = exe
	}
	return p, nil
}

// checkControl refuses a --control that is not the base URL of a control
// API, and loads the fleet's TLS files for an https:// one (which trusts
// what the fleet trusts).
func (p *Plan) checkControl() error {
	if p.Control == "" {
		return nil
	}
	u, err := url.Parse(p.Control)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return &InputError{fielderr.New("Control", "must be the control API's base URL, http:// or https://, e.g. http://staging:8081 (got %q)", p.Control)}
	}
	if u.Scheme == "https" {
		if err := p.Loadgen.TLS.Load(); err != nil {
			return &InputError{err}
		}
	}
	return nil
}

// tcpMemInUse is the kernel's TCP memory in use now (pages, host-wide),
// or 0 when it cannot be read.
func tcpMemInUse() int64 {
	sm, err := kernel.NewSampler(kernel.ProcNet)
	if err != nil {
		return 0
	}
	defer sm.Close()
	var cur kernel.Sample
	if sm.Read(&cur) != nil {
		return 0
	}
	v, _ := cur.Get(kernel.TCPMemPages)
	return v
}

// TargetAddr is the server's address when the URL names an IP (the
// embedded server listens on 127.0.0.1, an empty URL), else the zero address.
func TargetAddr(u string) netip.Addr {
	if u == "" {
		return netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	pu, err := url.Parse(u)
	if err != nil {
		return netip.Addr{}
	}
	if a, err := netip.ParseAddr(pu.Hostname()); err == nil {
		return a
	}
	if pu.Hostname() == "localhost" {
		return netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	return netip.Addr{}
}
