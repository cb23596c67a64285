package loadgen

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// Fixed seeds: every statistical test draws the same numbers on every run,
// so a tolerance that passes once passes always (no flakes).
const testSeed = 0x5eed

// newRNG returns client id's generator, seeded the way the engine seeds it.
func newRNG(id uint64) *rand.PCG {
	return rand.NewPCG(testSeed, id)
}

// drawAt returns one delay of retry n from a state that has already made n
// retries, without changing anything else.
func drawAt(t testing.TB, p *Policy, n int, rng *rand.PCG) time.Duration {
	t.Helper()
	st := BackoffState{n: int32(n), tries: int32(n)}
	d, ok := p.Next(&st, rng, 0)
	if !ok {
		t.Fatalf("Next gave up at n=%d", n)
	}
	return d
}

// relErr returns |got−want|/want.
func relErr(got, want float64) float64 {
	return math.Abs(got-want) / want
}

func TestGenericJitterBoundsAndMean(t *testing.T) {
	const draws = 20000
	params := []struct {
		name string
		base time.Duration
		max  time.Duration
		mult float64
	}{
		{"base100ms-max30s-x2", 100 * time.Millisecond, 30 * time.Second, 2},
		{"base50ms-max2s-x1.5", 50 * time.Millisecond, 2 * time.Second, 1.5},
	}
	modes := []struct {
		jitter Jitter
		lo, hi float64 // bounds as fractions of v = min(max, base·multⁿ)
		mean   float64 // analytic mean as a fraction of v
	}{
		{JitterNone, 1, 1, 1},
		{JitterFull, 0, 1, 0.5},
		{JitterEqual, 0.5, 1, 0.75},
	}
	for _, pr := range params {
		for _, m := range modes {
			t.Run(pr.name+"/"+string(m.jitter), func(t *testing.T) {
				p := Policy{Base: pr.base, Max: pr.max, Multiplier: pr.mult, Jitter: m.jitter}
				rng := newRNG(1)
				for _, n := range []int{0, 1, 2, 3, 5, 8, 10, 12, 20, 100} {
					v := math.Min(float64(pr.max), float64(pr.base)*math.Pow(pr.mult, float64(n)))
					sum, lo, hi := 0.0, math.Inf(1), 0.0
					for range draws {
						d := float64(drawAt(t, &p, n, rng))
						if d < math.Floor(m.lo*v) || d > m.hi*v {
							t.Fatalf("n=%d: delay %v outside [%v, %v]", n, time.Duration(d), time.Duration(m.lo*v), time.Duration(m.hi*v))
						}
						sum += d
						lo, hi = min(lo, d), max(hi, d)
					}
					mean := sum / draws
					if e := relErr(mean, m.mean*v); e > 0.02 {
						t.Errorf("n=%d: sample mean %v, analytic %v (off by %.2f%%)", n, time.Duration(mean), time.Duration(m.mean*v), 100*e)
					}
					if got, want := p.MeanDelay(n, 0), time.Duration(m.mean*v); got < want-1 || got > want+1 {
						t.Errorf("MeanDelay(%d) = %v, want %v", n, got, want)
					}
					// A jittered mode must use its whole range, not a corner of it.
					if m.lo != m.hi && (lo > (m.lo+0.01)*v || hi < (m.hi-0.01)*v) {
						t.Errorf("n=%d: draws span [%v, %v] of [%v, %v]", n, time.Duration(lo), time.Duration(hi), time.Duration(m.lo*v), time.Duration(m.hi*v))
					}
				}
			})
		}
	}
}

func TestZeroPolicyIsFullJitterWithDefaults(t *testing.T) {
	var p Policy
	rng := newRNG(2)
	for n := range 12 {
		v := math.Min(float64(30*time.Second), float64(DefaultBackoffBase)*math.Pow(2, float64(n)))
		for range 1000 {
			if d := drawAt(t, &p, n, rng); d < 0 || float64(d) > v {
				t.Fatalf("n=%d: %v outside [0, %v]", n, d, time.Duration(v))
			}
		}
	}
}

