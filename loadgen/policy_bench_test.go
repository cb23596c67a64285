package loadgen

import (
	"testing"
	"time"
)

// namedPolicy is a policy with a sub-benchmark name.
type namedPolicy struct {
	name string
	p    Policy
}

// benchPolicies returns every generic mode and every preset, resolved as the
// engine would run them.
func benchPolicies() []namedPolicy {
	var out []namedPolicy
	for _, j := range []Jitter{JitterNone, JitterFull, JitterEqual, JitterDecorrelated} {
		out = append(out, namedPolicy{string(j), Policy{Jitter: j}.Resolve()})
	}
	for _, name := range Presets() {
		out = append(out, namedPolicy{string(name), Policy{Preset: name, RunDraw: 0.5}.Resolve()})
	}
	out = append(out, namedPolicy{"reconnecting-websocket-per-client", Policy{Preset: PresetReconnectingWebSocket, RunDraw: -1}.Resolve()})
	return out
}

// BenchmarkNext measures one backoff decision; it must report 0 allocs/op
// because the engine calls it for every failed attempt of up to a million
// clients. The state resets every 16 retries (or when a policy gives up) so
// that the retry index stays in the range a storm sees.
func BenchmarkNext(b *testing.B) {
	for _, np := range benchPolicies() {
		b.Run(np.name, func(b *testing.B) {
			p := np.p
			rng := newRNG(1)
			var st BackoffState
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, ok := p.Next(&st, rng, time.Millisecond); !ok || i&15 == 15 {
					st = BackoffState{}
				}
				i++
			}
		})
	}
}
