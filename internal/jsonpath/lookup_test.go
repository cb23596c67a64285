package jsonpath

import (
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	deep := func(n int) string { // n nested objects under "a", 1 at the innermost
		return `{"a":` + strings.Repeat(`{"a":`, n-1) + `1` + strings.Repeat(`}`, n)
	}
	deepArr := func(n int) string { // an array nested n-1 deep before "x"
		return `{"skip":` + strings.Repeat(`[`, n-1) + strings.Repeat(`]`, n-1) + `,"x":2}`
	}
	tests := []struct {
		name, msg, path string
		want            string
		kind            Kind
	}{
		{"flat string", `{"type":"pong","t":5}`, "type", "pong", KindString},
		{"flat number", `{"type":"pong","t":5}`, "t", "5", KindNumber},
		{"whitespace", " \t\r\n{ \"t\" :\n 17 , \"u\":1 } ", "t", "17", KindNumber},
		{"last member", `{"a":1,"b":[1,2],"c":"x"}`, "c", "x", KindString},
		{"nested", `{"data":{"kind":"pong","ts":1.7e12}}`, "data.kind", "pong", KindString},
		{"nested number", `{"data":{"kind":"pong","ts":1.7e12}}`, "data.ts", "1.7e12", KindNumber},
		{"object value", `{"data":{"k": [1, {"x":2}] },"z":0}`, "data", `{"k": [1, {"x":2}] }`, KindObject},
		{"array value", `{"a":[1,"]",{"b":"}"}]}`, "a", `[1,"]",{"b":"}"}]`, KindArray},
		{"empty containers", `{"o":{},"a":[],"x":true}`, "x", "true", KindBool},
		{"false", `{"x":false}`, "x", "false", KindBool},
		{"null", `{"x":null}`, "x", "null", KindNull},
		{"arrays skipped", `{"list":[{"type":"nope"},[[["type"]]]],"type":"yes"}`, "type", "yes", KindString},
		{"nested objects skipped", `{"x":{"type":"inner"},"type":"outer"}`, "type", "outer", KindString},
		{"escaped key", `{"ty\u0070e":"pong"}`, "type", "pong", KindString},
		{"escaped value", `{"type":"p\u006fng"}`, "type", `p\u006fng`, KindEscapedString},
		{"escaped quote in skipped value", `{"a":"x\"type\":1","type":2}`, "type", "2", KindNumber},
		{"duplicate key: first wins", `{"seq":1,"seq":2}`, "seq", "1", KindNumber},
		{"duplicate object: first wins", `{"d":{"x":1},"d":{"y":2}}`, "d.x", "1", KindNumber},
		{"key with dot", `{"a.b":1,"a":{"b":2}}`, `a\.b`, "1", KindNumber},
		{"dotted path", `{"a.b":1,"a":{"b":2}}`, `a.b`, "2", KindNumber},
		{"key with backslash", `{"a\\b":3}`, `a\\b`, "3", KindNumber},
		{"key with equals", `{"k=v":4}`, `k\=v`, "4", KindNumber},
		{"unicode key", `{"clé":"v","\u00e9t\u00e9":"s"}`, "été", "s", KindString},
		{"surrogate pair key", `{"\ud83d\ude00":1}`, "😀", "1", KindNumber},
		{"lone surrogate key is U+FFFD", `{"\ud83d":1}`, "\uFFFD", "1", KindNumber},
		{"invalid UTF-8 key is U+FFFD", "{\"\xff\":1}", "\uFFFD", "1", KindNumber},
		{"invalid UTF-8 value", "{\"v\":\"a\xffb\"}", "v", "a\xffb", KindEscapedString},
		{"UTF-8 value", `{"v":"héllo"}`, "v", "héllo", KindString},
		{"negative exponent", `{"n":-0.5E-3}`, "n", "-0.5E-3", KindNumber},
		{"zero", `{"n":0}`, "n", "0", KindNumber},
		{"empty string", `{"s":""}`, "s", "", KindString},
		{"garbage after the field", `{"a":1,"b":2 oops`, "a", "1", KindNumber},
		{"depth 64", deep(64), strings.TrimSuffix(strings.Repeat("a.", 64), "."), "1", KindNumber},
		{"object at depth 64", deep(64), strings.TrimSuffix(strings.Repeat("a.", 63), "."), `{"a":1}`, KindObject},
		{"skip at depth 64", deepArr(64), "x", "2", KindNumber},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, kind, ok := Lookup([]byte(tc.msg), mustCompile(t, tc.path))
			if !ok || string(raw) != tc.want || kind != tc.kind {
				t.Errorf("got %q %v %v, want %q %v", raw, kind, ok, tc.want, tc.kind)
			}
		})
	}
}