func TestNoneIsDeterministic(t *testing.T) {
	p := Policy{Base: 100 * time.Millisecond, Max: 30 * time.Second, Multiplier: 2, Jitter: JitterNone}
	want := []time.Duration{
		100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond,
		1600 * time.Millisecond, 3200 * time.Millisecond, 6400 * time.Millisecond, 12800 * time.Millisecond,
		25600 * time.Millisecond, 30 * time.Second, 30 * time.Second, 30 * time.Second,
	}
	for client := range uint64(5) {
		var st BackoffState
		rng := newRNG(client)
		for i, w := range want {
			if d, ok := p.Next(&st, rng, 0); !ok || d != w {
				t.Fatalf("client %d retry %d: got %v, %v; want %v", client, i, d, ok, w)
			}
		}
	}
}

func TestDecorrelated(t *testing.T) {
	base, maxd := 100*time.Millisecond, 10*time.Second
	p := Policy{Base: base, Max: maxd, Jitter: JitterDecorrelated}

	t.Run("bounds", func(t *testing.T) {
		atMax := 0
		for client := range uint64(2000) {
			var st BackoffState
			rng := newRNG(client)
			prev := base
			for i := range 40 {
				d, ok := p.Next(&st, rng, 0)
				if !ok {
					t.Fatal("gave up without MaxRetries")
				}
				if d < base || d > maxd {
					t.Fatalf("client %d retry %d: %v outside [base, max]", client, i, d)
				}
				if d > 3*prev {
					t.Fatalf("client %d retry %d: %v above 3·prev = %v", client, i, d, 3*prev)
				}
				if d == maxd {
					atMax++
				}
				prev = d
			}
		}
		// The AWS formula clumps at its cap; the test only checks it gets there.
		if atMax == 0 {
			t.Error("no draw reached max")
		}
	})

	t.Run("mean given prev", func(t *testing.T) {
		cases := []struct {
			prev, want time.Duration // want computed by hand
		}{
			{0, 200 * time.Millisecond},                     // first retry: U(0.1s, 0.3s)
			{time.Second, 1550 * time.Millisecond},          // U(0.1s, 3s)
			{5 * time.Second, 6711073825 * time.Nanosecond}, // U(0.1s, 15s) capped at 10s: (49.995 + 50)/14.9 s
		}
		rng := newRNG(3)
		for _, c := range cases {
			if got := p.MeanDelay(7, c.prev); got < c.want-time.Microsecond || got > c.want+time.Microsecond {
				t.Errorf("MeanDelay(prev=%v) = %v, want %v", c.prev, got, c.want)
			}
			const draws = 20000
			sum := 0.0
			for range draws {
				st := BackoffState{prev: c.prev}
				d, _ := p.Next(&st, rng, 0)
				sum += float64(d)
			}
			if e := relErr(sum/draws, float64(c.want)); e > 0.02 {
				t.Errorf("prev=%v: sample mean %v, analytic %v", c.prev, time.Duration(sum/draws), c.want)
			}
		}
	})
}

func TestLargeRetryIndexDoesNotOverflow(t *testing.T) {
	hugeMax := time.Duration(math.MaxInt64)
	for _, j := range []Jitter{JitterNone, JitterFull, JitterEqual, JitterDecorrelated} {
		for _, c := range []Policy{
			{Base: 100 * time.Millisecond, Max: 30 * time.Second, Multiplier: 2},
			{Base: time.Second, Max: time.Hour, Multiplier: 1e300},
			{Base: time.Duration(math.MaxInt64 / 2), Max: hugeMax, Multiplier: math.MaxFloat64},
		} {
			c.Jitter = j
			rng := newRNG(4)
			for _, n := range []int32{62, 64, 1100, math.MaxInt32 - 1, math.MaxInt32} {
				st := BackoffState{n: n, prev: c.Max}
				for range 100 {
					d, ok := c.Next(&st, rng, 0)
					if !ok || d < 0 || d > c.Max {
						t.Fatalf("%s mult %g n=%d: %v, %v", j, c.Multiplier, n, d, ok)
					}
					if j == JitterDecorrelated && d < c.Base {
						t.Fatalf("%s: %v below base", j, d)
					}
				}
				if st.n < n {
					t.Fatalf("retry index wrapped: %d → %d", n, st.n)
				}
			}
		}
	}
	for _, name := range Presets() {
		p := Policy{Preset: name}
		rng := newRNG(5)
		st := BackoffState{n: math.MaxInt32}
		if d, ok := p.Next(&st, rng, 0); ok && (d < 0 || d > 200*time.Second) {
			t.Errorf("%s at n=MaxInt32: %v", name, d)
		}
	}
}

