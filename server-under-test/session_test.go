package sut

import (
	"net"
	"slices"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/stormbench/stormbench/internal/protocol"
)

func send(t *testing.T, c net.Conn, client, id uint64) {
	t.Helper()
	if err := wsutil.WriteClientText(c, protocol.AppendSend(nil, client, id, time.Now().UnixNano(), 64)); err != nil {
		t.Fatal(err)
	}
}

// expectAck reads the next message and checks it acks id (dup or not).
func expectAck(t *testing.T, c net.Conn, id int64, dup bool) {
	t.Helper()
	m, _ := readMsg(t, c)
	if m.Kind != protocol.KindAck || m.ID != id || m.Dup != dup {
		t.Fatalf("got %+v, want ack %d dup %v", m, id, dup)
	}
}

// expectNothingElse sends an application ping and checks its pong is the
// next message: nothing else was pending.
func expectNothingElse(t *testing.T, c net.Conn) {
	t.Helper()
	if err := wsutil.WriteClientText(c, protocol.AppendPing(nil, 99)); err != nil {
		t.Fatal(err)
	}
	if m, _ := readMsg(t, c); m.Kind != protocol.KindPong || m.T != 99 {
		t.Fatalf("got %+v, want only the pong", m)
	}
}

// TestAcksAndDuplicates: every send is acked; a resent id is acked with
// dup, counted as a duplicate and not as received, whether the client is
// named by ?client= or only by the message's "c".
func TestAcksAndDuplicates(t *testing.T) {
	tests := []struct {
		name  string
		query string
	}{
		{"client in URI", "?client=5"},
		{"client in message", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := startServer(t, Config{})
			c := dial(t, s, tt.query)
			for _, id := range []uint64{1, 2, 3} {
				send(t, c, 5, id)
				expectAck(t, c, int64(id), false)
			}
			send(t, c, 5, 2)
			expectAck(t, c, 2, true)
			// A send without an id is counted, not acked.
			if err := wsutil.WriteClientText(c, []byte(`{"type":"send","c":5}`)); err != nil {
				t.Fatal(err)
			}
			expectNothingElse(t, c)
			eventually(t, func() bool {
				st := s.Stats()
				col := slices.Index(st.Series.Columns, "messages_received")
				var n float64
				for _, r := range st.Series.Rows {
					n += r[col]
				}
				return n == 3
			}, "3 messages received in the series")
			st := s.Stats().Counters
			if st.MessagesReceived != 3 || st.MessagesDuplicate != 1 || st.AcksSent != 4 || st.SendsInvalid != 1 {
				t.Fatalf("received %d duplicate %d acks %d invalid %d; want 3 1 4 1", st.MessagesReceived, st.MessagesDuplicate, st.AcksSent, st.SendsInvalid)
			}
			if got := s.Stats().Series.Columns[6]; got != "messages_received" {
				t.Fatalf("series column %q", got)
			}
		})
	}
}

// TestSessionOutlivesConnection: a client that reconnects within the
// session TTL keeps its de-duplication state; an away session expires
// and its memory is freed.
func TestSessionOutlivesConnection(t *testing.T) {
	s, _ := startServer(t, Config{SessionTTL: 300 * time.Millisecond})
	c := dial(t, s, "?client=9")
	send(t, c, 9, 1)
	expectAck(t, c, 1, false)
	c.Close()
	waitOpen(t, s, 0)
	c2 := dial(t, s, "?client=9")
	send(t, c2, 9, 1) // a redelivery after the reconnect
	expectAck(t, c2, 1, true)
	c2.Close()
	eventually(t, func() bool { return s.Stats().Counters.SessionsExpired == 1 }, "the session to expire")
	st := s.Stats().Counters
	if st.Sessions.Sessions != 0 || st.SessionsCreated != 1 {
		t.Fatalf("sessions %d created %d; want 0 1", st.Sessions.Sessions, st.SessionsCreated)
	}
	if n := sessionsHeld(s); n != 0 {
		t.Fatalf("%d sessions still in the loops' tables", n)
	}
}

// sessionsHeld counts the sessions in the loops' tables, read on the loops.
func sessionsHeld(s *Server) int {
	n := 0
	for _, sh := range s.shards {
		done := make(chan int)
		sh.loop.Submit(func() { done <- len(sh.sessions) })
		n += <-done
	}
	return n
}

// TestSessionTakeover: a second connection of client 7 takes the
// session over; the first is closed with 4409 and the takeover is counted
// with how long the first had been silent.
func TestSessionTakeover(t *testing.T) {
	s, ctl := startServer(t, Config{})
	c1 := dial(t, s, "?client=7")
	waitOpen(t, s, 1)
	const silence = 60 * time.Millisecond
	time.Sleep(silence) // the first connection stays silent this long
	c2 := dial(t, s, "?client=7")
	f, err := ws.ReadFrame(c1)
	if err != nil || f.Header.OpCode != ws.OpClose {
		t.Fatalf("got %v %v, want a close frame", f.Header.OpCode, err)
	}
	if code, _ := ws.ParseCloseFrameData(f.Payload); code != CloseSessionTakenOver {
		t.Fatalf("close code %d, want %d", code, CloseSessionTakenOver)
	}
	send(t, c2, 7, 1)
	expectAck(t, c2, 1, false)
	st, err := ctl.Stats(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	cs := st.Counters
	if cs.Takeovers != 1 || cs.TakeoverSilence.Count != 1 || cs.TakeoverSilence.Max < float64(silence.Milliseconds()) {
		t.Fatalf("takeovers %d silence %+v; want 1, ≥ %v", cs.Takeovers, cs.TakeoverSilence, silence)
	}
	if cs.DisconnectCauses["takeover"] != 1 || cs.Sessions.Sessions != 1 || cs.Open != 1 {
		t.Fatalf("causes %v sessions %d open %d", cs.DisconnectCauses, cs.Sessions.Sessions, cs.Open)
	}
	if st.Takeovers != nil {
		t.Fatal("raw histogram in public stats")
	}
}

// TestZombieTerminated: a silent connection closed by the idle timeout
// is a zombie terminated, not a takeover.
func TestZombieTerminated(t *testing.T) {
	s, _ := startServer(t, Config{IdleTimeout: 100 * time.Millisecond})
	dial(t, s, "?client=3")
	waitOpen(t, s, 1)
	waitOpen(t, s, 0)
	st := s.Stats().Counters
	if st.ZombiesTerminated != 1 || st.Takeovers != 0 {
		t.Fatalf("zombies %d takeovers %d; want 1 0", st.ZombiesTerminated, st.Takeovers)
	}
}
