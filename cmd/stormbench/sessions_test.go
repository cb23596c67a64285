package main

import "testing"

// TestSessionsAfterBlackhole: clients that detect a blackholed server and
// reconnect while their old connection is still open at the server take
// their sessions over (duplicate sessions, counted by the server and shown
// in the summary); when the server's idle timeout ends those connections
// first, it counts zombies instead.
func TestSessionsAfterBlackhole(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	tests := []struct {
		name        string
		idleTimeout string
		takeovers   bool
	}{
		{"idle timeout longer than the blackhole: takeovers", "20s", true},
		{"idle timeout shorter than detection: zombies", "700ms", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, sum, _ := runE2E(t, "--clients", "300", "--ramp-rate", "3000", "--hold", "1s", "--fault", "blackhole", "--fault-duration", "3s",
				"--heartbeat-interval", "500ms", "--heartbeat-timeout", "2s", "--backoff-base", "100ms",
				"--server-idle-timeout", tt.idleTimeout, "--send-rate", "2", "--redeliver")
			v := sum.Server
			st := sum.Storms[0]
			if v == nil || st.Recovered != 300 {
				t.Fatalf("server view %+v, recovered %d", v, st.Recovered)
			}
			if st.ServerTakeovers == nil || (*st.ServerTakeovers == 300) != tt.takeovers {
				t.Errorf("storm 1: server takeovers %v", st.ServerTakeovers)
			}
			if tt.takeovers && (v.Takeovers != 300 || v.ZombiesTerminated != 0 || v.TakeoverSilenceP99Ms < 1000) {
				t.Fatalf("takeovers %d (silent p99 %v ms), zombies %d: want 300 takeovers of connections silent ≥ 1 s", v.Takeovers, v.TakeoverSilenceP99Ms, v.ZombiesTerminated)
			}
			if !tt.takeovers && (v.ZombiesTerminated != 300 || v.Takeovers != 0) {
				t.Fatalf("zombies %d, takeovers %d: want 300 zombies", v.ZombiesTerminated, v.Takeovers)
			}
			// Every acked message reached the server at least once; a
			// pending one may have reached it with its ack still on the way.
			if s := sum.Send; s == nil || s.Lost != 0 || s.Produced != s.Acked+s.Pending+s.Dropped || v.MessagesReceived < s.Acked || v.MessagesReceived > s.Acked+s.Pending {
				t.Errorf("send %+v; server received %d, duplicates %d", s, v.MessagesReceived, v.MessagesDuplicate)
			}
		})
	}
}