func TestMaxRetries(t *testing.T) {
	policies := []Policy{
		{Jitter: JitterNone}, {Jitter: JitterFull}, {Jitter: JitterEqual}, {Jitter: JitterDecorrelated},
		{Preset: PresetSocketIO}, {Preset: PresetPhoenix}, {Preset: PresetGRPC}, {Preset: PresetCentrifuge},
		{Preset: PresetReconnectingWebSocket}, {Preset: PresetCenkalti}, {Preset: PresetSignalR},
	}
	for _, p := range policies {
		name := string(p.Preset) + string(p.Jitter)
		t.Run(name, func(t *testing.T) {
			p.MaxRetries = 3
			var st BackoffState
			rng := newRNG(6)
			for i := range 3 {
				if _, ok := p.Next(&st, rng, 0); !ok {
					t.Fatalf("gave up at retry %d of 3", i)
				}
			}
			for range 2 {
				if d, ok := p.Next(&st, rng, 0); ok || d != 0 {
					t.Fatalf("after 3 retries: %v, %v; want 0, false", d, ok)
				}
			}
			// A connection that counts as a reset gives a fresh budget.
			p.Connected(&st)
			p.Disconnected(&st, time.Hour)
			if _, ok := p.Next(&st, rng, 0); !ok {
				t.Fatal("no retry after a reset")
			}
		})
	}
}

func TestResetAfter(t *testing.T) {
	p := Policy{Base: 100 * time.Millisecond, Max: 30 * time.Second, Jitter: JitterNone, ResetAfter: 5 * time.Second}
	rng := newRNG(7)
	next := func(st *BackoffState) time.Duration {
		t.Helper()
		d, ok := p.Next(st, rng, 0)
		if !ok {
			t.Fatal("gave up")
		}
		return d
	}
	var st BackoffState
	for range 3 {
		next(&st)
	}
	p.Connected(&st)
	p.Disconnected(&st, 4999*time.Millisecond)
	if d := next(&st); d != 800*time.Millisecond {
		t.Fatalf("after a short connection: %v, want 800ms (no reset)", d)
	}
	p.Connected(&st)
	p.Disconnected(&st, 5*time.Second)
	if d := next(&st); d != 100*time.Millisecond {
		t.Fatalf("after a long connection: %v, want 100ms (reset)", d)
	}

	t.Run("short connections keep counting toward MaxRetries", func(t *testing.T) {
		p := p
		p.MaxRetries = 2
		var st BackoffState
		p.Next(&st, rng, 0)
		p.Next(&st, rng, 0)
		p.Connected(&st)
		p.Disconnected(&st, time.Second)
		if _, ok := p.Next(&st, rng, 0); ok {
			t.Fatal("short connection reset the retry budget")
		}
	})

	t.Run("zero resets on Connected", func(t *testing.T) {
		p := p
		p.ResetAfter = 0
		var st BackoffState
		for range 5 {
			p.Next(&st, rng, 0)
		}
		p.Connected(&st)
		if d, _ := p.Next(&st, rng, 0); d != 100*time.Millisecond {
			t.Fatalf("got %v, want 100ms", d)
		}
	})

	t.Run("decorrelated prev resets too", func(t *testing.T) {
		p := Policy{Base: 100 * time.Millisecond, Max: 30 * time.Second, Jitter: JitterDecorrelated}
		var st BackoffState
		for range 20 {
			p.Next(&st, rng, 0)
		}
		p.Connected(&st)
		if d, _ := p.Next(&st, rng, 0); d > 300*time.Millisecond {
			t.Fatalf("first retry after reset %v > 3·base", d)
		}
	})
}

// sequence returns the first k delays of a fresh client (sinceAttemptStart 0)
// and how many were granted before Next gave up.
func sequence(p *Policy, client uint64, k int) []time.Duration {
	var st BackoffState
	rng := newRNG(client)
	var out []time.Duration
	for range k {
		d, ok := p.Next(&st, rng, 0)
		if !ok {
			break
		}
		out = append(out, d)
	}
	return out
}

