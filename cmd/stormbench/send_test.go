package main

import (
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/measure"
)

// TestSendThroughPartition: clients send their own messages through a
// partition to a server that acknowledges them. Every produced message is
// accounted for exactly (acked + dropped + lost + pending); at-most-once
// loses what was in flight when the partition began, at-least-once loses
// nothing and the server flags the redelivered ones it had received; the
// bounded queue drops what it predicts: per client, what was produced
// while it was away beyond the queue's bound.
func TestSendThroughPartition(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	const (
		clients = 50
		rate    = 10.0
		queue   = 5
	)
	tests := []struct {
		name      string
		redeliver bool
	}{
		{"at-most-once", false},
		{"at-least-once", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, toks := tokenFile(t, clients)
			fs := startForeign(t, &foreignServer{tokens: toks})
			args := []string{"--url", "ws://" + fs.addr + "/s?id={{client}}", "-H", "Authorization: Bearer {{line " + path + "}}",
				"--clients", "50", "--ramp-rate", "1000", "--hold", "1s", "--fault", "partition", "--fault-duration", "2s",
				"--heartbeat-interval", "200ms", "--heartbeat-timeout", "600ms", "--backoff-base", "100ms", "--jitter", "none",
				"--send-rate", "10", "--send-pattern", "fixed", "--send-queue", "5"}
			if tt.redeliver {
				args = append(args, "--redeliver")
			}
			_, sum, _ := runE2E(t, args...)
			s := sum.Send
			if s == nil {
				t.Fatal("no send summary")
			}
			if s.Produced != s.Acked+s.Dropped+s.Lost+s.Pending {
				t.Fatalf("produced %d ≠ acked %d + dropped %d + lost %d + pending %d", s.Produced, s.Acked, s.Dropped, s.Lost, s.Pending)
			}
			st := sum.Storms[0]
			if st.Recovered != clients {
				t.Fatalf("recovered %d of %d", st.Recovered, clients)
			}
			// A client queues from its detection to its next handshake
			// (reconnect latency); before detection its messages go into
			// the partition as if sent (in flight, one per 1/rate).
			ms := float64(time.Millisecond)
			perClient := func(reconnectMs float64) float64 { return rate*reconnectMs*ms/float64(time.Second) - queue }
			lo := clients * (perClient(st.ReconnectMs.Min) - 1)
			hi := clients * (perClient(st.ReconnectMs.Max) + 1)
			inflight := clients * rate * st.DetectMs.Max * ms / float64(time.Second)
			if tt.redeliver {
				// Redelivered messages join the queue too.
				hi += inflight + clients
			}
			if d := float64(s.Dropped); d < lo || d > hi {
				t.Errorf("dropped %v, want within [%v, %v] (reconnect %v–%v ms, queue %d, %v/s)", d, lo, hi, st.ReconnectMs.Min, st.ReconnectMs.Max, queue, rate)
			}
			if tt.redeliver {
				if s.Lost != 0 {
					t.Errorf("at-least-once lost %d", s.Lost)
				}
			} else if float64(s.Lost) < clients || float64(s.Lost) > inflight+clients {
				t.Errorf("at-most-once lost %d, want the messages in flight at the partition: [%d, %v]", s.Lost, clients, inflight+clients)
			}
			// Dropping the oldest, a queue of 5 at 10/s keeps the last 0.5 s
			// a client produced before it reconnected: those wait longest.
			if lo, hi := float64(queue-1)/rate*1000, float64(queue+1)/rate*1000+300; s.DeliveryMs.Max < lo || s.DeliveryMs.Max > hi {
				t.Errorf("delivery max %v ms, want within [%v, %v] (the queue's last %d messages)", s.DeliveryMs.Max, lo, hi, queue)
			}
			t.Logf("%s: produced %d acked %d dropped %d lost %d pending %d duplicated %d; delivery p50 %.0f p99 %.0f max %.0f ms; outage p99 %.0f ms; flush burst %.0f/s",
				tt.name, s.Produced, s.Acked, s.Dropped, s.Lost, s.Pending, s.Duplicated, s.DeliveryMs.P50, s.DeliveryMs.P99, s.DeliveryMs.Max, st.OutageMs.P99, st.PeakSentPerS)
		})
	}
}

// TestSendForeignAck: a server that acknowledges in its own format is
// understood through --ack MATCH and --ack-id; every message is settled.
func TestSendForeignAck(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	path, toks := tokenFile(t, 50)
	fs := startForeign(t, &foreignServer{tokens: toks, ackFormat: `{"event":"delivered","msg":{"id":%d}}`})
	_, sum, _ := runE2E(t, "--url", "ws://"+fs.addr+"/s?id={{client}}", "-H", "Authorization: Bearer {{line "+path+"}}",
		"--clients", "50", "--ramp-rate", "1000", "--hold", "1s", "--fault", "none",
		"--send-rate", "5", "--ack", "event=delivered", "--ack-id", "msg.id")
	s := sum.Send
	if s == nil || s.Produced == 0 || s.Lost != 0 || s.Acked+s.Pending != s.Produced || s.Acked < s.Produced*9/10 {
		t.Fatalf("send %+v", s)
	}
	if sum.Counters.Get(measure.MessagesOther) > sum.Counters.Get(measure.Connects) { // the welcome messages only
		t.Errorf("%d messages not recognised: acks taken for other traffic?", sum.Counters.Get(measure.MessagesOther))
	}
}
