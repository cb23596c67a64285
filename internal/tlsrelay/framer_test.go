package tlsrelay

import (
	"encoding/binary"
	"testing"
)

// boundaries returns the offsets at which records of stream end, by a
// plain reading of the headers.
func boundaries(stream []byte) map[int]bool {
	out := map[int]bool{}
	for i := 0; i+recordHeaderLen <= len(stream); {
		i += recordHeaderLen + int(binary.BigEndian.Uint16(stream[i+3:]))
		out[i] = true
	}
	return out
}

// checkFramer feeds stream in chunks of the given sizes (each cut to the
// framer's limit) and checks that it sees the boundaries the plain
// reading sees, and never lets a chunk cross one.
func checkFramer(t *testing.T, stream []byte, chunks []int) {
	want := boundaries(stream)
	var f framer
	off := 0
	for i := 0; off < len(stream); i++ {
		k := 1
		if len(chunks) > 0 {
			k = max(1, chunks[i%len(chunks)])
		}
		k = min(k, f.limit(), len(stream)-off)
		if k <= 0 {
			t.Fatalf("limit %d at %d", f.limit(), off)
		}
		f.feed(stream[off : off+k])
		off += k
		if f.boundary() != want[off] {
			t.Fatalf("at %d: boundary %v, want %v", off, f.boundary(), want[off])
		}
	}
}

func record(typ byte, body int) []byte {
	b := []byte{typ, 3, 3, byte(body >> 8), byte(body)}
	return append(b, make([]byte, body)...)
}

func TestFramer(t *testing.T) {
	var two []byte
	two = append(two, record(23, 40)...)
	two = append(two, record(23, 0)...)
	two = append(two, record(21, 2)...)
	for _, tc := range []struct {
		name   string
		stream []byte
		chunks []int
	}{
		{"one record whole", record(23, 100), []int{1000}},
		{"byte by byte", record(23, 30), []int{1}},
		{"split header", record(23, 30), []int{2, 3, 100}},
		{"records back to back", two, []int{7, 1000, 3}},
		{"empty record", record(23, 0), []int{5}},
		{"largest record", record(23, 16640), []int{4096}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkFramer(t, tc.stream, tc.chunks) })
	}
}

// FuzzFramer: any stream, any chunking, the same boundaries as a plain
// reading of the headers.
func FuzzFramer(f *testing.F) {
	f.Add(record(23, 10), []byte{1, 7})
	f.Add(append(record(22, 300), record(23, 1)...), []byte{255})
	f.Fuzz(func(t *testing.T, stream, chunks []byte) {
		cs := make([]int, len(chunks))
		for i, c := range chunks {
			cs[i] = int(c)
		}
		checkFramer(t, stream, cs)
	})
}