func ms(v ...int) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x) * time.Millisecond
	}
	return out
}

func TestPresetPhoenix(t *testing.T) {
	p := Policy{Preset: PresetPhoenix}
	want := ms(10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000, 5000, 5000)
	for client := range uint64(3) {
		if got := sequence(&p, client, len(want)); !slices.Equal(got, want) {
			t.Fatalf("client %d: %v, want %v", client, got, want)
		}
	}
	var st BackoffState
	rng := newRNG(0)
	for range 5 {
		p.Next(&st, rng, 0)
	}
	p.Connected(&st)
	if d, _ := p.Next(&st, rng, 0); d != 10*time.Millisecond {
		t.Fatalf("after open: %v, want 10ms (tries reset on open)", d)
	}
}

func TestPresetSignalR(t *testing.T) {
	p := Policy{Preset: PresetSignalR}
	if got, want := sequence(&p, 0, 10), ms(0, 2000, 10000, 30000); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v then give up", got, want)
	}
	var st BackoffState
	rng := newRNG(0)
	for range 3 {
		p.Next(&st, rng, 0)
	}
	p.Connected(&st)
	p.Disconnected(&st, time.Second)
	if d, ok := p.Next(&st, rng, 0); !ok || d != 0 {
		t.Fatalf("first retry after a lost connection: %v, %v; want 0", d, ok)
	}
}

func TestPresetReconnectingWebSocket(t *testing.T) {
	t.Run("shared draw", func(t *testing.T) {
		p := Policy{Preset: PresetReconnectingWebSocket, RunDraw: 0.25} // minRD = 1000 + 0.25·4000 = 2000
		// 2000·1.3ⁿ truncated to whole ms, capped at 10000. The first retry
		// waits minRD: the library's delay 0 belongs to the initial connect.
		want := ms(2000, 2600, 3380, 4394, 5712, 7425, 9653, 10000, 10000)
		for client := range uint64(4) {
			// Every client of the run shares minRD, so they retry in step.
			if got := sequence(&p, client, len(want)); !slices.Equal(got, want) {
				t.Fatalf("client %d: %v, want %v", client, got, want)
			}
		}
		for _, c := range []struct {
			draw float64
			want time.Duration
		}{{0, time.Second}, {0.5, 3 * time.Second}, {0.99999, 4999 * time.Millisecond}} {
			p := Policy{Preset: PresetReconnectingWebSocket, RunDraw: c.draw}
			if got := sequence(&p, 0, 1); got[0] != c.want {
				t.Errorf("RunDraw %v: first retry %v, want %v", c.draw, got[0], c.want)
			}
		}
	})

	t.Run("reset only after minUptime", func(t *testing.T) {
		p := Policy{Preset: PresetReconnectingWebSocket, RunDraw: 0.25}
		var st BackoffState
		rng := newRNG(0)
		for range 3 {
			p.Next(&st, rng, 0)
		}
		p.Connected(&st)
		if d, _ := p.Next(&st, rng, 0); d != 4394*time.Millisecond {
			t.Fatalf("open alone reset the count: %v", d)
		}
		p.Connected(&st)
		p.Disconnected(&st, 4999*time.Millisecond)
		if d, _ := p.Next(&st, rng, 0); d != 5712*time.Millisecond {
			t.Fatalf("after 4.999s open: %v, want 5712ms (no reset)", d)
		}
		p.Connected(&st)
		p.Disconnected(&st, 5*time.Second)
		if d, _ := p.Next(&st, rng, 0); d != 2000*time.Millisecond {
			t.Fatalf("after 5s open: %v, want 2000ms (reset)", d)
		}
		if got := p.ConnectTimeout(); got != 4*time.Second {
			t.Errorf("ConnectTimeout %v, want 4s", got)
		}
	})

	t.Run("draw per client", func(t *testing.T) {
		p := Policy{Preset: PresetReconnectingWebSocket, RunDraw: -1}
		firsts := map[time.Duration]bool{}
		for client := range uint64(500) {
			var st BackoffState
			rng := newRNG(client)
			d0, _ := p.Next(&st, rng, 0)
			d1, _ := p.Next(&st, rng, 0)
			if d0 < time.Second || d0 >= 5*time.Second {
				t.Fatalf("client %d: minRD %v outside [1s, 5s)", client, d0)
			}
			if r := float64(d1) / float64(d0); math.Abs(r-1.3) > 0.001 {
				t.Fatalf("client %d: growth %v, want 1.3", client, r)
			}
			p.Connected(&st)
			p.Disconnected(&st, time.Minute)
			if d, _ := p.Next(&st, rng, 0); d != d0 {
				t.Fatalf("client %d: minRD changed across a reset: %v → %v", client, d0, d)
			}
			firsts[d0] = true
		}
		if len(firsts) < 450 {
			t.Errorf("only %d distinct minRD among 500 clients", len(firsts))
		}
		mean := p.MeanDelay(0, 0)
		if mean < 2990*time.Millisecond || mean > 3010*time.Millisecond {
			t.Errorf("MeanDelay(0) = %v, want ≈ 3s", mean)
		}
	})
}

