package loadgen

// State is where a client is in its life cycle:
// idle → connecting → open → (detected dead | closed) → waiting → connecting … → gave_up.
type State uint8

// Client states.
const (
	StateIdle State = iota
	StateConnecting
	StateOpen
	StateWaiting
	StateGaveUp
	StateClosed
)

var stateNames = [...]string{"idle", "connecting", "open", "waiting", "gave_up", "closed"}

// String returns the state's name.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}

// Event is what moves a client from one state to the next.
type Event uint8

// Client events.
const (
	// EvSchedule: the ramp or a backoff timer fired: start an attempt.
	EvSchedule Event = iota
	// EvConnected: the handshake completed.
	EvConnected
	// EvFailed: the attempt failed and the policy allows another.
	EvFailed
	// EvExhausted: the attempt failed (or the connection died) and the
	// policy gives up.
	EvExhausted
	// EvDead: the open connection was declared dead (any Cause).
	EvDead
	// EvDrain: the run ends.
	EvDrain
)

var eventNames = [...]string{"schedule", "connected", "failed", "exhausted", "dead", "drain"}

// String returns the event's name.
func (e Event) String() string {
	if int(e) < len(eventNames) {
		return eventNames[e]
	}
	return "unknown"
}

// transitions is the client state machine: transitions[from][event] is the
// next state, or invalid when the event cannot happen in that state.
var transitions = [...][6]State{
	//                EvSchedule       EvConnected  EvFailed      EvExhausted   EvDead        EvDrain
	StateIdle:       {StateConnecting, invalid, invalid, invalid, invalid, StateClosed},
	StateConnecting: {invalid, StateOpen, StateWaiting, StateGaveUp, invalid, StateClosed},
	StateOpen:       {invalid, invalid, invalid, StateGaveUp, StateWaiting, StateClosed},
	StateWaiting:    {StateConnecting, invalid, invalid, invalid, invalid, StateClosed},
	StateGaveUp:     {invalid, invalid, invalid, invalid, invalid, StateClosed},
	StateClosed:     {invalid, invalid, invalid, invalid, invalid, StateClosed},
}

const invalid State = 255

// Next returns the state after event e, and false when e cannot happen in s.
func (s State) Next(e Event) (State, bool) {
	if int(s) >= len(transitions) || int(e) >= len(transitions[0]) {
		return s, false
	}
	n := transitions[s][e]
	if n == invalid {
		return s, false
	}
	return n, true
}
