package jsonpath

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	`{"type":"pong","t":1700000000000}`,
	`{"data":{"kind":"pong","ts":1.7e12},"list":[1,"x",{"a":null}],"ok":true}`,
	`{"ty\u0070e":"p\u006fng","a.b":{"c\\d":[]},"k=v":-0.5e-3}`,
	`{"seq":1,"seq":2}`,
	`{"\ud83d\ude00":"\ud83d","":"empty","x":"` + "\xff" + `"}`,
	` { "meta" : { "seq" : "123" } } `,
	`{"a":` + strings.Repeat(`[`, 70) + strings.Repeat(`]`, 70) + `,"b":1}`,
	`[1,2]`, `{"a":1`, `{"a":tru}`, ``,
}

// FuzzLookup checks Lookup, Int, Number and Matches against encoding/json.
// On any input they must not panic. On a JSON object that encoding/json
// decodes (without duplicate keys, where the two differ by design), the
// path the fuzzer gives and the path of every key in the message must
// agree with it on presence, kind and value; where the message nests
// deeper than MaxDepth, whatever Lookup finds must still agree.
func FuzzLookup(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), "type")
		f.Add([]byte(s), "data.kind")
	}
	f.Fuzz(func(t *testing.T, msg []byte, path string) {
		p, perr := Compile(path)
		raw, _, ok := Lookup(msg, p)
		if ok && !within(raw, msg) {
			t.Fatalf("raw %q is not part of msg", raw)
		}
		Int(msg, p)
		Number(msg, p)
		if m, err := CompileMatch(path); err == nil {
			m.Matches(msg)
		}

		tree, deep, ok := decode(msg)
		if !ok {
			return
		}
		if perr == nil {
			check(t, msg, p, tree, deep)
		}
		n := 0
		walk(tree, nil, func(keys []string) bool {
			check(t, msg, mustCompile(t, pathOf(slices.Clone(keys)...)), tree, deep)
			n++
			return n < 200
		})
	})
}

// within reports whether sub lies inside b.
func within(sub, b []byte) bool {
	if len(sub) == 0 {
		return true
	}
	for i := range b {
		if &b[i] == &sub[0] {
			return i+len(sub) <= len(b)
		}
	}
	return false
}

// decode decodes msg as encoding/json does, numbers as json.Number. ok is
// false unless msg is a JSON object without duplicate keys; deep reports
// nesting beyond MaxDepth.
func decode(msg []byte) (tree map[string]any, deep, ok bool) {
	if i := skipWS(msg, 0); i >= len(msg) || msg[i] != '{' || !json.Valid(msg) {
		return nil, false, false
	}
	d := json.NewDecoder(bytes.NewReader(msg))
	d.UseNumber()
	if d.Decode(&tree) != nil {
		return nil, false, false
	}
	// Walk the tokens for duplicate keys and depth.
	type frame struct {
		obj, wantKey bool
		keys         map[string]bool
	}
	var stack []frame
	d = json.NewDecoder(bytes.NewReader(msg))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return tree, deep, true
		}
		if err != nil {
			return nil, false, false
		}
		if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].wantKey {
			if s, isKey := tok.(string); isKey {
				if stack[n-1].keys[s] {
					return nil, false, false
				}
				stack[n-1].keys[s] = true
				stack[n-1].wantKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			stack = append(stack, frame{obj: tok == json.Delim('{'), wantKey: true, keys: map[string]bool{}})
			deep = deep || len(stack) > MaxDepth
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if n := len(stack); n > 0 && stack[n-1].obj {
			stack[n-1].wantKey = true // a value ended
		}
	}
}

// walk calls fn with the keys of every member of every object reachable
// through objects, depth first, while fn returns true.
func walk(v any, keys []string, fn func([]string) bool) bool {
	m, ok := v.(map[string]any)
	if !ok || len(keys) == MaxDepth {
		return true
	}
	for k, child := range m {
		if k == "" {
			continue // no path names the empty key
		}
		keys := append(keys, k)
		if !fn(keys) || !walk(child, keys, fn) {
			return false
		}
	}
	return true
}