func TestPresetGRPC(t *testing.T) {
	p := Policy{Preset: PresetGRPC}
	rng := newRNG(8)

	t.Run("first wait exactly 1s from attempt start", func(t *testing.T) {
		for _, c := range []struct{ since, want time.Duration }{
			{0, time.Second},
			{300 * time.Millisecond, 700 * time.Millisecond},
			{2 * time.Second, 0},
		} {
			var st BackoffState
			if d, ok := p.Next(&st, rng, c.since); !ok || d != c.want {
				t.Errorf("attempt took %v: wait %v, %v; want %v", c.since, d, ok, c.want)
			}
		}
	})

	t.Run("later waits within ±20%", func(t *testing.T) {
		const draws = 20000
		for n := 1; n <= 20; n++ {
			b := math.Min(float64(time.Second)*math.Pow(1.6, float64(n)), float64(120*time.Second))
			sum := 0.0
			for range draws {
				d := float64(drawAt(t, &p, n, rng))
				if d < 0.8*b || d > 1.2*b {
					t.Fatalf("n=%d: %v outside [%v, %v]", n, time.Duration(d), time.Duration(0.8*b), time.Duration(1.2*b))
				}
				sum += d
			}
			if e := relErr(sum/draws, b); e > 0.01 {
				t.Errorf("n=%d: mean %v, want %v", n, time.Duration(sum/draws), time.Duration(b))
			}
			if e := relErr(float64(p.MeanDelay(n, 0)), b); e > 1e-4 {
				t.Errorf("MeanDelay(%d) = %v, want %v", n, p.MeanDelay(n, 0), time.Duration(b))
			}
		}
	})

	t.Run("lost connection is retried at once", func(t *testing.T) {
		var st BackoffState
		for range 5 {
			p.Next(&st, rng, 0)
		}
		p.Connected(&st)
		p.Disconnected(&st, time.Second)
		if d, ok := p.Next(&st, rng, 0); !ok || d != 0 {
			t.Fatalf("after loss: %v, %v; want 0", d, ok)
		}
		if d, _ := p.Next(&st, rng, 0); d != time.Second {
			t.Fatalf("after the first failed attempt: %v, want 1s", d)
		}
		if d, _ := p.Next(&st, rng, 0); d < 1280*time.Millisecond || d > 1920*time.Millisecond {
			t.Fatalf("second wait %v outside 1.6s ± 20%%", d)
		}
	})

	if got := p.ConnectTimeout(); got != 20*time.Second {
		t.Errorf("ConnectTimeout %v, want 20s", got)
	}
}

