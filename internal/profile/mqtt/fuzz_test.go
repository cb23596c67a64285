package mqtt

import (
	"slices"
	"testing"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
	"github.com/stormbench/stormbench/internal/template"
)

// FuzzReceive: whatever the broker sends, however it is cut into
// messages, Receive does not panic, keeps no more than MaxPacket bytes in
// State.Partial, and means the same as when the bytes come in one message.
func FuzzReceive(f *testing.F) {
	for _, s := range []string{
		"20020000" + "9003000100" + "301000057469636b737b22736571223a377d" + "d000",
		"20020100" + "3a1200057469636b7300097b22736571223a387d",
		"20020005",
		"2003000000" + "900400010000" + "301400057469636b7303010100" + "7b22736571223a377d" + "e0028b00",
		"2009008706" + "1f00036e6f21",
		"20060000" + "0313000a",
		"20020000" + "30ffffff7f",
		"20ffffffff01",
	} {
		f.Add(hx(s), []byte{1, 3, 200}, false)
		f.Add(hx(s), []byte{0}, true)
	}
	f.Fuzz(func(t *testing.T, data, cuts []byte, v5 bool) {
		cfg := profile.Config{Join: []*template.Template{tmpl(t, "ticks")}, QoS: 1, Persistent: true}
		if v5 {
			cfg.Version = V5
		}
		p := mustNew(t, cfg)
		whole := &profiletest.Conn{}
		st := &profile.State{}
		p.Open(whole, st)
		p.Receive(whole, st, ws.OpBinary, slices.Clone(data))
		if len(st.Partial) > MaxPacket {
			t.Fatalf("Partial holds %d bytes", len(st.Partial))
		}

		split := &profiletest.Conn{}
		st = &profile.State{}
		p.Open(split, st)
		rest := data
		for i := 0; len(rest) > 0; i++ {
			n := 1
			if len(cuts) > 0 {
				n = int(cuts[i%len(cuts)])
			}
			n = min(max(n, 1), len(rest))
			p.Receive(split, st, ws.OpBinary, slices.Clone(rest[:n]))
			rest = rest[n:]
			if len(st.Partial) > MaxPacket {
				t.Fatalf("Partial holds %d bytes", len(st.Partial))
			}
		}
		if whole.String() != split.String() {
			t.Fatalf("in one message:\n%s\ncut:\n%s", whole, split)
		}
	})
}
