package sut

import (
	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/protocol"
)

// onSend acknowledges a client's message and de-duplicates it by (client,
// id): a message the session had already received is acked with "dup":1
// and counted as a duplicate, not as received. The client is the
// connection's ?client=ID, else the message's "c". It does not allocate
// (BenchmarkAckPath).
func (c *conn) onSend(m *protocol.Message) {
	sh := c.sh
	st := &sh.srv.stats.c
	if !m.HasID || m.ID <= 0 || (c.sess == nil && m.Client < 0) {
		st.sendsInvalid.Add(1)
		return
	}
	s := c.sess
	if s == nil {
		s = sh.session(uint64(m.Client))
		sh.keepAlive(s)
	}
	id := uint64(m.ID)
	dup, skipped := s.seen.add(id)
	if skipped > 0 {
		st.dedupSkipped.Add(int64(skipped))
	}
	if dup {
		st.messagesDuplicate.Add(1)
	} else {
		st.messagesReceived.Add(1)
	}
	sh.payload = protocol.AppendAck(sh.payload[:0], id, dup)
	if c.write(sh.fw.Frame(ws.OpText, sh.payload, nil)) {
		st.acksSent.Add(1)
	}
}
