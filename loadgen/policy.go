package loadgen

import (
	"errors"
	"math"
	"math/rand/v2"
	"time"

	"github.com/stormbench/stormbench/internal/fielderr"
)

// Jitter names a jitter mode of the generic reconnect policy: "none", "full",
// "equal" or "decorrelated", the modes of the AWS Architecture Blog's
// "Exponential Backoff And Jitter" study (docs/policies.md).
type Jitter string

// Jitter modes accepted by --jitter. JitterProportional is not accepted there:
// Resolve writes it into the record of presets whose delay is v·(1 ± f), so
// that config.json says what ran.
const (
	// JitterNone waits min(max, base·multⁿ).
	JitterNone Jitter = "none"
	// JitterFull waits U(0, min(max, base·multⁿ)).
	JitterFull Jitter = "full"
	// JitterEqual waits v/2 + U(0, v/2) with v = min(max, base·multⁿ).
	JitterEqual Jitter = "equal"
	// JitterDecorrelated waits min(max, U(base, 3·prev)), prev starting at base.
	JitterDecorrelated Jitter = "decorrelated"
	// JitterProportional records a preset's v·(1 ± JitterFactor) jitter
	// (socket.io, gRPC, cenkalti); it is not a generic mode.
	JitterProportional Jitter = "proportional"
)

// Defaults of the generic policy; a zero field of Policy means its default.
const (
	// DefaultBackoffBase is the first delay when --backoff-base is not given.
	DefaultBackoffBase = time.Second
	// DefaultBackoffMax is the cap when --backoff-max is not given.
	DefaultBackoffMax = 30 * time.Second
	// DefaultBackoffMultiplier is the growth when --backoff-multiplier is not given.
	DefaultBackoffMultiplier = 2.0
	// DefaultJitter is full jitter, which the AWS study found does the least work.
	DefaultJitter = JitterFull
)

// Policy is a reconnect policy. Its zero value is usable: a zero field means
// its default. It is JSON-serialisable so that config.json records what ran;
// durations are encoded as nanoseconds (time.Duration).
type Policy struct {
	// Preset is "" for the generic policy, or a name from Presets. With a
	// preset, the preset's own formula runs and Base, Max, Multiplier,
	// Jitter and ResetAfter are ignored (Resolve overwrites them with the
	// preset's documented values for the record). MaxRetries still applies
	// on top of the preset's own give-up rule, if any.
	Preset Preset `json:"preset,omitempty"`
	// Base is the first delay of the exponential (--backoff-base); zero means 1s.
	Base time.Duration `json:"base"`
	// Max caps every delay (--backoff-max); zero means 30s.
	Max time.Duration `json:"max"`
	// Multiplier is the growth per retry (--backoff-multiplier); zero means 2.
	Multiplier float64 `json:"multiplier"`
	// Jitter is the jitter mode (--jitter); "" means full.
	Jitter Jitter `json:"jitter"`
	// JitterFactor is set by Resolve for presets with proportional jitter
	// (socket.io 0.5, gRPC 0.2, cenkalti 0.5); it is only a record and is
	// ignored otherwise.
	JitterFactor float64 `json:"jitter_factor,omitempty"`
	// MaxRetries gives up after that many consecutive retries without a
	// reset (--max-retries); 0 retries forever.
	MaxRetries int `json:"max_retries"`
	// ResetAfter is how long a connection must stay open for the retry
	// index to reset to 0 (--reset-after); zero resets on every successful
	// connect, as most client libraries do.
	ResetAfter time.Duration `json:"reset_after"`
	// RunDraw is the per-run random draw in [0, 1) of presets that draw once
	// per process: reconnecting-websocket computes minReconnectionDelay =
	// 1000 + random()·4000 ms when its module loads, so every socket of one
	// process shares it. The engine sets it from the run's seed (before
	// Resolve, which records the resulting delay in Base). A negative value
	// makes every client draw its own from its RNG instead, modelling a
	// fleet of separate browser pages rather than one process.
	RunDraw float64 `json:"run_draw,omitempty"`
	// Formula is set by Resolve: the formula that ran, and for a preset its
	// source, so that config.json is self-explanatory. It is only a record.
	Formula string `json:"formula,omitempty"`
}

