package loadgen

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Preset names a client library whose reconnect delays a policy
// reproduces (--policy). What each preset is — its library, its formula
// and source, its constants, its delays — is its row of presets.
type Preset string

// Preset names accepted by --policy.
const (
	// PresetSocketIO is socket.io-client v4 (Manager with backo2).
	PresetSocketIO Preset = "socketio"
	// PresetReconnectingWebSocket is reconnecting-websocket 4.4 (pladaria),
	// whose logic partysocket (Cloudflare PartyKit) shares.
	PresetReconnectingWebSocket Preset = "reconnecting-websocket"
	// PresetPhoenix is the Phoenix JS client's stepped table.
	PresetPhoenix Preset = "phoenix"
	// PresetSignalR is @microsoft/signalr's withAutomaticReconnect() default.
	PresetSignalR Preset = "signalr"
	// PresetCentrifuge is centrifuge-js 5 (full jitter with a floor).
	PresetCentrifuge Preset = "centrifuge"
	// PresetGRPC is gRPC's connection backoff.
	PresetGRPC Preset = "grpc"
	// PresetCenkalti is the Go library cenkalti/backoff v4's ExponentialBackOff defaults.
	PresetCenkalti Preset = "cenkalti"
)

// presetSpec is what a preset is. Its functions take no closure state, so
// that Next, which calls them for every failed attempt, never allocates.
type presetSpec struct {
	name Preset
	// library is the library and version reproduced; formula begins with it.
	library string
	// formula is the formula with its source (the library's file), recorded
	// in config.json.
	formula string
	// record fills a policy's generic fields with the preset's documented
	// values, for the record (Resolve); Next ignores them.
	record func(p *Policy)
	// connectTimeout is the library's own per-attempt timeout; zero when it
	// has none and the engine's --connect-timeout applies.
	connectTimeout time.Duration
	// resetAfter is how long a connection must stay open for the retry
	// index to reset; zero resets it when a connection opens.
	resetAfter time.Duration
	// drawsOnce: the library draws its base delay once per process
	// (Policy.RunDraw, set by the engine from the seed), or with RunDraw < 0
	// once per client, and the draw outlives resets.
	drawsOnce bool
	// next returns the delay of retry st.n after a failed attempt that
	// started sinceAttemptStart ago, or after a lost connection (afterLoss);
	// ok false gives up; advance false leaves the retry index where it is
	// (an attempt without a wait). MaxRetries is Next's.
	next func(p *Policy, st *BackoffState, rng *rand.PCG, sinceAttemptStart time.Duration, afterLoss bool) (delay time.Duration, ok, advance bool)
	// mean is the mean delay of retry n (MeanDelay).
	mean func(p *Policy, n int32, prev time.Duration) time.Duration
}

