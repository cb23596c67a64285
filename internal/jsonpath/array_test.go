package jsonpath

import (
	"strings"
	"testing"
)

func TestArray(t *testing.T) {
	tests := []struct {
		in    string
		want  []string // raw elements
		kinds []Kind
		bad   bool
	}{
		{`[]`, nil, nil, false},
		{` [ "tick" , {"seq":1} , 3, null, [1,2], "a\"b" ] `, []string{"tick", `{"seq":1}`, "3", "null", "[1,2]", `a\"b`},
			[]Kind{KindString, KindObject, KindNumber, KindNull, KindArray, KindEscapedString}, false},
		{`["x",]`, []string{"x"}, []Kind{KindString}, true},
		{`["x" "y"]`, []string{"x"}, []Kind{KindString}, true},
		{`["x"`, []string{"x"}, []Kind{KindString}, true},
		{`[{"a":]`, nil, nil, true},
		{`{"a":1}`, nil, nil, true},
		{``, nil, nil, true},
	}
	for _, tt := range tests {
		e, _ := Array([]byte(tt.in))
		var got []string
		var kinds []Kind
		for {
			raw, k, ok := e.Next()
			if !ok {
				break
			}
			got = append(got, string(raw))
			kinds = append(kinds, k)
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || e.Malformed() != tt.bad {
			t.Errorf("%q: got %q (malformed %v), want %q (malformed %v)", tt.in, got, e.Malformed(), tt.want, tt.bad)
		}
		for i := range kinds {
			if i < len(tt.kinds) && kinds[i] != tt.kinds[i] {
				t.Errorf("%q: element %d kind %v, want %v", tt.in, i, kinds[i], tt.kinds[i])
			}
		}
	}
}

func TestArrayAllocs(t *testing.T) {
	msg := []byte(`["tick",{"seq":12345},"offset-1"]`)
	n := testing.AllocsPerRun(100, func() {
		e, _ := Array(msg)
		for {
			if _, _, ok := e.Next(); !ok {
				break
			}
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per walk", n)
	}
}

func FuzzArray(f *testing.F) {
	for _, s := range []string{`[]`, `["a",1,{"b":[2]}]`, `[[[[`, `["\u00e9"]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, _ := Array(b)
		n := 0
		for {
			raw, _, ok := e.Next()
			if !ok {
				break
			}
			if len(raw) > len(b) {
				t.Fatal("element longer than the input")
			}
			n++
			if n > len(b) {
				t.Fatal("more elements than bytes")
			}
		}
	})
}
