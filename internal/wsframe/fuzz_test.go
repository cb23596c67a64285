package wsframe

import (
	"math/rand/v2"
	"testing"

	"github.com/gobwas/ws"
)

// FuzzDecoder feeds arbitrary streams in both roles: whole, byte by byte
// and cut at random points. It must never panic, never deliver more than
// Keep bytes of data or 125 of control, never hold more than Keep + 125
// bytes, and the three feedings must deliver the same callbacks and end
// with the same error.
func FuzzDecoder(f *testing.F) {
	for _, tc := range ruleCases {
		f.Add([]byte(tc.stream), byte(tc.role), uint64(len(tc.stream)))
	}
	for _, role := range []Role{Client, Server} {
		s, _ := reassemblyStream(role)
		f.Add(s, byte(role), uint64(7))
		f.Add(s, byte(role)|0x80, uint64(3)) // small Keep: skipped
	}
	var w Writer
	f.Add(append([]byte(nil), w.Close(1000, "bye", nil)...), byte(Client), uint64(1))
	f.Add(append([]byte(nil), w.Frame(ws.OpText, []byte("h€llo"), &[4]byte{1, 2, 3, 4})...), byte(Server), uint64(2))
	f.Add(raw(true, 0, ws.OpBinary, make([]byte, 300), nil), byte(Client)|0x80, uint64(5))

	f.Fuzz(func(t *testing.T, stream []byte, mode byte, seed uint64) {
		cfg := &Config{Role: Role(mode & 1)}
		if mode&0x80 != 0 {
			cfg.Keep = 1 + int(mode>>1&0x3f) // 1–64: exercise skipping
		}
		if mode&0x40 != 0 {
			cfg.MaxMessage = 200
		}
		keep := int(cfg.keep())
		rng := rand.New(rand.NewPCG(seed, uint64(len(stream))))
		var random []int
		for i := 1; i < len(stream); i++ {
			if rng.IntN(4) == 0 {
				random = append(random, i)
			}
		}
		var first []event
		var firstErr error
		for k, cuts := range [][]int{nil, byteCuts(len(stream)), random} {
			data := append([]byte(nil), stream...)
			var d Decoder
			rec := &recorder{keep: keep}
			var err error
			prev := 0
			for _, c := range append(cuts, len(data)) {
				err = d.Feed(cfg, data[prev:c], rec, 0)
				if d.Retained() > keep+MaxControlPayload {
					t.Fatalf("retained %d, Keep %d", d.Retained(), keep)
				}
				if err != nil {
					break
				}
				prev = c
			}
			if rec.over != 0 {
				t.Fatalf("a payload over its bound was delivered: %v", rec.events)
			}
			if err != nil {
				if _, ok := err.(Rule); !ok {
					t.Fatalf("error %T %v is not a Rule", err, err)
				}
			}
			if k == 0 {
				first, firstErr = rec.events, err
				continue
			}
			if err != firstErr || !sameEvents(rec.events, first) {
				t.Fatalf("feeding %d differs:\n%v, %v\nwhole:\n%v, %v", k, rec.events, err, first, firstErr)
			}
		}
	})
}