// check compares what Lookup, Int, Number and Matches find at p with what
// encoding/json decoded.
func check(t *testing.T, msg []byte, p Path, tree map[string]any, deep bool) {
	t.Helper()
	var want any = tree
	present := true
	for _, k := range p.Keys() {
		m, isObj := want.(map[string]any)
		if !isObj {
			present = false
			break
		}
		if want, present = m[k]; !present {
			break
		}
	}
	raw, kind, ok := Lookup(msg, p)
	if deep && !ok {
		return // it may have had to pass nesting beyond MaxDepth
	}
	if ok != present {
		t.Fatalf("%q: found %v, encoding/json %v", p, ok, present)
	}
	if !ok {
		return
	}
	if m, err := CompileMatch(p.String()); err != nil || !m.Matches(msg) {
		t.Fatalf("%q: present but match %v", p, err)
	}
	var kindOK bool
	switch w := want.(type) {
	case string:
		kindOK = kind.IsString()
		if got := string(AppendString(nil, raw)); kindOK && (got != w || !EqualString(raw, kind, w)) {
			t.Fatalf("%q: string %q, encoding/json %q", p, got, w)
		}
		if m, err := CompileMatch(p.String() + "=" + w); err != nil || !m.Matches(msg) {
			t.Fatalf("%q = %q does not match: %v", p, w, err)
		}
	case json.Number:
		kindOK = kind == KindNumber && string(raw) == string(w)
		wi, ierr := strconv.ParseInt(string(w), 10, 64)
		if gi, iok := Int(msg, p); iok != (ierr == nil) || iok && gi != wi {
			t.Fatalf("%q: Int %d %v, strconv %d %v", p, gi, iok, wi, ierr)
		}
		wf, ferr := strconv.ParseFloat(string(w), 64)
		if gf, fok := Number(msg, p); fok != (ferr == nil) || fok && gf != wf {
			t.Fatalf("%q: Number %g %v, strconv %g %v", p, gf, fok, wf, ferr)
		}
	case bool:
		kindOK = kind == KindBool && string(raw) == strconv.FormatBool(w)
	case nil:
		kindOK = kind == KindNull
	case map[string]any:
		kindOK = kind == KindObject && json.Valid(raw)
	case []any:
		kindOK = kind == KindArray && json.Valid(raw)
	}
	if !kindOK {
		t.Fatalf("%q: %v %q, encoding/json %T %v", p, kind, raw, want, want)
	}
}

// FuzzNumber: Int and Number agree with strconv on every JSON number,
// bare or quoted, long or short.
func FuzzNumber(f *testing.F) {
	for _, s := range []string{"0", "-1", "1.5e3", "9223372036854775808", "1e400",
		"0.00000000000000000000000000000000000000000000000017", strings.Repeat("1", 40)} {
		f.Add(s)
	}
	p := mustCompile(f, "n")
	f.Fuzz(func(t *testing.T, s string) {
		isNum := false
		if end, _, ok := scanNumber([]byte(s), 0); ok && end == len(s) {
			isNum = true
		}
		wi, ierr := strconv.ParseInt(s, 10, 64)
		wf, ferr := strconv.ParseFloat(s, 64)
		var msgs [][]byte
		if isNum {
			msgs = append(msgs, []byte(`{"n":`+s+`}`))
		}
		if !strings.ContainsAny(s, "\"\\") && ctlFree(s) {
			msgs = append(msgs, []byte(`{"n":"`+s+`"}`))
		}
		for _, msg := range msgs {
			gi, iok := Int(msg, p)
			if iok != (isNum && ierr == nil) || iok && gi != wi {
				t.Fatalf("%s: Int %d %v, strconv %d %v", msg, gi, iok, wi, ierr)
			}
			gf, fok := Number(msg, p)
			if fok != (isNum && ferr == nil) || fok && gf != wf {
				t.Fatalf("%s: Number %g %v, strconv %g %v", msg, gf, fok, wf, ferr)
			}
		}
	})
}

func ctlFree(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			return false
		}
	}
	return true
}

// FuzzCompile: paths and match specs never panic, and the keys of one
// that compiles, escaped again, compile to the same keys.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{"type=pong", `a\.b.c`, `k\=v=x`, "a..b", `\`, "data.kind"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := Compile(s); err == nil {
			if q, err := Compile(pathOf(slices.Clone(p.Keys())...)); err != nil || !slices.Equal(p.Keys(), q.Keys()) {
				t.Fatalf("%q: keys %q, again %q %v", s, p.Keys(), q.Keys(), err)
			}
		}
		if m, err := CompileMatch(s); err == nil {
			v, has := m.Value()
			again := pathOf(slices.Clone(m.Path().Keys())...)
			if has {
				again += "=" + v
			}
			n, err := CompileMatch(again)
			v2, has2 := n.Value()
			if err != nil || !slices.Equal(m.Path().Keys(), n.Path().Keys()) || v != v2 || has != has2 {
				t.Fatalf("%q: %q %q %v, again %q %q %v: %v", s, m.Path().Keys(), v, has, n.Path().Keys(), v2, has2, err)
			}
		}
	})
}

// FuzzString: AppendString and EqualString never panic on any bytes, and
// decode a JSON string's inside as encoding/json does.
func FuzzString(f *testing.F) {
	for _, s := range []string{`h\u00e9`, `\ud83d\ude00`, `\ud83d`, "\xff", `\`, `\u12`, `\q`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got := AppendString(nil, raw)
		if !EqualString(raw, KindEscapedString, string(got)) || !utf8.Valid(got) {
			t.Fatalf("%q decodes to %q, which it does not equal", raw, got)
		}
		EqualString(raw, KindString, string(got))
		var want string
		if json.Unmarshal([]byte(`"`+string(raw)+`"`), &want) != nil {
			return
		}
		if string(got) != want || !EqualString(raw, KindEscapedString, want) {
			t.Fatalf("%q: %q, encoding/json %q", raw, got, want)
		}
	})
}
