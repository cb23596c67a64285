package sut

import (
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/evloop"
	"github.com/stormbench/stormbench/internal/protocol"
)

// The broadcast stream is a function of time: message N is published at
// Epoch + N×interval and its content follows from N. Worker processes and
// a server restarted after a crash therefore agree on every sequence
// number, and any of them can replay the latest Replay messages to a client
// that resumes — as a server backed by a durable log would.

// startBroadcast runs on the shard's loop once, when the server starts.
func (sh *shard) startBroadcast() {
	cfg := &sh.srv.cfg
	if cfg.BroadcastInterval <= 0 {
		return
	}
	sh.lastSeq = sh.srv.seqAt(time.Now())
	sh.scheduleNext()
}

func (sh *shard) scheduleNext() {
	s := sh.srv
	at := s.epoch.Add(time.Duration(sh.lastSeq+1) * s.cfg.BroadcastInterval)
	sh.loop.Schedule(&sh.bcast, s.monoAt(at))
}

// OnTimer publishes every message due since the last fire (a loop that
// fell behind catches up, at most Replay messages) to every connection
// that is not blackholed.
func (sh *shard) OnTimer(_ *evloop.Timer, _, _ time.Duration) {
	cfg := &sh.srv.cfg
	cur := sh.srv.seqAt(time.Now())
	from := max(sh.lastSeq+1, cur-int64(max(cfg.Replay, 1))+1)
	for seq := from; seq <= cur; seq++ {
		sh.payload = protocol.AppendMsg(sh.payload[:0], seq)
		frame := sh.fw.Frame(ws.OpText, sh.payload, nil)
		// Iterate backwards: a failed write removes the connection by
		// swapping the last one into its place.
		for i := len(sh.conns) - 1; i >= 0; i-- {
			if i >= len(sh.conns) {
				continue
			}
			c := sh.conns[i]
			if c.blackholed {
				continue
			}
			if c.write(frame) {
				sh.srv.stats.c.messagesSent.Add(1)
			}
		}
	}
	if cur > sh.lastSeq {
		sh.lastSeq = cur
	}
	sh.scheduleNext()
}
