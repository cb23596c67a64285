package looptls

import (
	"bytes"
	"crypto/tls"
	"reflect"
	"unsafe"
)

// crypto/tls keeps what it read from the wire in an unexported
// bytes.Buffer (rawInput, the records not yet decrypted), the plaintext of
// the record being read in a bytes.Reader (input) and handshake messages
// in another bytes.Buffer (hand). Their offsets are found once by
// reflection, checked against their types, and used only from the
// goroutine that owns the connection (the loop, once the handshake is
// done), never while a method of the tls.Conn runs.
//
// What they are used for, and nothing else:
//
//   - Fill appends the socket's bytes to rawInput, as crypto/tls's own
//     readFromUntil would, but without its per-call reader (32 bytes of
//     garbage per record), and reading straight into it spares a copy;
//   - Read asks crypto/tls for a record only when rawInput holds a whole
//     one or input still holds plaintext, so that it never makes a call
//     that could only fail for want of bytes;
//   - between events an idle connection lends its buffers back: rawInput
//     borrows the loop's scratch for one event, hand is dropped once
//     empty (the handshake grew it to its largest message).
//
// Without them (a Go release that renamed a field) the package still
// works through the wire's Read, as documented for a net.Conn.
var internals struct {
	ok                   bool
	rawInput, input, hnd uintptr
}

func init() {
	t := reflect.TypeFor[tls.Conn]()
	field := func(name string, want reflect.Type) (uintptr, bool) {
		f, ok := t.FieldByName(name)
		if !ok || f.Type != want {
			return 0, false
		}
		return f.Offset, true
	}
	var ok1, ok2, ok3 bool
	internals.rawInput, ok1 = field("rawInput", reflect.TypeFor[bytes.Buffer]())
	internals.input, ok2 = field("input", reflect.TypeFor[bytes.Reader]())
	internals.hnd, ok3 = field("hand", reflect.TypeFor[bytes.Buffer]())
	internals.ok = ok1 && ok2 && ok3
}

// rawInput returns crypto/tls's buffer of records read and not yet
// decrypted; nil without internals.
func rawInput(tc *tls.Conn) *bytes.Buffer {
	if !internals.ok {
		return nil
	}
	return (*bytes.Buffer)(unsafe.Add(unsafe.Pointer(tc), internals.rawInput))
}

// plainInput returns crypto/tls's reader of the current record's
// plaintext not yet handed out.
func plainInput(tc *tls.Conn) *bytes.Reader {
	return (*bytes.Reader)(unsafe.Add(unsafe.Pointer(tc), internals.input))
}

// handBuf returns crypto/tls's buffer of handshake messages.
func handBuf(tc *tls.Conn) *bytes.Buffer {
	return (*bytes.Buffer)(unsafe.Add(unsafe.Pointer(tc), internals.hnd))
}

// Internals reports whether the package reaches crypto/tls's buffers
// (see internals.go); without them it works through the net.Conn path.
func Internals() bool { return internals.ok }