// Resolve returns p with every default filled in (and, for a preset, the
// preset's documented constants), so that config.json records what ran.
// Resolve is idempotent.
func (p Policy) Resolve() Policy {
	if p.Preset != "" {
		return p.resolvePreset()
	}
	p.Base, p.Max, p.Multiplier, p.Jitter = p.params()
	p.JitterFactor = 0
	p.Formula = genericFormula(p.Jitter)
	return p
}

// genericFormula returns the formula of a generic jitter mode for the record.
func genericFormula(j Jitter) string {
	switch j {
	case JitterNone:
		return "min(max, base·multⁿ)"
	case JitterEqual:
		return "v = min(max, base·multⁿ); v/2 + U(0, v/2)"
	case JitterDecorrelated:
		return "min(max, U(base, 3·prev)), prev starts at base"
	default:
		return "U(0, min(max, base·multⁿ))"
	}
}

// params returns the generic parameters with defaults applied; Next uses it
// so that an unresolved zero Policy behaves like its resolved self.
func (p *Policy) params() (base, maxd time.Duration, mult float64, jit Jitter) {
	base, maxd, mult, jit = p.Base, p.Max, p.Multiplier, p.Jitter
	if base == 0 {
		base = DefaultBackoffBase
	}
	if maxd == 0 {
		maxd = DefaultBackoffMax
	}
	if mult == 0 {
		mult = DefaultBackoffMultiplier
	}
	if jit == "" {
		jit = DefaultJitter
	}
	return base, maxd, mult, jit
}

// Validate reports every invalid setting of p as *FieldError values
// (fields of Policy) joined together.
func (p Policy) Validate() error {
	var errs []error
	bad := func(field, format string, a ...any) { errs = append(errs, fielderr.New(field, format, a...)) }
	if p.MaxRetries < 0 {
		bad("MaxRetries", "must be ≥ 0 (got %d)", p.MaxRetries)
	}
	if p.RunDraw >= 1 || math.IsNaN(p.RunDraw) {
		bad("RunDraw", "must be in [0, 1), or negative for a draw per client (got %v)", p.RunDraw)
	}
	if p.Preset != "" {
		if p.Preset.spec() == nil {
			bad("Preset", "must be one of %s (got %q)", presetList(), p.Preset)
		}
		// Base, Max, Multiplier, Jitter and ResetAfter are the preset's own.
		return errors.Join(errs...)
	}
	if p.ResetAfter < 0 {
		bad("ResetAfter", "must be ≥ 0 (got %v)", p.ResetAfter)
	}
	if p.Base < 0 {
		bad("Base", "must be > 0 (got %v)", p.Base)
	}
	if p.Max < 0 {
		bad("Max", "must be > 0 (got %v)", p.Max)
	}
	if m := p.Multiplier; m != 0 && !(m >= 1 && !math.IsInf(m, 1)) {
		bad("Multiplier", "must be ≥ 1 and finite (got %v)", m)
	}
	switch p.Jitter {
	case "", JitterNone, JitterFull, JitterEqual, JitterDecorrelated:
	default:
		bad("Jitter", "must be one of none, full, equal, decorrelated (got %q)", string(p.Jitter))
	}
	if base, maxd, _, _ := p.params(); p.Base >= 0 && p.Max >= 0 && maxd < base {
		bad("Max", "must be ≥ {Base} (got max %v, base %v)", maxd, base)
	}
	return errors.Join(errs...)
}

