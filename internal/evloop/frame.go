package evloop

import (
	"bytes"
	"errors"
	"io"

	"github.com/gobwas/ws"
)

// MaxFramePayload bounds the payload a peer may declare; a larger frame is
// a protocol error rather than a reason to buffer megabytes per socket.
const MaxFramePayload = 1 << 20

// ErrFrameTooLarge reports a frame whose declared payload exceeds MaxFramePayload.
var ErrFrameTooLarge = errors.New("evloop: frame payload too large")

// FrameWriter builds whole frames (header and payload) in one buffer so
// that each frame goes out in a single write syscall. One per loop; not
// safe for concurrent use.
type FrameWriter struct {
	buf     []byte
	scratch [ws.MaxHeaderSize]byte
}

// Write appends p to the frame under construction (it is the io.Writer
// that ws.WriteHeaderBuffer writes the header into).
func (w *FrameWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// Frame returns the bytes of one frame with opcode op and the given
// payload. When mask is non-nil the payload is masked with it, as RFC 6455
// §5.3 requires of every client-to-server frame. The result is valid until
// the next call.
func (w *FrameWriter) Frame(op ws.OpCode, payload []byte, mask *[4]byte) []byte {
	h := ws.Header{Fin: true, OpCode: op, Length: int64(len(payload))}
	if mask != nil {
		h.Masked = true
		h.Mask = *mask
	}
	w.buf = w.buf[:0]
	// Cannot fail: the writer never errors and the length is in range.
	_ = ws.WriteHeaderBuffer(w, h, w.scratch[:])
	start := len(w.buf)
	w.buf = append(w.buf, payload...)
	if mask != nil {
		ws.Cipher(w.buf[start:], *mask, 0)
	}
	return w.buf
}

// FrameReader splits a byte stream into frames with gobwas/ws's header
// parser. One per loop; not safe for concurrent use.
type FrameReader struct {
	r       bytes.Reader
	scratch [ws.MaxHeaderSize]byte
}

// Next parses the frame at the start of data. It returns the header, the
// payload (a sub-slice of data, still masked if the frame is masked) and
// the number of bytes the frame takes. n == 0 with a nil error means data
// holds only part of a frame: keep it and read more.
func (fr *FrameReader) Next(data []byte) (h ws.Header, payload []byte, n int, err error) {
	fr.r.Reset(data)
	h, err = ws.ReadHeaderBuffer(&fr.r, fr.scratch[:])
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return h, nil, 0, nil
		}
		return h, nil, 0, err
	}
	if h.Length > MaxFramePayload {
		return h, nil, 0, ErrFrameTooLarge
	}
	hl := len(data) - fr.r.Len()
	end := hl + int(h.Length)
	if end > len(data) {
		return h, nil, 0, nil
	}
	return h, data[hl:end], end, nil
}

// FrameHandler receives the frames Feed splits off a stream. It returns
// false when it closed the connection and wants no more frames.
type FrameHandler interface {
	HandleFrame(h ws.Header, payload []byte, size int) bool
}

// Feed hands every whole frame of *partial followed by data to h, payloads
// unmasked in place, and keeps an incomplete last frame in *partial for the
// next read (a large leftover buffer is dropped once empty, so that an
// idle connection keeps none). It returns the stream's framing error, if
// any; frames handed over before it stand.
func (fr *FrameReader) Feed(partial *[]byte, data []byte, h FrameHandler) error {
	if len(*partial) > 0 {
		*partial = append(*partial, data...)
		data = *partial
	}
	for len(data) > 0 {
		hd, payload, n, err := fr.Next(data)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		if hd.Masked {
			ws.Cipher(payload, hd.Mask, 0)
		}
		if !h.HandleFrame(hd, payload, n) {
			return nil
		}
		data = data[n:]
	}
	if len(data) == 0 {
		*partial = (*partial)[:0]
		if cap(*partial) > 4096 {
			*partial = nil
		}
		return nil
	}
	// data may be a suffix of *partial; append moves overlapping bytes safely.
	*partial = append((*partial)[:0], data...)
	return nil
}
