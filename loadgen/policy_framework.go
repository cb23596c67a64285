package loadgen

import (
	"math"
	"math/rand/v2"
	"time"
)

// Presets of the frameworks' reference clients (docs/protocols.md) and
// of the AWS backoff study, beside those of policy_presets.go.
const (
	// PresetGraphQLWS is the graphql-ws client (createClient defaults).
	PresetGraphQLWS Preset = "graphql-ws"
	// PresetActionCable is @rails/actioncable's connection monitor.
	PresetActionCable Preset = "actioncable"
	// PresetMQTTJS is MQTT.js's fixed reconnect period.
	PresetMQTTJS Preset = "mqttjs"
	// PresetStompJS is @stomp/stompjs's fixed reconnect delay.
	PresetStompJS Preset = "stompjs"
	// PresetAWSFull, PresetAWSEqual and PresetAWSDecorrelated are the AWS
	// "Exponential Backoff And Jitter" study's formulas with its
	// constants: base 5 ms, cap 2 s.
	PresetAWSFull         Preset = "aws-full"
	PresetAWSEqual        Preset = "aws-equal"
	PresetAWSDecorrelated Preset = "aws-decorrelated"
)

// Constants of the framework presets.
const (
	graphqlWSRetries   = 5
	actionCableStale   = 6 * time.Second
	mqttJSPeriod       = time.Second
	stompJSDelay       = 5 * time.Second
	awsBase, awsCap    = 5 * time.Millisecond, 2 * time.Second
	actionCableGrowCap = 10
)

// Formulas of the framework presets, with their sources.
const (
	formulaGraphQLWS = "graphql-ws 6.4.2 client (enisdenjo/graphql-ws src/client.ts retryWait, retryAttempts): " +
		"2ⁿ s + floor(U·2700 + 300) ms for retry n = 0…4, then give up; the count resets on connection_ack (ready; counted here from the upgrade)"
	formulaActionCable = "@rails/actioncable 8.1 ConnectionMonitor (rails/rails actioncable/app/javascript/action_cable/connection_monitor.js): " +
		"the monitor polls every 6 s·1.15^min(n,10)·(1 + U[0,1) for n = 0, else U[0,0.15)) and reopens a connection silent for over 6 s; " +
		"modelled as that poll interval per retry; never gives up"
	formulaMQTTJS  = "MQTT.js 5.16 (mqttjs/MQTT.js src/lib/client.ts reconnectPeriod): a fixed 1000 ms after every close, no jitter, forever; connectTimeout 30000"
	formulaStompJS = "@stomp/stompjs 7.5 (stomp-js/stompjs src/client.ts reconnectDelay, LINEAR): a fixed 5000 ms after every close, no jitter, forever"
	formulaAWS     = "AWS backoff study (Exponential Backoff And Jitter, AWS Architecture Blog; aws-samples/aws-arch-backoff-simulator src/backoff_simulator.py), base 5 ms, cap 2 s: "
)

// graphqlWSDelay is graphql-ws's retryWait: 2^n s plus 300–3000 ms.
func graphqlWSDelay(n int32, r float64) time.Duration {
	return time.Duration(math.Pow(2, float64(min(n, 30))))*time.Second + time.Duration(math.Floor(r*2700+300))*time.Millisecond
}

// actionCableDelay is the connection monitor's poll interval for retry n.
func actionCableDelay(n int32, r float64) time.Duration {
	f := 1.0 + 0.15*r
	if n == 0 {
		f = 1 + r
	}
	return time.Duration(float64(actionCableStale) * math.Pow(1.15, float64(min(n, actionCableGrowCap))) * f)
}

// awsNext draws a delay of the study's jitter with its constants.
func awsNext(jit Jitter, st *BackoffState, rng *rand.PCG) time.Duration {
	p := Policy{Base: awsBase, Max: awsCap, Multiplier: 2, Jitter: jit}
	return p.nextGeneric(st, rng)
}

// awsMean is the mean delay of retry n of the study's jitter, after a
// delay of prev (decorrelated jitter draws from it).
func awsMean(jit Jitter, n int32, prev time.Duration) time.Duration {
	return Policy{Base: awsBase, Max: awsCap, Multiplier: 2, Jitter: jit}.meanGeneric(n, prev)
}

