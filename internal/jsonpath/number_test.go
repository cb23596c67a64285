package jsonpath

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestInt(t *testing.T) {
	tests := []struct {
		msg  string
		want int64
		ok   bool
	}{
		{`{"seq":123}`, 123, true},
		{`{"seq":0}`, 0, true},
		{`{"seq":-7}`, -7, true},
		{`{"seq":9223372036854775807}`, math.MaxInt64, true},
		{`{"seq":-9223372036854775808}`, math.MinInt64, true},
		{`{"seq":9223372036854775808}`, 0, false},
		{`{"seq":-9223372036854775809}`, 0, false},
		{`{"seq":99999999999999999999999}`, 0, false},
		{`{"seq":"123"}`, 123, true},
		{`{"seq":"-5"}`, -5, true},
		{`{"seq":"0123"}`, 0, false},
		{`{"seq":" 1"}`, 0, false},
		{`{"seq":"1 "}`, 0, false},
		{`{"seq":"\u0031"}`, 0, false},
		{`{"seq":""}`, 0, false},
		{`{"seq":"12a"}`, 0, false},
		{`{"seq":1.0}`, 0, false},
		{`{"seq":1e3}`, 0, false},
		{`{"seq":true}`, 0, false},
		{`{"seq":null}`, 0, false},
		{`{"seq":[1]}`, 0, false},
		{`{"other":1}`, 0, false},
	}
	p := mustCompile(t, "seq")
	for _, tc := range tests {
		got, ok := Int([]byte(tc.msg), p)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: %d %v", tc.msg, got, ok)
		}
	}
}

func TestNumber(t *testing.T) {
	long := "1700000000000." + strings.Repeat("0", 40)
	tests := []struct {
		msg  string
		want float64
		ok   bool
	}{
		{`{"t":1700000000000}`, 1.7e12, true},
		{`{"t":1.7e12}`, 1.7e12, true},
		{`{"t":1.7E+12}`, 1.7e12, true},
		{`{"t":-0.25}`, -0.25, true},
		{`{"t":"1.7e12"}`, 1.7e12, true},
		{`{"t":"1.7e12x"}`, 0, false},
		{`{"t":"NaN"}`, 0, false},
		{`{"t":"Infinity"}`, 0, false},
		{`{"t":1e400}`, 0, false},
		{`{"t":-1e400}`, 0, false},
		{`{"t":1e-400}`, 0, true},
		{`{"t":` + long + `}`, 1.7e12, true},
		{`{"t":0.` + strings.Repeat("0", 40) + `17e53}`, 1.7e12, true},
		{`{"t":` + strings.Repeat("9", 400) + `}`, 0, false},
		{`{"t":true}`, 0, false},
		{`{"t":{}}`, 0, false},
	}
	p := mustCompile(t, "t")
	for _, tc := range tests {
		got, ok := Number([]byte(tc.msg), p)
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("%s: %g %v", tc.msg, got, ok)
		}
	}
}

// TestParseFloatLong: a literal longer than 32 bytes, rewritten or not,
// parses to what strconv.ParseFloat makes of it.
func TestParseFloatLong(t *testing.T) {
	for _, s := range []string{
		"0.000000000000000000000000000000000000001",
		"-0.000000000000000000000000000000000000000",
		"123456789012345678900000000000000000000000",
		"1234567890123456789000000000000000000000.0e-5",
		"12345678901234567890123456789012345678",
		"1.2345678901234567890123456789012345678",
		"9007199254740993.000000000000000000000000000",
		"4.9406564584124654e-324000000000000000000000000000000",
		"0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001e-300",
		"1000000000000000000000000000000000000000000000000000e-1000000000000000000000000000",
		"1e00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001",
	} {
		want, werr := strconv.ParseFloat(s, 64)
		got, ok := parseFloat([]byte(s))
		if ok != (werr == nil) || ok && got != want {
			t.Errorf("%s: %g %v, want %g %v", s, got, ok, want, werr)
		}
	}
}