func TestPresetSocketIO(t *testing.T) {
	p := Policy{Preset: PresetSocketIO}
	rng := newRNG(9)
	// Hand-derived means: ms ± floor(r·ms/2), minus on even tenths of r,
	// plus on odd ones; the mean tenth offsets sum to +0.05·ms below the cap.
	wantMean := map[int]time.Duration{
		0: 1025 * time.Millisecond,
		1: 2050 * time.Millisecond,
		2: 3950 * time.Millisecond, // 4300+4700+3·5000 (capped) + 3900+3500+3100+2700+2300, /10
		3: 4960 * time.Millisecond, // 9 tenths at the 5000 cap, one (r ∈ [0.8, 0.9)) at 4600
		4: 5000 * time.Millisecond,
		9: 5000 * time.Millisecond,
	}
	const draws = 20000
	for n, want := range wantMean {
		msn := 1000 * math.Pow(2, float64(n))
		sum := 0.0
		below, above := 0, 0
		for range draws {
			d := drawAt(t, &p, n, rng)
			if d%time.Millisecond != 0 {
				t.Fatalf("n=%d: %v is not whole ms", n, d)
			}
			f := float64(d) / float64(time.Millisecond)
			if f < math.Min(msn/2, 5000) || f > math.Min(1.5*msn, 5000) {
				t.Fatalf("n=%d: %v outside [min(%v, 5000), min(%v, 5000)] ms", n, d, msn/2, 1.5*msn)
			}
			if f < msn {
				below++
			} else if f > msn {
				above++
			}
			sum += float64(d)
		}
		if n == 0 && (below < draws/3 || above < draws/3) {
			t.Errorf("n=0: %d below and %d above 1s; both signs should be common", below, above)
		}
		if e := relErr(sum/draws, float64(want)); e > 0.01 {
			t.Errorf("n=%d: sample mean %v, want %v", n, time.Duration(sum/draws), want)
		}
		if got := p.MeanDelay(n, 0); relErr(float64(got), float64(want)) > 0.001 {
			t.Errorf("MeanDelay(%d) = %v, want %v", n, got, want)
		}
	}
	if got := p.ConnectTimeout(); got != 20*time.Second {
		t.Errorf("ConnectTimeout %v, want 20s", got)
	}
}

func TestPresetCentrifuge(t *testing.T) {
	p := Policy{Preset: PresetCentrifuge}
	rng := newRNG(10)
	wantMean := map[int]time.Duration{
		0: 750 * time.Millisecond,      // 500 + U{0..500}
		1: 1000 * time.Millisecond,     // 500 + U{0..1000}
		6: 10493760 * time.Microsecond, // min(20000, 500 + U{0..20000}): 209885250/20001 ms
	}
	const draws = 20000
	for _, n := range []int{0, 1, 2, 3, 6, 31, 32, 1000} {
		hi := 500 + math.Min(20000, 500*math.Pow(2, float64(min(n, 31))))
		sum := 0.0
		for range draws {
			d := drawAt(t, &p, n, rng)
			f := float64(d) / float64(time.Millisecond)
			if d%time.Millisecond != 0 || f < 500 || f > math.Min(20000, hi) {
				t.Fatalf("n=%d: %v outside [500ms, %vms] or not whole ms", n, d, math.Min(20000, hi))
			}
			sum += float64(d)
		}
		if want, ok := wantMean[n]; ok {
			if e := relErr(sum/draws, float64(want)); e > 0.02 {
				t.Errorf("n=%d: sample mean %v, want %v", n, time.Duration(sum/draws), want)
			}
			if got := p.MeanDelay(n, 0); relErr(float64(got), float64(want)) > 0.001 {
				t.Errorf("MeanDelay(%d) = %v, want %v", n, got, want)
			}
		}
	}
	if got := p.ConnectTimeout(); got != 5*time.Second {
		t.Errorf("ConnectTimeout %v, want 5s", got)
	}
}

func TestPresetCenkalti(t *testing.T) {
	p := Policy{Preset: PresetCenkalti}
	rng := newRNG(11)

	t.Run("bounds and mean", func(t *testing.T) {
		const draws = 20000
		for _, n := range []int{0, 1, 5, 11, 12, 40} {
			cur := math.Min(float64(500*time.Millisecond)*math.Pow(1.5, float64(n)), float64(60*time.Second))
			sum := 0.0
			for range draws {
				d := float64(drawAt(t, &p, n, rng))
				if d < 0.5*cur || d > 1.5*cur+1 {
					t.Fatalf("n=%d: %v outside cur·(1 ± 0.5), cur = %v", n, time.Duration(d), time.Duration(cur))
				}
				sum += d
			}
			if e := relErr(sum/draws, cur); e > 0.02 {
				t.Errorf("n=%d: mean %v, want %v", n, time.Duration(sum/draws), time.Duration(cur))
			}
		}
	})

	t.Run("gives up after MaxElapsedTime", func(t *testing.T) {
		for _, attempt := range []time.Duration{0, 10 * time.Second} {
			for client := range uint64(50) {
				var st BackoffState
				rng := newRNG(client)
				total, retries := time.Duration(0), 0
				for {
					d, ok := p.Next(&st, rng, attempt)
					if !ok {
						break
					}
					total += d + attempt
					retries++
					if retries > 1000 {
						t.Fatal("never gave up")
					}
				}
				// The refused delay was at most 1.5·60s, so the retries
				// granted must have used up all but that of the 15 minutes.
				if total > 15*time.Minute+attempt || total < 15*time.Minute-90*time.Second {
					t.Fatalf("attempt %v client %d: gave up after %v", attempt, client, total)
				}
				if attempt == 0 && (retries < 18 || retries > 30) {
					t.Fatalf("client %d: %d retries in 15 min", client, retries)
				}
			}
		}
	})

	t.Run("reset on connect restarts the clock", func(t *testing.T) {
		var st BackoffState
		for range 20 {
			p.Next(&st, rng, 0)
		}
		p.Connected(&st)
		if st.elapsed != 0 || st.n != 0 {
			t.Fatalf("state after connect: %+v", st)
		}
	})
}

