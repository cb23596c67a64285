// Package jsonpath finds one field of a JSON message without allocating:
// how stormbench recognises a foreign server's pong (--app-pong
// 'type=pong', 'data.kind=pong'), reads the timestamp it echoes
// (--app-pong-time data.ts) and the sequence number of a broadcast
// (--seq-field meta.seq). It runs once per received message on event
// loops that hold hundreds of thousands of connections.
//
// A Path is a dotted list of object keys, compiled once: "seq",
// "data.kind". A key holding a dot, a backslash or an equals sign writes
// it with a backslash: "a\.b" is the one key "a.b", "x\\y" is x\y, "k\=v"
// is k=v. Any other backslash, an empty key and an unescaped '=' are
// errors. There is no array index: a path only goes through objects;
// Array walks the elements of an array (a whole message, or a field
// Lookup found) one at a time, and Text gives a value's JSON text.
//
// A Match is a path, optionally with "=value": the field must be present
// and, with a value, equal it. A string field is compared after JSON
// unescaping ("ty\u0070e":"p\u006fng" matches type=pong); a number, true,
// false or null is compared with its literal text (seq=10 does not match
// 1e1 or 10.0); an object or array never equals a value. The value is
// everything after the first unescaped '=', taken as it is.
//
// Messages are read as RFC 8259 JSON, one pass from the start and no
// further than needed: the top level must be an object; keys are
// compared after unescaping, and bytes that are not UTF-8 count as U+FFFD
// (as encoding/json decodes them); when a key occurs twice in one object
// the first occurrence wins (encoding/json keeps the last: the two agree
// on every message without duplicate keys). Everything read on the way to
// the field is checked against the grammar, and Lookup fails on the first
// error; what follows the field is not read, so a message that breaks
// only after it still answers.
//
// Robustness: any input is safe — no panic, time linear in its length,
// no recursion: values are skipped with an explicit 64-bit stack, and
// nesting deeper than MaxDepth makes a Lookup that must pass through it
// fail.
//
// Numbers: Int accepts a JSON integer (no fraction or exponent) that fits
// int64; Number any JSON number that fits float64, parsed exactly as
// strconv.ParseFloat does. Both also accept a string holding such a
// literal ("seq":"123", "ts":"1.7e12", with no escapes or spaces), since
// servers written for JavaScript often quote 64-bit values.
//
// This is written here rather than taken from a JSON library because the
// libraries that find a field without decoding the whole message
// (gjson, jsonparser) do not check the grammar of what they pass,
// have path syntaxes of their own that a user's key would have to be
// escaped for, and allocate to unescape long keys or strings; fastjson
// and encoding/json decode everything.
package jsonpath