// presets is the table, sorted by name: the client libraries below and
// those of the frameworks and the AWS study (policy_framework.go).
var presets = sortedPresets(append([]presetSpec{
	{
		name: PresetCenkalti, library: "cenkalti/backoff v4", formula: formulaCenkalti,
		record: func(p *Policy) {
			p.Base, p.Max, p.Multiplier = 500*time.Millisecond, 60*time.Second, 1.5
			p.Jitter, p.JitterFactor = JitterProportional, 0.5
		},
		next: func(_ *Policy, st *BackoffState, rng *rand.PCG, since time.Duration, _ bool) (time.Duration, bool, bool) {
			st.elapsed += since
			next := cenkaltiDelay(st.n, unit(rng))
			if st.elapsed+next > cenkaltiMaxElapsed {
				return 0, false, false
			}
			st.elapsed += next
			return next, true, true
		},
		mean: func(_ *Policy, n int32, _ time.Duration) time.Duration {
			return integrate(func(r float64) time.Duration { return cenkaltiDelay(n, r) })
		},
	},
	{
		name: PresetCentrifuge, library: "centrifuge-js 5", formula: formulaCentrifuge, connectTimeout: 5 * time.Second,
		record: func(p *Policy) {
			p.Base, p.Max, p.Multiplier, p.Jitter = 500*time.Millisecond, 20*time.Second, 2, JitterFull
		},
		next: func(_ *Policy, st *BackoffState, rng *rand.PCG, _ time.Duration, _ bool) (time.Duration, bool, bool) {
			return centrifugeDelay(st.n, unit(rng)), true, true
		},
		mean: func(_ *Policy, n int32, _ time.Duration) time.Duration {
			return integrate(func(r float64) time.Duration { return centrifugeDelay(n, r) })
		},
	},
	{
		name: PresetGRPC, library: "gRPC connection backoff", formula: formulaGRPC, connectTimeout: 20 * time.Second,
		record: func(p *Policy) {
			p.Base, p.Max, p.Multiplier = time.Second, 120*time.Second, 1.6
			p.Jitter, p.JitterFactor = JitterProportional, 0.2
		},
		next: func(_ *Policy, st *BackoffState, rng *rand.PCG, since time.Duration, afterLoss bool) (time.Duration, bool, bool) {
			if afterLoss {
				// gRPC's loop starts with an attempt, not a sleep: a lost
				// connection (its backoff reset when it opened) is retried at
				// once, and the first wait follows the first failed attempt.
				return 0, true, false
			}
			return max(grpcDeadline(st.n, unit(rng))-since, 0), true, true
		},
		mean: func(_ *Policy, n int32, _ time.Duration) time.Duration {
			return integrate(func(r float64) time.Duration { return grpcDeadline(n, r) })
		},
	},
	{
		name: PresetPhoenix, library: "Phoenix JS client", formula: formulaPhoenix,
		record: func(p *Policy) {
			// A table: Multiplier 0 records that no multiplier applies.
			p.Base, p.Max, p.Multiplier, p.Jitter = 10*time.Millisecond, 5*time.Second, 0, JitterNone
		},
		next: func(_ *Policy, st *BackoffState, _ *rand.PCG, _ time.Duration, _ bool) (time.Duration, bool, bool) {
			return phoenixDelay(st.n), true, true
		},
		mean: func(_ *Policy, n int32, _ time.Duration) time.Duration { return phoenixDelay(n) },
	},
	{
		name: PresetReconnectingWebSocket, library: "reconnecting-websocket 4.4 / partysocket", formula: formulaRWS,
		connectTimeout: 4 * time.Second, resetAfter: rwsMinUptime, drawsOnce: true,
		record: func(p *Policy) {
			p.Base, p.Max, p.Multiplier, p.Jitter = time.Second, 10*time.Second, 1.3, JitterNone
			if p.RunDraw >= 0 {
				p.Base = time.Duration(rwsMinRD(p.RunDraw) * float64(time.Millisecond))
			} else {
				p.Formula = formulaRWSPerClient
			}
		},
		next: func(p *Policy, st *BackoffState, rng *rand.PCG, _ time.Duration, _ bool) (time.Duration, bool, bool) {
			return rwsDelay(st.n, p.rwsMinDelay(st, rng)), true, true
		},
		mean: func(p *Policy, n int32, _ time.Duration) time.Duration {
			if p.RunDraw >= 0 {
				return rwsDelay(n, rwsMinRD(p.RunDraw))
			}
			return integrate(func(r float64) time.Duration { return rwsDelay(n, rwsMinRD(r)) })
		},
	},
	{
		name: PresetSignalR, library: "@microsoft/signalr", formula: formulaSignalR,
		record: func(p *Policy) {
			p.Base, p.Max, p.Multiplier, p.Jitter = 0, 30*time.Second, 0, JitterNone
			if p.MaxRetries <= 0 || p.MaxRetries > signalRRetries {
				p.MaxRetries = signalRRetries
			}
		},
		next: func(_ *Policy, st *BackoffState, _ *rand.PCG, _ time.Duration, _ bool) (time.Duration, bool, bool) {
			d, ok := signalRDelay(st.n)
			return d, ok, true
		},
		mean: func(_ *Policy, n int32, _ time.Duration) time.Duration {
			d, _ := signalRDelay(n)
			return d
		},
	},
	{
		name: PresetSocketIO, library: "socket.io-client v4", formula: formulaSocketIO, connectTimeout: 20 * time.Second,
		record: func(p *Policy) {
			p.Base, p.Max, p.Multiplier = time.Second, 5*time.Second, 2
			p.Jitter, p.JitterFactor = JitterProportional, 0.5
		},
		next: func(_ *Policy, st *BackoffState, rng *rand.PCG, _ time.Duration, _ bool) (time.Duration, bool, bool) {
			return socketIODelay(st.n, unit(rng)), true, true
		},
		mean: func(_ *Policy, n int32, _ time.Duration) time.Duration {
			return integrate(func(r float64) time.Duration { return socketIODelay(n, r) })
		},
	},
}, frameworkPresets...))