// BackoffState is one client's reconnect state. It lives inside each client,
// so it is four words and Next never allocates. Its zero value is a client
// that has not failed yet.
type BackoffState struct {
	// n is the retry index of the formula (0 for the first retry); it
	// saturates instead of wrapping.
	n int32
	// tries counts the delays granted since the last reset, for MaxRetries.
	// It differs from n where a preset makes an attempt without advancing
	// its formula (gRPC's immediate reconnect after a lost connection).
	tries int32
	// prev is the previous delay for decorrelated jitter (0 means base), or
	// the client's own minReconnectionDelay for reconnecting-websocket with
	// a draw per client.
	prev time.Duration
	// elapsed is the time since the last reset (cenkalti's MaxElapsedTime).
	elapsed time.Duration
	// lost is set by Disconnected: the next Next follows a lost connection,
	// not a failed attempt.
	lost bool
}

// Next returns the delay before the next attempt after a failed attempt or a
// lost connection, and false when the client must give up (MaxRetries, or a
// preset's own limit, reached). rng is the client's own generator (seeded
// from the run's seed and the client ID by the engine). sinceAttemptStart is
// the time since the failed attempt started; gRPC measures its deadline from
// the attempt's start, cenkalti counts it as elapsed time, the others ignore
// it. After a lost connection pass 0 (no attempt failed). Next does not
// allocate.
func (p *Policy) Next(st *BackoffState, rng *rand.PCG, sinceAttemptStart time.Duration) (delay time.Duration, ok bool) {
	if p.MaxRetries > 0 && int(st.tries) >= p.MaxRetries {
		return 0, false
	}
	afterLoss := st.lost
	st.lost = false
	advance := true
	if s := p.Preset.spec(); s != nil {
		if delay, ok, advance = s.next(p, st, rng, sinceAttemptStart, afterLoss); !ok {
			return 0, false
		}
	} else {
		// "" and, should Validate have been skipped, unknown presets.
		delay = p.nextGeneric(st, rng)
	}
	if advance {
		st.n = satInc(st.n)
	}
	st.tries = satInc(st.tries)
	return delay, true
}

// nextGeneric draws a delay of the generic policy for retry index st.n.
func (p *Policy) nextGeneric(st *BackoffState, rng *rand.PCG) time.Duration {
	base, maxd, mult, jit := p.params()
	switch jit {
	case JitterNone:
		return durCap(expo(base, maxd, mult, st.n), maxd)
	case JitterEqual:
		v := expo(base, maxd, mult, st.n)
		return durCap(v/2+unit(rng)*v/2, maxd)
	case JitterDecorrelated:
		prev := st.prev
		if prev <= 0 {
			prev = base
		}
		lo, hi := float64(base), 3*float64(prev)
		st.prev = durCap(lo+unit(rng)*(hi-lo), maxd)
		return st.prev
	default:
		return durCap(unit(rng)*expo(base, maxd, mult, st.n), maxd)
	}
}

// Connected tells the state that a connection opened. With ResetAfter 0 (and
// for every preset that resets on open) the retry index resets here.
func (p *Policy) Connected(st *BackoffState) {
	if p.resetsOnOpen() {
		p.reset(st)
	}
}

// Disconnected tells the state that a connection closed after being open for
// openFor. The retry index resets when openFor ≥ ResetAfter (ResetAfter > 0),
// or by the preset's own rule (reconnecting-websocket: minUptime 5s); the
// next Next is then the first retry after a lost connection.
func (p *Policy) Disconnected(st *BackoffState, openFor time.Duration) {
	if !p.resetsOnOpen() && openFor >= p.resetAfter() {
		p.reset(st)
	}
	st.lost = true
}

// resetsOnOpen reports whether the retry index resets when a connection
// opens rather than when a long enough one closes.
func (p *Policy) resetsOnOpen() bool {
	return p.resetAfter() == 0
}

// resetAfter returns the uptime after which the retry index resets (0: on open).
func (p *Policy) resetAfter() time.Duration {
	if p.Preset == "" {
		return max(p.ResetAfter, 0)
	}
	if s := p.Preset.spec(); s != nil {
		return s.resetAfter
	}
	return 0
}

