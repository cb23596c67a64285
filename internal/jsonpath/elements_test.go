package jsonpath

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestElements(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // Text of each element
		err  bool
		rest string
	}{
		{"empty", `[]`, nil, false, ""},
		{"spaces", " [ ] \n", nil, false, " \n"},
		{"phoenix", `["1","1","room:lobby","phx_join",{}]`, []string{`"1"`, `"1"`, `"room:lobby"`, `"phx_join"`, `{}`}, false, ""},
		{"kinds", `[null, -1.5e3 ,true,false,"a\"b",[1,[2]],{"k":[{}]}]`, []string{`null`, `-1.5e3`, `true`, `false`, `"a\"b"`, `[1,[2]]`, `{"k":[{}]}`}, false, ""},
		{"trailing text", `[1] x`, []string{`1`}, false, " x"},
		{"not an array", `{"a":1}`, nil, true, ""},
		{"nothing", ``, nil, true, ""},
		{"unclosed", `[1,2`, []string{`1`, `2`}, true, ""},
		{"trailing comma", `[1,]`, []string{`1`}, true, ""},
		{"missing comma", `[1 2]`, []string{`1`}, true, ""},
		{"leading comma", `[,1]`, nil, true, ""},
		{"bad element", `["a",tru]`, []string{`"a"`}, true, ""},
		{"bad string", `["\x"]`, nil, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := []byte(tc.in)
			e := Array(msg)
			var got []string
			for {
				raw, kind, ok := e.Next()
				if !ok {
					break
				}
				got = append(got, string(Text(msg, raw, kind)))
			}
			if !reflect.DeepEqual(got, tc.want) || e.Err() != tc.err || string(e.Rest()) != tc.rest {
				t.Errorf("got %q err %v rest %q, want %q err %v rest %q", got, e.Err(), e.Rest(), tc.want, tc.err, tc.rest)
			}
			if _, _, ok := e.Next(); ok {
				t.Error("Next after the end returned an element")
			}
		})
	}
}

func TestElementsKinds(t *testing.T) {
	msg := []byte(`["s","\u0041",1,true,null,{},[]]`)
	want := []Kind{KindString, KindEscapedString, KindNumber, KindBool, KindNull, KindObject, KindArray}
	e := Array(msg)
	for i, k := range want {
		raw, kind, ok := e.Next()
		if !ok || kind != k {
			t.Fatalf("element %d: kind %v ok %v, want %v", i, kind, ok, k)
		}
		if i == 1 && string(AppendString(nil, raw)) != "A" {
			t.Errorf("escaped string decodes to %q", AppendString(nil, raw))
		}
	}
}

// TestElementsDepth: nesting beyond MaxDepth inside an element is an
// error, not a crash.
func TestElementsDepth(t *testing.T) {
	deep := "[" + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + "]"
	e := Array([]byte(deep))
	if _, _, ok := e.Next(); ok || !e.Err() {
		t.Errorf("nesting of %d: ok %v err %v", MaxDepth+1, ok, e.Err())
	}
	ok := "[" + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + "]"
	e = Array([]byte(ok))
	if _, _, found := e.Next(); !found {
		t.Errorf("nesting of %d refused", MaxDepth)
	}
}

func TestTextOfLookup(t *testing.T) {
	msg := []byte(`{"a":{"b":"x\"y","c":""},"n":12}`)
	for path, want := range map[string]string{"a.b": `"x\"y"`, "a.c": `""`, "n": `12`, "a": `{"b":"x\"y","c":""}`} {
		raw, kind, ok := Lookup(msg, mustCompile(t, path))
		if !ok {
			t.Fatalf("%s: not found", path)
		}
		if got := string(Text(msg, raw, kind)); got != want {
			t.Errorf("%s: Text %q, want %q", path, got, want)
		}
		// Looked up in a value sliced from msg, Text in msg still works.
		a, _, _ := Lookup(msg, mustCompile(t, "a"))
		if raw, kind, ok := Lookup(a, mustCompile(t, "b")); ok {
			if got := string(Text(msg, raw, kind)); got != `"x\"y"` {
				t.Errorf("nested: Text %q", got)
			}
		}
	}
	// Bytes not sliced from msg come back as they are.
	if got := string(Text(msg, []byte("zz"), KindString)); got != "zz" {
		t.Errorf("foreign raw: %q", got)
	}
}

func TestElementsAllocs(t *testing.T) {
	msg := []byte(`[null,"7","room:lobby","tick",{"seq":1,"items":[1,2,3]}]`)
	allocs := testing.AllocsPerRun(100, func() {
		e := Array(msg)
		for {
			raw, kind, ok := e.Next()
			if !ok {
				break
			}
			_ = Text(msg, raw, kind)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}

func BenchmarkElements(b *testing.B) {
	msg := []byte(`[null,null,"room:lobby","tick",{"seq":123456,"data":{"k":"v","list":[1,2,3]}}]`)
	b.ReportAllocs()
	for b.Loop() {
		e := Array(msg)
		for {
			if _, _, ok := e.Next(); !ok {
				break
			}
		}
	}
}

// FuzzElements checks Elements against encoding/json: on any input no
// panic and every element lies inside the input; on a JSON array that
// encoding/json decodes (within MaxDepth), the same elements with the
// same values, and no error.
func FuzzElements(f *testing.F) {
	for _, s := range []string{
		`["1","1","room:lobby","phx_join",{}]`, `[null,null,"t","e",{"seq":1}]`,
		`[]`, ` [ 1 , "a\u0041" , [true] ] `, `[1,`, `{"a":[1]}`, `["` + "\xff" + `"]`,
		"[" + strings.Repeat("[", 70) + strings.Repeat("]", 70) + "]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		e := Array(msg)
		var got []any
		for n := 0; ; n++ {
			raw, kind, ok := e.Next()
			if !ok {
				break
			}
			text := Text(msg, raw, kind)
			if !within(raw, msg) || !within(text, msg) {
				t.Fatalf("element %d %q is not part of msg", n, raw)
			}
			var v any
			d := json.NewDecoder(bytes.NewReader(text))
			d.UseNumber()
			if err := d.Decode(&v); err != nil {
				t.Fatalf("element %d %q (%v) does not decode: %v", n, text, kind, err)
			}
			got = append(got, v)
		}
		i := skipWS(msg, 0)
		if i >= len(msg) || msg[i] != '[' || !json.Valid(msg) || tooDeep(msg) {
			return
		}
		var want []any
		d := json.NewDecoder(bytes.NewReader(msg))
		d.UseNumber()
		if err := d.Decode(&want); err != nil {
			return
		}
		if e.Err() {
			t.Fatalf("error on a valid array")
		}
		if len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
			t.Fatalf("elements %v, encoding/json %v", got, want)
		}
	})
}

// tooDeep reports whether a valid JSON text nests deeper than MaxDepth.
func tooDeep(msg []byte) bool {
	depth, inStr := 0, false
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		switch {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case !inStr && (c == '[' || c == '{'):
			if depth++; depth > MaxDepth {
				return true
			}
		case !inStr && (c == ']' || c == '}'):
			depth--
		}
	}
	return false
}