// sortedPresets sorts the rows by name.
func sortedPresets(rows []presetSpec) []presetSpec {
	slices.SortFunc(rows, func(a, b presetSpec) int { return strings.Compare(string(a.name), string(b.name)) })
	return rows
}

// Presets returns the preset names, sorted. It returns a new slice each time
// so that no caller can change another's view.
func Presets() []Preset {
	out := make([]Preset, len(presets))
	for i := range presets {
		out[i] = presets[i].name
	}
	return out
}

// spec returns the preset's row of the table, nil for "" (the generic
// policy) and for an unknown name (Validate refuses it).
func (name Preset) spec() *presetSpec {
	for i := range presets {
		if presets[i].name == name {
			return &presets[i]
		}
	}
	return nil
}

// Library returns the client library and version the preset reproduces
// (its formula, recorded by Resolve, begins with it), or "" for the
// generic policy and an unknown name.
func (name Preset) Library() string {
	if s := name.spec(); s != nil {
		return s.library
	}
	return ""
}

// presetList returns the preset names for error messages.
func presetList() string {
	s := make([]string, len(presets))
	for i := range presets {
		s[i] = string(presets[i].name)
	}
	return strings.Join(s, ", ")
}

// Constants of the presets that Next and Disconnected need.
const (
	// rwsMinUptime: reconnecting-websocket resets its retry count only
	// when a connection stayed open this long (minUptime 5000).
	rwsMinUptime = 5 * time.Second
	// cenkaltiMaxElapsed: cenkalti's NextBackOff returns Stop once the
	// time since Reset plus the next delay would exceed MaxElapsedTime.
	cenkaltiMaxElapsed = 15 * time.Minute
	// signalRRetries: the length of SignalR's default delay table.
	signalRRetries = 4
)

