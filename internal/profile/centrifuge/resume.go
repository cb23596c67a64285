package centrifuge

import (
	"encoding/binary"

	"github.com/stormbench/stormbench/internal/profile"
)

// maxEpoch bounds the epoch a connection keeps: Centrifugo's epochs are a
// few characters; a longer one is not kept, so that a hostile server
// cannot make State.Resume grow.
const maxEpoch = 64

// A stream position is kept in State.Resume as the offset (8 bytes, big
// endian) followed by the epoch as the server wrote it inside its JSON
// string (escapes kept, so it is written back as it came). It is kept
// only with --resume and only while the server calls the subscription
// recoverable, as centrifuge-js keeps its position.

// position returns the kept stream position, if any.
func position(st *profile.State) (offset uint64, epoch []byte, ok bool) {
	if len(st.Resume) < 8 {
		return 0, nil, false
	}
	return binary.BigEndian.Uint64(st.Resume), st.Resume[8:], true
}

// setPosition keeps offset and epoch; it reuses State.Resume's memory.
func setPosition(st *profile.State, offset uint64, epoch []byte) {
	if len(epoch) > maxEpoch {
		clearPosition(st)
		return
	}
	r := binary.BigEndian.AppendUint64(st.Resume[:0], offset)
	st.Resume = append(r, epoch...)
}

// setOffset moves the kept position to a publication's offset.
func setOffset(st *profile.State, offset uint64) {
	if len(st.Resume) >= 8 {
		binary.BigEndian.PutUint64(st.Resume, offset)
	}
}

// clearPosition forgets the position (the subscription is not
// recoverable).
func clearPosition(st *profile.State) { st.Resume = st.Resume[:0] }
