package loadgen

import "testing"

func TestStateTransitions(t *testing.T) {
	tests := []struct {
		from State
		ev   Event
		to   State
		ok   bool
	}{
		{StateIdle, EvSchedule, StateConnecting, true},
		{StateIdle, EvConnected, StateIdle, false},
		{StateConnecting, EvConnected, StateOpen, true},
		{StateConnecting, EvFailed, StateWaiting, true},
		{StateConnecting, EvExhausted, StateGaveUp, true},
		{StateConnecting, EvSchedule, StateConnecting, false},
		{StateOpen, EvDead, StateWaiting, true},
		{StateOpen, EvExhausted, StateGaveUp, true},
		{StateOpen, EvConnected, StateOpen, false},
		{StateWaiting, EvSchedule, StateConnecting, true},
		{StateWaiting, EvDead, StateWaiting, false},
		{StateGaveUp, EvSchedule, StateGaveUp, false},
		{StateGaveUp, EvDrain, StateClosed, true},
		{StateOpen, EvDrain, StateClosed, true},
		{StateClosed, EvSchedule, StateClosed, false},
		{StateClosed, EvDrain, StateClosed, true},
	}
	for _, tt := range tests {
		t.Run(tt.from.String()+"/"+tt.ev.String(), func(t *testing.T) {
			to, ok := tt.from.Next(tt.ev)
			if to != tt.to || ok != tt.ok {
				t.Fatalf("%v + %v = %v, %v; want %v, %v", tt.from, tt.ev, to, ok, tt.to, tt.ok)
			}
		})
	}
}

// TestClientFollowsStateMachine walks a client through a life cycle with
// the real transitions and checks every step is one the table allows.
func TestClientFollowsStateMachine(t *testing.T) {
	path := []struct {
		ev State
	}{{StateConnecting}, {StateOpen}, {StateWaiting}, {StateConnecting}, {StateWaiting}, {StateConnecting}, {StateOpen}, {StateClosed}}
	events := []Event{EvSchedule, EvConnected, EvDead, EvSchedule, EvFailed, EvSchedule, EvConnected, EvDrain}
	s := StateIdle
	for i, e := range events {
		n, ok := s.Next(e)
		if !ok || n != path[i].ev {
			t.Fatalf("step %d: %v + %v = %v, %v", i, s, e, n, ok)
		}
		s = n
	}
}