// Formulas recorded by Resolve (config.json), with their sources.
const (
	formulaSocketIO = "socket.io-client v4 Manager + backo2 (socketio/socket.io packages/socket.io-client/lib/contrib/backo2.ts, lib/manager.ts): " +
		"ms = 1000·2ⁿ; r = U(0,1); dev = floor(r·0.5·ms); ms−dev if floor(10r) is even else ms+dev (one r picks size and sign); " +
		"delay = min(ms, 5000) whole ms (cap after jitter); attempts reset on open and on close; attempt timeout 20000"
	formulaRWS = "reconnecting-websocket 4.4 / partysocket (pladaria/reconnecting-websocket reconnecting-websocket.ts _getNextDelay; " +
		"cloudflare/partykit packages/partysocket/src/ws.ts): delay = min(minRD·1.3ⁿ, 10000) whole ms for retry n ≥ 0 " +
		"(the library's retryCount n+1; its delay 0 is for the initial connect only); minRD = 1000 + random()·4000 drawn once per process " +
		"(run_draw, recorded in base); the retry count resets only after a connection stayed open minUptime 5000; connectionTimeout 4000"
	formulaRWSPerClient = "reconnecting-websocket 4.4 / partysocket (pladaria/reconnecting-websocket reconnecting-websocket.ts _getNextDelay; " +
		"cloudflare/partykit packages/partysocket/src/ws.ts): delay = min(minRD·1.3ⁿ, 10000) whole ms for retry n ≥ 0; " +
		"minRD = 1000 + random()·4000 drawn once per client (a fleet of separate pages); " +
		"the retry count resets only after a connection stayed open minUptime 5000; connectionTimeout 4000"
	formulaPhoenix = "Phoenix JS client (phoenixframework/phoenix assets/js/phoenix/socket.js reconnectAfterMs): " +
		"[10, 50, 100, 150, 200, 250, 500, 1000, 2000][n] else 5000 ms, no jitter, tries reset on open"
	formulaSignalR = "@microsoft/signalr withAutomaticReconnect() (dotnet/aspnetcore src/SignalR/clients/ts/signalr/src/DefaultReconnectPolicy.ts): " +
		"[0, 2000, 10000, 30000][n] ms, no jitter, then give up; count restarts with each lost connection"
	formulaCentrifuge = "centrifuge-js 5 (centrifugal/centrifuge-js src/utils.ts backoff, src/centrifuge.ts): " +
		"min(20000, 500 + randInt(0, min(20000, 500·2^min(n, 31)))) ms, randInt inclusive; attempts reset on connect; connect timeout 5000"
	formulaGRPC = "gRPC connection backoff (grpc/grpc doc/connection-backoff.md): first wait 1s without jitter, then " +
		"b = min(1s·1.6ⁿ, 120s) and b·(1 + U(−0.2, +0.2)); each wait ends that long after the failed attempt started; " +
		"backoff resets when a connection opens and a lost connection is retried at once; MIN_CONNECT_TIMEOUT 20s"
	formulaCenkalti = "cenkalti/backoff v4 ExponentialBackOff defaults (cenkalti/backoff exponential.go): cur = min(500ms·1.5ⁿ, 60s); " +
		"delay = cur − 0.5·cur + U(0,1)·(cur + 1ns); give up when elapsed + delay > MaxElapsedTime 15m (elapsed counts waits and attempts since reset); reset on connect"
)

// resolvePreset fills p's generic fields with the preset's documented
// values, for the record; Next ignores them for presets.
func (p Policy) resolvePreset() Policy {
	p.JitterFactor = 0
	s := p.Preset.spec()
	if s == nil {
		// Unknown: Validate reports it; leave the record as given.
		p.ResetAfter = 0
		p.Formula = ""
		return p
	}
	p.ResetAfter = s.resetAfter
	p.Formula = s.formula
	s.record(&p)
	return p
}

// socketIODelay is socket.io-client v4's backo2 duration() with the Manager's
// defaults (reconnectionDelay 1000, reconnectionDelayMax 5000,
// randomizationFactor 0.5, factor 2):
//
//	ms = 1000 · 2^attempts
//	dev = floor(r · 0.5 · ms)
//	ms = floor(r·10) & 1 == 0 ? ms − dev : ms + dev   // one r: size and sign
//	delay = min(ms, 5000) | 0                          // cap after jitter
//
// From n = 4 on even ms − dev ≥ 8000, so every delay is exactly 5000: the
// jitter vanishes at the cap. The exponent is clamped at 64, which changes
// nothing for that reason and keeps ms finite (backo2 itself turns into NaN,
// hence 0, once 2ⁿ overflows a double).
func socketIODelay(n int32, r float64) time.Duration {
	ms := 1000 * math.Pow(2, float64(min(n, 64)))
	dev := math.Floor(r * 0.5 * ms)
	if int(r*10)&1 == 0 {
		ms -= dev
	} else {
		ms += dev
	}
	return time.Duration(min(ms, 5000)) * time.Millisecond
}

// rwsMinRD returns reconnecting-websocket's minReconnectionDelay in ms for
// a draw r in [0, 1): 1000 + random()·4000.
func rwsMinRD(r float64) float64 {
	return 1000 + r*4000
}

// rwsMinDelay returns the minReconnectionDelay (ms) that applies to st: the
// run's shared draw, or, with RunDraw < 0, the client's own, drawn at its
// first retry and kept for the client's lifetime like a page's module state.
func (p *Policy) rwsMinDelay(st *BackoffState, rng *rand.PCG) float64 {
	if p.RunDraw >= 0 {
		return rwsMinRD(p.RunDraw)
	}
	if st.prev == 0 {
		st.prev = time.Duration(rwsMinRD(unit(rng)) * float64(time.Millisecond))
	}
	return float64(st.prev) / float64(time.Millisecond)
}

