package jsonpath

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCompile(t *testing.T) {
	tests := []struct {
		path string
		keys []string
		err  string // substring of the error; "" = valid
	}{
		{"seq", []string{"seq"}, ""},
		{"meta.seq", []string{"meta", "seq"}, ""},
		{`a\.b.c`, []string{"a.b", "c"}, ""},
		{`a\\.b`, []string{`a\`, "b"}, ""},
		{`k\=v`, []string{"k=v"}, ""},
		{"é.😀", []string{"é", "😀"}, ""},
		{"with space", []string{"with space"}, ""},
		{strings.TrimSuffix(strings.Repeat("a.", MaxDepth), "."), slices.Repeat([]string{"a"}, MaxDepth), ""},
		{strings.TrimSuffix(strings.Repeat("a.", MaxDepth+1), "."), nil, "more than MaxDepth"},
		{"", nil, "empty key"},
		{".a", nil, "empty key"},
		{"a.", nil, "empty key"},
		{"a..b", nil, "empty key"},
		{`a\`, nil, "backslash"},
		{`a\b`, nil, "backslash"},
		{"a=b", nil, `'=' in a path`},
		{"\xff", nil, "not UTF-8"},
	}
	for _, tc := range tests {
		p, err := Compile(tc.path)
		if tc.err != "" {
			if err == nil || !errors.Is(err, ErrPath) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.path, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(p.Keys(), tc.keys) || p.String() != tc.path {
			t.Errorf("%q: %q %v, want %q", tc.path, p.Keys(), err, tc.keys)
		}
	}
}

func TestCompileMatch(t *testing.T) {
	tests := []struct {
		spec, path string
		value      string
		hasValue   bool
		err        bool
	}{
		{"type=pong", "type", "pong", true, false},
		{"data.kind=pong", "data.kind", "pong", true, false},
		{"type", "type", "", false, false},
		{"type=", "type", "", true, false},
		{"a=b=c", "a", "b=c", true, false},
		{`k\=v=1`, `k\=v`, "1", true, false},
		{`x=a\b.c`, "x", `a\b.c`, true, false},
		{"=pong", "", "", false, true},
		{"a.=x", "", "", false, true},
		{`a\x=1`, "", "", false, true},
	}
	for _, tc := range tests {
		m, err := CompileMatch(tc.spec)
		if tc.err {
			if !errors.Is(err, ErrPath) {
				t.Errorf("%q: error %v", tc.spec, err)
			}
			continue
		}
		v, has := m.Value()
		if err != nil || m.Path().String() != tc.path || v != tc.value || has != tc.hasValue || m.String() != tc.spec {
			t.Errorf("%q: path %q value %q %v err %v", tc.spec, m.Path(), v, has, err)
		}
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		spec, msg string
		want      bool
	}{
		{"type=pong", `{"type":"pong","t":1}`, true},
		{"type=pong", `{"type":"ping","t":1}`, false},
		{"type=pong", `{"t":1}`, false},
		{"type=pong", `{"type":"pongs"}`, false},
		{"type=pong", `{"type":"pon"}`, false},
		{"type=pong", `{"ty\u0070e":"p\u006fng"}`, true},
		{"type=pong", `{"type":"pong\u0000"}`, false},
		{"type=pong", `{"type":["pong"]}`, false},
		{"type=pong", `{"data":{"type":"pong"}}`, false},
		{"type=pong", `not json`, false},
		{"event=heartbeat", `{"event":"heartbeat","ref":"1"}`, true},
		{"data.kind=pong", `{"data":{"kind":"pong"}}`, true},
		{"data.kind=pong", `{"data":{"kind":"ping"},"kind":"pong"}`, false},
		{"type", `{"type":null}`, true},
		{"type", `{"type":{}}`, true},
		{"type", `{"typo":1}`, false},
		{"type=", `{"type":""}`, true},
		{"type=", `{"type":null}`, false},
		{"ok=true", `{"ok":true}`, true},
		{"ok=true", `{"ok":"true"}`, true},
		{"ok=null", `{"ok":null}`, true},
		{"seq=10", `{"seq":10}`, true},
		{"seq=10", `{"seq":1e1}`, false},
		{"seq=10", `{"seq":"10"}`, true},
		{"emoji=😀", `{"emoji":"\ud83d\ude00"}`, true},
		{"bad=\uFFFD", "{\"bad\":\"\xff\"}", true},
		{"q=\"", `{"q":"\""}`, true},
		{`a\.b=1`, `{"a.b":1}`, true},
	}
	for _, tc := range tests {
		m, err := CompileMatch(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Matches([]byte(tc.msg)); got != tc.want {
			t.Errorf("%q on %s: %v", tc.spec, tc.msg, got)
		}
	}
	if (Match{}).Matches([]byte(`{"a":1}`)) {
		t.Error("zero Match matched")
	}
}
