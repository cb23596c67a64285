package template

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"unicode/utf8"
)

// Files reads each file that {{line FILE}} names once and shares it among
// all the templates parsed with it: a token file used in a header and in
// the URL is held in memory once. The zero value is not usable; make one
// with NewFiles. It is safe for concurrent use.
type Files struct {
	mu sync.Mutex
	m  map[string]*file // by absolute path
	// read reads a whole file: os.ReadFile, or a stand-in in tests that
	// must not read whatever path a fuzzer makes up (/dev/stdin would
	// never end).
	read func(name string) ([]byte, error)
}

// NewFiles returns an empty cache.
func NewFiles() *Files { return &Files{m: make(map[string]*file), read: os.ReadFile} }

// Bytes is the memory the cached files hold: their lines, the slack left
// by removed line terminators, and 4 bytes of offset per line.
func (f *Files) Bytes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, fl := range f.m {
		n += cap(fl.data) + 4*cap(fl.off)
	}
	return n
}

// load returns the file called name, reading it on first use.
func (f *Files) load(name string) (*file, error) {
	abs, err := filepath.Abs(name)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrFile, name, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl, ok := f.m[abs]; ok {
		return fl, nil
	}
	data, err := f.read(abs)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrFile, name, err)
	}
	fl, err := newFile(data)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrFile, name, err)
	}
	f.m[abs] = fl
	return fl, nil
}

// file is one file's lines: line i is data[off[i]:off[i+1]].
type file struct {
	data []byte
	off  []uint32
	// maxLen and maxEsc are the longest line's length, raw and
	// percent-encoded.
	maxLen, maxEsc int
	// ctl is the index of the first line with a control character other
	// than HTAB and ctlAt the byte offset of that character in it; bad
	// the index of the first line that is not UTF-8. -1: none.
	ctl, ctlAt, bad int
}

// newFile splits data into lines in place: terminators are squeezed out
// so that the lines lie back to back and need no length of their own.
func newFile(data []byte) (*file, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if len(data) > math.MaxUint32 {
		return nil, fmt.Errorf("%d bytes, more than the 4 GiB a file may have", len(data))
	}
	n := bytes.Count(data, []byte{'\n'})
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	fl := &file{off: make([]uint32, n+1), ctl: -1, ctlAt: -1, bad: -1}
	r, w := 0, 0
	for i := 0; i < n; i++ {
		end := bytes.IndexByte(data[r:], '\n')
		next := r + end + 1
		if end < 0 {
			end, next = len(data)-r, len(data)
		}
		line := data[r : r+end]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		fl.off[i] = uint32(w)
		fl.scan(i, line)
		w += copy(data[w:], line)
		r = next
	}
	fl.off[n] = uint32(w)
	fl.data = data[:w]
	return fl, nil
}

// scan records what line i holds that a context may refuse, and its size.
func (fl *file) scan(i int, line []byte) {
	fl.maxLen = max(fl.maxLen, len(line))
	fl.maxEsc = max(fl.maxEsc, escapedLen(line))
	if fl.ctl < 0 {
		if j := ctlIndex(line); j >= 0 {
			fl.ctl, fl.ctlAt = i, j
		}
	}
	if fl.bad < 0 && !utf8.Valid(line) {
		fl.bad = i
	}
}

// lines is the number of lines.
func (fl *file) lines() int { return len(fl.off) - 1 }

// line returns line g, which must exist.
func (fl *file) line(g uint64) []byte { return fl.data[fl.off[g]:fl.off[g+1]] }

// clientLine returns the line of client g of a fleet of n clients (n ≤
// lines). An ID beyond the fleet wraps around within it, rather than
// panic or reach a line Parse did not check for the context.
func (fl *file) clientLine(g, n uint64) []byte {
	if g >= n {
		g %= n
	}
	return fl.line(g)
}

// ctlIndex returns the offset of the first control character other than
// HTAB in b (what an HTTP field value may not hold, RFC 7230 §3.2), or -1.
func ctlIndex[T string | []byte](b T) int {
	for i := 0; i < len(b); i++ {
		if c := b[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return i
		}
	}
	return -1
}