// rwsDelay is reconnecting-websocket 4.4's _getNextDelay for the library's
// retryCount = n+1 (retryCount 0, delay 0, is only ever the initial connect:
// a close increments it from at least 0 to at least 1):
//
//	delay = min(minRD · 1.3^(retryCount−1), 10000)
//
// setTimeout takes whole milliseconds (WebIDL long), hence the truncation.
func rwsDelay(n int32, minRD float64) time.Duration {
	d := minRD * math.Pow(1.3, float64(n))
	if !(d < 10000) {
		d = 10000
	}
	return time.Duration(d) * time.Millisecond
}

// phoenixDelay is Phoenix's reconnectAfterMs(tries) with tries = n+1:
// [10, 50, 100, 150, 200, 250, 500, 1000, 2000][tries−1] || 5000, no jitter.
func phoenixDelay(n int32) time.Duration {
	table := [...]time.Duration{10, 50, 100, 150, 200, 250, 500, 1000, 2000}
	if n >= 0 && int(n) < len(table) {
		return table[n] * time.Millisecond
	}
	return 5000 * time.Millisecond
}

// signalRDelay is SignalR's DefaultReconnectPolicy: retryDelays[previous
// retry count] of [0, 2000, 10000, 30000], and null (give up) after them.
func signalRDelay(n int32) (time.Duration, bool) {
	table := [signalRRetries]time.Duration{0, 2000, 10000, 30000}
	if n >= 0 && int(n) < len(table) {
		return table[n] * time.Millisecond, true
	}
	return 0, false
}

// centrifugeDelay is centrifuge-js 5's backoff(step, 500, 20000):
//
//	step = min(attempts, 31)
//	interval = randInt(0, min(max, min · 2^step))  // floor(random·(hi+1)), inclusive
//	delay = min(max, min + interval)
//
// that is full jitter with a floor of 500 ms.
func centrifugeDelay(n int32, r float64) time.Duration {
	step := min(n, 31)
	hi := min(20000, 500*math.Pow(2, float64(step)))
	interval := math.Floor(r * (hi + 1))
	return time.Duration(min(20000, 500+interval)) * time.Millisecond
}

// grpcDeadline is the time from the start of failed attempt n to the next
// attempt, per gRPC's connection-backoff.md: INITIAL_BACKOFF 1s for the
// first (no jitter), then backoff = min(backoff·1.6, 120s) and a wait of
// backoff + U(−0.2·backoff, +0.2·backoff), which can exceed 120s by 20 %.
func grpcDeadline(n int32, r float64) time.Duration {
	if n <= 0 {
		return time.Second
	}
	b := min(float64(time.Second)*math.Pow(1.6, float64(n)), float64(120*time.Second))
	return time.Duration(b * (1 + 0.2*(2*r-1)))
}

// cenkaltiDelay is cenkalti/backoff v4's getRandomValueFromInterval with the
// defaults: cur = min(500ms·1.5ⁿ, 60s) (MaxInterval caps cur before the
// randomisation) and cur·(1 ± 0.5) drawn as lo + r·(hi − lo + 1) ns.
func cenkaltiDelay(n int32, r float64) time.Duration {
	cur := time.Duration(min(float64(500*time.Millisecond)*math.Pow(1.5, float64(n)), float64(60*time.Second)))
	delta := 0.5 * float64(cur)
	lo, hi := float64(cur)-delta, float64(cur)+delta
	return time.Duration(lo + r*(hi-lo+1))
}

// integrate returns ∫₀¹ f(r) dr by the midpoint rule on 2¹⁶ points. The
// preset formulas are step functions of r (floors, a sign flip per tenth),
// for which this is exact to well under a millisecond.
func integrate(f func(r float64) time.Duration) time.Duration {
	const k = 1 << 16
	sum := 0.0
	for i := range k {
		sum += float64(f((float64(i) + 0.5) / k))
	}
	return time.Duration(sum / k)
}