func TestResolve(t *testing.T) {
	got := Policy{}.Resolve()
	want := Policy{Base: time.Second, Max: 30 * time.Second, Multiplier: 2, Jitter: JitterFull, Formula: got.Formula}
	if got != want || got.Formula == "" {
		t.Fatalf("zero policy resolves to %+v", got)
	}
	for _, p := range []Policy{{}, {Jitter: JitterDecorrelated, Base: time.Second, Max: time.Minute, ResetAfter: time.Second, MaxRetries: 3}} {
		r := p.Resolve()
		if r.Resolve() != r {
			t.Errorf("Resolve is not idempotent for %+v", p)
		}
		if err := r.Validate(); err != nil {
			t.Errorf("resolved %+v: %v", r, err)
		}
	}
	for _, name := range Presets() {
		t.Run(string(name), func(t *testing.T) {
			r := Policy{Preset: name, RunDraw: 0.25, ResetAfter: time.Hour, Base: -time.Second}.Resolve()
			if r.Formula == "" || r.Max <= 0 {
				t.Fatalf("incomplete record %+v", r)
			}
			if r.Resolve() != r {
				t.Error("Resolve is not idempotent")
			}
			if err := r.Validate(); err != nil {
				t.Errorf("resolved preset does not validate: %v", err)
			}
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			var back Policy
			if err := json.Unmarshal(b, &back); err != nil || back != r {
				t.Fatalf("JSON round trip: %s → %+v (%v)", b, back, err)
			}
		})
	}
	if r := (Policy{Preset: PresetReconnectingWebSocket, RunDraw: 0.25}).Resolve(); r.Base != 2*time.Second || r.ResetAfter != 5*time.Second {
		t.Errorf("reconnecting-websocket record: base %v reset_after %v", r.Base, r.ResetAfter)
	}
	if r := (Policy{Preset: PresetSignalR}).Resolve(); r.MaxRetries != 4 {
		t.Errorf("signalr record: max_retries %d, want 4", r.MaxRetries)
	}
	if r := (Policy{Preset: PresetSignalR, MaxRetries: 2}).Resolve(); r.MaxRetries != 2 {
		t.Errorf("signalr with --max-retries 2: %d", r.MaxRetries)
	}
	if r := (Policy{Preset: PresetGRPC}).Resolve(); r.Base != time.Second || r.Max != 120*time.Second || r.Multiplier != 1.6 || r.JitterFactor != 0.2 {
		t.Errorf("grpc record %+v", r)
	}
}

