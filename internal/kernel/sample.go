package kernel

import "strconv"

// Sample is one reading of the kernel's TCP usage. A field the kernel did
// not print (an older or newer layout, a file that could not be read) is
// absent, never zero: Get says which.
type Sample struct {
	v    [numFields]int64
	have uint32 // bit f set: v[f] was read
}

// Get returns the value of f and whether the sample has it.
func (s *Sample) Get(f Field) (int64, bool) {
	if !s.Has(f) {
		return 0, false
	}
	return s.v[f], true
}

// Has reports whether the sample holds a value for f.
func (s *Sample) Has(f Field) bool { return f < numFields && s.have&(1<<f) != 0 }

// Set stores v as the value of f (for callers that build samples, such as
// tests and merged shards).
func (s *Sample) Set(f Field, v int64) {
	if f >= numFields {
		return
	}
	s.v[f] = v
	s.have |= 1 << f
}

// Reset forgets every value, so the sample can be filled again.
func (s *Sample) Reset() { *s = Sample{} }

// Delta returns s relative to an earlier sample prev: counters become the
// increase since prev (absent unless both samples have them, and absent if
// the counter went backwards), gauges keep their value in s.
func (s Sample) Delta(prev Sample) Sample {
	out := s
	for f := Field(0); f < numFields; f++ {
		if !f.Counter() || !s.Has(f) {
			continue
		}
		p, ok := prev.Get(f)
		if !ok || s.v[f] < p {
			out.v[f] = 0
			out.have &^= 1 << f
			continue
		}
		out.v[f] = s.v[f] - p
	}
	return out
}

// MarshalJSON writes the fields the sample has, by column name
// ({"tcp_mem_pages":166,…}); absent fields are left out.
func (s Sample) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for f := Field(0); f < numFields; f++ {
		v, ok := s.Get(f)
		if !ok {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, f.String()...)
		b = append(b, '"', ':')
		b = strconv.AppendInt(b, v, 10)
	}
	return append(b, '}'), nil
}