func TestLookupAbsent(t *testing.T) {
	tests := []struct{ name, msg, path string }{
		{"absent", `{"a":1}`, "b"},
		{"empty object", `{}`, "a"},
		{"empty message", ``, "a"},
		{"only space", "  ", "a"},
		{"array at top", `[{"a":1}]`, "a"},
		{"string at top", `"a"`, "a"},
		{"not an object on the way", `{"a":5}`, "a.b"},
		{"array on the way", `{"a":[{"b":1}]}`, "a.b"},
		{"first duplicate not an object", `{"a":1,"a":{"b":2}}`, "a.b"},
		{"nested only", `{"x":{"type":"pong"}}`, "type"},
		{"key prefix", `{"types":1,"typ":2}`, "type"},
		{"case matters", `{"Type":1}`, "type"},
		{"truncated in key", `{"ty`, "type"},
		{"truncated after colon", `{"type":`, "type"},
		{"truncated value", `{"type":"po`, "type"},
		{"truncated number", `{"t":12`, "t"},
		{"truncated before", `{"a":[1,2`, "b"},
		{"missing colon", `{"a" 1,"b":2}`, "b"},
		{"missing comma", `{"a":1 "b":2}`, "b"},
		{"trailing comma", `{"a":1,}`, "b"},
		{"trailing comma in array", `{"a":[1,],"b":2}`, "b"},
		{"single quotes", `{'a':1}`, "a"},
		{"unquoted key", `{a:1}`, "a"},
		{"bad escape in key", `{"\x":1,"b":2}`, "b"},
		{"bad unicode escape", `{"a":"\u12g4","b":2}`, "b"},
		{"control char in string", "{\"a\":\"x\ny\",\"b\":2}", "b"},
		{"leading zero", `{"a":01,"b":2}`, "b"},
		{"plus sign", `{"a":+1,"b":2}`, "b"},
		{"bare point", `{"a":1.,"b":2}`, "b"},
		{"bad exponent", `{"a":1e,"b":2}`, "b"},
		{"bad literal", `{"a":tru,"b":2}`, "b"},
		{"NaN", `{"a":NaN,"b":2}`, "b"},
		{"mismatched brackets", `{"a":[1},"b":2}`, "b"},
		{"value garbage", `{"a":1x}`, "a"},
		{"string garbage", `{"a":"x"y}`, "a"},
		{"object garbage", `{"a":{}]}`, "a"},
		{"object at depth 65", `{"a":` + strings.Repeat(`{"a":`, 64) + `1` + strings.Repeat(`}`, 65), strings.TrimSuffix(strings.Repeat("a.", 64), ".")},
		{"skip at depth 65", `{"skip":` + strings.Repeat(`[`, 64) + strings.Repeat(`]`, 64) + `,"x":2}`, "x"},
		{"very deep", `{"a":` + strings.Repeat(`[`, 100000), "b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustCompile(t, tc.path)
			if raw, kind, ok := Lookup([]byte(tc.msg), p); ok || raw != nil || kind != KindNone {
				t.Errorf("found %q %v", raw, kind)
			}
		})
	}
	if _, _, ok := Lookup([]byte(`{"a":1}`), Path{}); ok {
		t.Error("zero Path found something")
	}
}