func TestValidate(t *testing.T) {
	bad := []struct {
		name string
		p    Policy
		want string
	}{
		{"negative base", Policy{Base: -time.Second}, "Base must be > 0 (got -1s)"},
		{"negative max", Policy{Max: -time.Second}, "Max must be > 0 (got -1s)"},
		{"max below base", Policy{Base: 2 * time.Second, Max: time.Second}, "Max must be ≥ Base"},
		{"base above default max", Policy{Base: time.Minute}, "Max must be ≥ Base (got max 30s, base 1m0s)"},
		{"multiplier below 1", Policy{Multiplier: 0.5}, "Multiplier must be ≥ 1"},
		{"negative multiplier", Policy{Multiplier: -2}, "Multiplier must be ≥ 1"},
		{"NaN multiplier", Policy{Multiplier: math.NaN()}, "Multiplier must be ≥ 1"},
		{"infinite multiplier", Policy{Multiplier: math.Inf(1)}, "Multiplier must be ≥ 1"},
		{"unknown jitter", Policy{Jitter: "x"}, `Jitter must be one of none, full, equal, decorrelated (got "x")`},
		{"proportional is not a flag value", Policy{Jitter: JitterProportional}, "Jitter must be one of"},
		{"negative max retries", Policy{MaxRetries: -1}, "MaxRetries must be ≥ 0 (got -1)"},
		{"negative reset after", Policy{ResetAfter: -time.Second}, "ResetAfter must be ≥ 0 (got -1s)"},
		{"unknown preset", Policy{Preset: "nope"}, `Preset must be one of actioncable, aws-decorrelated, aws-equal, aws-full, cenkalti, centrifuge, graphql-ws, grpc, mqttjs, phoenix, reconnecting-websocket, signalr, socketio, stompjs (got "nope")`},
		{"preset and negative max retries", Policy{Preset: PresetGRPC, MaxRetries: -1}, "MaxRetries must be ≥ 0"},
		{"run draw of 1", Policy{Preset: PresetReconnectingWebSocket, RunDraw: 1}, "RunDraw must be in [0, 1)"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			err := c.p.Validate()
			if err == nil {
				t.Fatalf("%+v validated", c.p)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
		})
	}
	t.Run("all problems at once", func(t *testing.T) {
		err := Policy{Base: -1, Jitter: "x", MaxRetries: -1}.Validate()
		for _, flag := range []string{"Base", "Jitter", "MaxRetries"} {
			if err == nil || !strings.Contains(err.Error(), flag) {
				t.Errorf("error %v does not name field %s", err, flag)
			}
		}
	})
	good := []Policy{
		{},
		{Jitter: JitterNone}, {Jitter: JitterFull}, {Jitter: JitterEqual}, {Jitter: JitterDecorrelated},
		{Base: time.Second, Max: time.Second, Multiplier: 1},
		{MaxRetries: 5, ResetAfter: time.Minute},
		{Preset: PresetReconnectingWebSocket, RunDraw: -1},
	}
	for _, name := range Presets() {
		good = append(good, Policy{Preset: name})
	}
	for _, p := range good {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
}

func TestPresetsAndConnectTimeout(t *testing.T) {
	names := Presets()
	if !slices.IsSorted(names) || len(names) != 14 {
		t.Fatalf("Presets() = %v", names)
	}
	names[0] = "changed"
	if Presets()[0] == "changed" {
		t.Fatal("Presets shares its slice")
	}
	want := map[Preset]time.Duration{
		PresetSocketIO: 20 * time.Second, PresetReconnectingWebSocket: 4 * time.Second,
		PresetCentrifuge: 5 * time.Second, PresetGRPC: 20 * time.Second, PresetMQTTJS: 30 * time.Second,
	}
	for _, name := range Presets() {
		if got := (Policy{Preset: name}).ConnectTimeout(); got != want[name] {
			t.Errorf("%s: ConnectTimeout %v, want %v", name, got, want[name])
		}
	}
	if got := (Policy{}).ConnectTimeout(); got != 0 {
		t.Errorf("generic ConnectTimeout %v, want 0", got)
	}
}

func TestNextDoesNotAllocate(t *testing.T) {
	for _, p := range benchPolicies() {
		t.Run(p.name, func(t *testing.T) {
			var st BackoffState
			rng := newRNG(12)
			allocs := testing.AllocsPerRun(1000, func() {
				if _, ok := p.p.Next(&st, rng, time.Millisecond); !ok {
					st = BackoffState{}
				}
				p.p.Connected(&st)
				p.p.Disconnected(&st, time.Second)
			})
			if allocs != 0 {
				t.Fatalf("%v allocs per Next", allocs)
			}
		})
	}
}

func TestBackoffStateIsSmall(t *testing.T) {
	// It lives in every one of up to a million clients.
	if size := unsafe.Sizeof(BackoffState{}); size > 32 {
		t.Fatalf("BackoffState is %d bytes", size)
	}
}
