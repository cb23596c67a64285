package jsonpath

import (
	"math"
	"strconv"
)

// Int returns the field at p as an int64: a JSON integer (no fraction or
// exponent), or a string holding one, that fits int64. It does not
// allocate.
func Int(msg []byte, p Path) (int64, bool) {
	raw, ok := numberText(msg, p)
	if !ok {
		return 0, false
	}
	return parseInt(raw)
}

// Number returns the field at p as a float64: any JSON number, or a
// string holding one, within float64's range (a number too small for it
// is 0), rounded as strconv.ParseFloat does. It does not allocate unless
// the literal is longer than 32 bytes and has more than 19 significant
// digits (more than a float64 can tell apart).
func Number(msg []byte, p Path) (float64, bool) {
	raw, ok := numberText(msg, p)
	if !ok {
		return 0, false
	}
	return parseFloat(raw)
}

// numberText returns the literal text of the number at p, bare or quoted.
func numberText(msg []byte, p Path) ([]byte, bool) {
	raw, kind, ok := Lookup(msg, p)
	if !ok {
		return nil, false
	}
	switch kind {
	case KindNumber:
		return raw, true
	case KindString:
		if end, _, ok := scanNumber(raw, 0); ok && end == len(raw) {
			return raw, true
		}
	}
	return nil, false
}

// parseInt parses a JSON number literal that must be an integer within
// int64.
func parseInt(b []byte) (int64, bool) {
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var u uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false // fraction or exponent
		}
		d := uint64(c - '0')
		if u > (limit-d)/10 {
			return 0, false
		}
		u = u*10 + d
	}
	if neg {
		return -int64(u-1) - 1, true // -MinInt64 overflows
	}
	return int64(u), true
}

// shortNumber is the longest literal strconv.ParseFloat is handed as it
// is: string(b) of up to 32 bytes that does not escape is built on the
// stack. Every float64 prints in fewer (at most 24 bytes).
const shortNumber = 32

// parseFloat parses a JSON number literal. A longer literal is rewritten
// as its significant digits and an exponent, which denote the same
// decimal, so ParseFloat rounds it the same.
func parseFloat(b []byte) (float64, bool) {
	if len(b) <= shortNumber {
		return checkFloat(strconv.ParseFloat(string(b), 64))
	}
	var buf [shortNumber]byte
	if s, ok := normalize(buf[:0], b); ok {
		return checkFloat(strconv.ParseFloat(string(s), 64))
	}
	return checkFloat(strconv.ParseFloat(string(b), 64)) // allocates
}

func checkFloat(f float64, err error) (float64, bool) {
	return f, err == nil
}

// normalize appends the JSON number b as [-]DeE, with D its significant
// digits and E its exponent clamped to ±400 (beyond which the value is 0
// or out of range either way): the same decimal in at most 25 bytes. ok
// is false when D has more than 19 digits.
func normalize(dst, b []byte) ([]byte, bool) {
	if b[0] == '-' {
		dst = append(dst, '-')
		b = b[1:]
	}
	var mant [19]byte
	nd := 0
	zeros := 0 // zeros after the last non-zero digit, not yet in mant
	frac := 0  // digits after the point
	inFrac := false
	i := 0
	for ; i < len(b) && b[i] != 'e' && b[i] != 'E'; i++ {
		c := b[i]
		switch {
		case c == '.':
			inFrac = true
			continue
		case c == '0':
			if nd > 0 {
				zeros++
			}
		default:
			if nd+zeros+1 > len(mant) {
				return nil, false
			}
			for ; zeros > 0; zeros-- {
				mant[nd] = '0'
				nd++
			}
			mant[nd] = c
			nd++
		}
		if inFrac {
			frac++
		}
	}
	exp := 0
	if i < len(b) {
		i++ // 'e'
		neg := b[i] == '-'
		if b[i] == '-' || b[i] == '+' {
			i++
		}
		for ; i < len(b); i++ {
			if exp < 1e6 {
				exp = exp*10 + int(b[i]-'0')
			}
		}
		if neg {
			exp = -exp
		}
	}
	if nd == 0 {
		return append(dst, '0'), true
	}
	exp = min(max(exp-frac+zeros, -400), 400)
	dst = append(dst, mant[:nd]...)
	dst = append(dst, 'e')
	return strconv.AppendInt(dst, int64(exp), 10), true
}