// reset returns the state to "no failure yet", keeping what must outlive a
// reset (a client's own reconnecting-websocket draw is drawn once per page).
func (p *Policy) reset(st *BackoffState) {
	keep := time.Duration(0)
	if s := p.Preset.spec(); s != nil && s.drawsOnce {
		keep = st.prev
	}
	*st = BackoffState{prev: keep}
}

// MeanDelay returns the analytic mean delay of retry n (0 for the first
// retry). For decorrelated jitter the delay depends on the previous delay,
// not on n, so the mean of a single retry exists only given prev (≤ 0 means
// base, the first retry): it is E[min(max, U(base, 3·prev))]. For presets it
// is the mean of the preset's formula at retry n, integrated numerically
// where the formula is not linear in its random draw; it ignores give-up
// rules (signalr returns 0 past its table) and gRPC's attempt-relative
// deadline.
func (p Policy) MeanDelay(n int, prev time.Duration) time.Duration {
	i := int32(min(max(n, 0), math.MaxInt32))
	if s := p.Preset.spec(); s != nil {
		return s.mean(&p, i, prev)
	}
	return p.meanGeneric(i, prev)
}

// meanGeneric is the mean delay of retry i of the generic policy.
func (p Policy) meanGeneric(i int32, prev time.Duration) time.Duration {
	base, maxd, mult, jit := p.params()
	switch jit {
	case JitterNone:
		return durCap(expo(base, maxd, mult, i), maxd)
	case JitterEqual:
		return durCap(0.75*expo(base, maxd, mult, i), maxd)
	case JitterDecorrelated:
		if prev <= 0 {
			prev = base
		}
		a, b, c := float64(base), 3*float64(prev), float64(maxd)
		switch {
		case c <= a:
			return maxd
		case b <= c:
			return durCap((a+b)/2, maxd)
		default:
			// U(a, b) capped at c: ∫a..c x dx + c·(b−c), over b−a.
			return durCap(((c*c-a*a)/2+c*(b-c))/(b-a), maxd)
		}
	default:
		return durCap(0.5*expo(base, maxd, mult, i), maxd)
	}
}

// ConnectTimeout returns the preset's own per-attempt timeout (socket.io
// 20s, reconnecting-websocket 4s, centrifuge 5s, gRPC's MIN_CONNECT_TIMEOUT
// 20s), or 0 when the policy has none and the engine's own flag applies.
func (p Policy) ConnectTimeout() time.Duration {
	if s := p.Preset.spec(); s != nil {
		return s.connectTimeout
	}
	return 0
}

// expo returns min(max, base·multⁿ) in nanoseconds as a float64. The product
// is formed in floating point and capped before any conversion, and n is a
// saturated int32, so large n cannot overflow: the power becomes +Inf at
// worst and the cap wins.
func expo(base, maxd time.Duration, mult float64, n int32) float64 {
	v := float64(base)
	if n > 0 && mult != 1 {
		v *= math.Pow(mult, float64(n))
	}
	if !(v < float64(maxd)) { // also catches +Inf and NaN
		return float64(maxd)
	}
	return v
}

// durCap converts x nanoseconds to a Duration capped at maxd. The cap is
// applied to the float, and maxd returned as is, because float64(maxd) can
// round up past the largest Duration (2⁶³−1 becomes 2⁶³) and converting that
// back would overflow.
func durCap(x float64, maxd time.Duration) time.Duration {
	if !(x < float64(maxd)) {
		return maxd
	}
	return time.Duration(x)
}

// unit returns a uniform float64 in [0, 1) from the top 53 bits of one PCG
// draw; it takes the PCG directly because rand.New would allocate.
func unit(rng *rand.PCG) float64 {
	return float64(rng.Uint64()>>11) * 0x1p-53
}

// satInc returns i+1, or i when that would overflow, so that a client that
// retries for ever keeps the maximum delay instead of wrapping to the minimum.
func satInc(i int32) int32 {
	if i == math.MaxInt32 {
		return i
	}
	return i + 1
}