// frameworkPresets are the presets' rows of the table.
var frameworkPresets = []presetSpec{
	{
		name: PresetGraphQLWS, library: "graphql-ws 6.4.2", formula: formulaGraphQLWS,
		record: func(p *Policy) {
			p.Base, p.Max, p.Multiplier, p.Jitter = time.Second, 19*time.Second, 2, JitterNone
			if p.MaxRetries <= 0 || p.MaxRetries > graphqlWSRetries {
				p.MaxRetries = graphqlWSRetries
			}
		},
		next: func(_ *Policy, st *BackoffState, rng *rand.PCG, _ time.Duration, _ bool) (time.Duration, bool, bool) {
			if st.n >= graphqlWSRetries {
				return 0, false, false
			}
			return graphqlWSDelay(st.n, unit(rng)), true, true
		},
		mean: func(_ *Policy, n int32, _ time.Duration) time.Duration {
			return integrate(func(r float64) time.Duration { return graphqlWSDelay(n, r) })
		},
	},
	{
		name: PresetActionCable, library: "@rails/actioncable 8.1", formula: formulaActionCable,
		record: func(p *Policy) {
			p.Base, p.Max, p.Multiplier, p.Jitter = actionCableStale, 28*time.Second, 1.15, JitterProportional // the poll interval grows to 6 s·1.15¹⁰·1.15
		},
		next: func(_ *Policy, st *BackoffState, rng *rand.PCG, _ time.Duration, _ bool) (time.Duration, bool, bool) {
			return actionCableDelay(st.n, unit(rng)), true, true
		},
		mean: func(_ *Policy, n int32, _ time.Duration) time.Duration {
			return integrate(func(r float64) time.Duration { return actionCableDelay(n, r) })
		},
	},
	{
		name: PresetMQTTJS, library: "MQTT.js 5.16", formula: formulaMQTTJS, connectTimeout: 30 * time.Second,
		record: func(p *Policy) { p.Base, p.Max, p.Multiplier, p.Jitter = mqttJSPeriod, mqttJSPeriod, 1, JitterNone },
		next: func(*Policy, *BackoffState, *rand.PCG, time.Duration, bool) (time.Duration, bool, bool) {
			return mqttJSPeriod, true, true
		},
		mean: func(*Policy, int32, time.Duration) time.Duration { return mqttJSPeriod },
	},
	{
		name: PresetStompJS, library: "@stomp/stompjs 7.5", formula: formulaStompJS,
		record: func(p *Policy) { p.Base, p.Max, p.Multiplier, p.Jitter = stompJSDelay, stompJSDelay, 1, JitterNone },
		next: func(*Policy, *BackoffState, *rand.PCG, time.Duration, bool) (time.Duration, bool, bool) {
			return stompJSDelay, true, true
		},
		mean: func(*Policy, int32, time.Duration) time.Duration { return stompJSDelay },
	},
	awsPreset(PresetAWSFull, JitterFull, "full jitter, U(0, min(cap, base·2ⁿ))"),
	awsPreset(PresetAWSEqual, JitterEqual, "equal jitter, v = min(cap, base·2ⁿ); v/2 + U(0, v/2)"),
	awsPreset(PresetAWSDecorrelated, JitterDecorrelated, "decorrelated jitter, min(cap, U(base, 3·previous)), previous starting at base"),
}

// awsPreset is a row of the AWS study's presets.
func awsPreset(name Preset, jit Jitter, formula string) presetSpec {
	return presetSpec{
		name: name, library: "AWS backoff study", formula: formulaAWS + formula,
		record: func(p *Policy) { p.Base, p.Max, p.Multiplier, p.Jitter = awsBase, awsCap, 2, jit },
		next: func(_ *Policy, st *BackoffState, rng *rand.PCG, _ time.Duration, _ bool) (time.Duration, bool, bool) {
			return awsNext(jit, st, rng), true, true
		},
		mean: func(_ *Policy, n int32, prev time.Duration) time.Duration { return awsMean(jit, n, prev) },
	}
}
