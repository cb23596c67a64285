package wsframe

import (
	"errors"
	"strings"
	"testing"

	"github.com/gobwas/ws"
)

// k0 is a zero masking key: server-role streams stay readable (masking
// with other keys is tested elsewhere).
const k0 = "\x00\x00\x00\x00"

var (
	a16  = strings.Repeat("a", 16)
	a17  = strings.Repeat("a", 17)
	a125 = strings.Repeat("a", 125)
	a126 = strings.Repeat("a", 126)
)

type ruleCase struct {
	name   string
	role   Role
	max    int64
	stream string
	want   []event
	rule   Rule
}

// ruleCases has, for every rule, streams that break it after zero or more
// valid frames, which must be delivered.
var ruleCases = []ruleCase{
	{"rsv1 after text", Client, 0, "\x81\x02hi" + "\xc1\x02hi", []event{msg(ws.OpText, "hi", 4)}, RuleReservedBits},
	{"rsv2 after ping", Client, 0, "\x89\x00" + "\xa9\x00", []event{ctl(ws.OpPing, "", 2)}, RuleReservedBits},
	{"rsv3 server", Server, 0, "\x82\x82" + k0 + "hi" + "\x92\x82" + k0 + "hi", []event{msg(ws.OpBinary, "hi", 8)}, RuleReservedBits},

	{"opcode 3 after text", Client, 0, "\x81\x02hi" + "\x83\x00", []event{msg(ws.OpText, "hi", 4)}, RuleReservedOpcode},
	{"opcode 0xB", Client, 0, "\x8b\x00", nil, RuleReservedOpcode},
	{"opcode 7 server", Server, 0, "\x8a\x80" + k0 + "\x87\x80" + k0, []event{ctl(ws.OpPong, "", 6)}, RuleReservedOpcode},

	{"masked from server", Client, 0, "\x81\x02hi" + "\x81\x82\x01\x02\x03\x04ab", []event{msg(ws.OpText, "hi", 4)}, RuleMaskedFrame},
	{"unmasked from client", Server, 0, "\x81\x82" + k0 + "hi" + "\x81\x02hi", []event{msg(ws.OpText, "hi", 8)}, RuleUnmaskedFrame},

	{"ping 126", Client, 0, "\x89\x7d" + a125 + "\x89\x7e\x00\x7e" + a126, []event{ctl(ws.OpPing, a125, 127)}, RuleControlTooLong},
	{"close 126 server", Server, 0, "\x88\xfe\x00\x7e" + k0 + a126, nil, RuleControlTooLong},

	{"ping without fin", Client, 0, "\x09\x00", nil, RuleControlFragmented},
	{"close without fin in message", Client, 0, "\x01\x01a" + "\x08\x00", nil, RuleControlFragmented},
	{"pong without fin server", Server, 0, "\x0a\x80" + k0, nil, RuleControlFragmented},

	{"continuation first", Client, 0, "\x80\x02hi", nil, RuleUnexpectedContinuation},
	{"continuation after message", Client, 0, "\x81\x02hi" + "\x00\x02hi", []event{msg(ws.OpText, "hi", 4)}, RuleUnexpectedContinuation},
	{"continuation server", Server, 0, "\x80\x80" + k0, nil, RuleUnexpectedContinuation},

	{"text in fragmented text", Client, 0, "\x01\x02hi" + "\x81\x02hi", nil, RuleExpectedContinuation},
	{"binary after ping in message", Client, 0, "\x01\x02hi" + "\x89\x00" + "\x02\x00", []event{ctl(ws.OpPing, "", 2)}, RuleExpectedContinuation},
	{"text in binary server", Server, 0, "\x02\x82" + k0 + "hi" + "\x81\x80" + k0, nil, RuleExpectedContinuation},

	{"16-bit length 5", Client, 0, "\x81\x7e\x00\x05hello", nil, RuleBadLength},
	{"16-bit length 125", Client, 0, "\x82\x7e\x00\x7d" + a125, nil, RuleBadLength},
	{"64-bit length 5", Client, 0, "\x82\x7f\x00\x00\x00\x00\x00\x00\x00\x05hello", nil, RuleBadLength},
	{"64-bit length 65535", Client, 0, "\x82\x7f\x00\x00\x00\x00\x00\x00\xff\xff", nil, RuleBadLength},
	{"64-bit msb", Client, 0, "\x81\x02hi" + "\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00", []event{msg(ws.OpText, "hi", 4)}, RuleBadLength},
	{"16-bit length 5 server", Server, 0, "\x82\xfe\x00\x05" + k0 + "hello", nil, RuleBadLength},

	{"invalid after text", Client, 0, "\x81\x02hi" + "\x81\x02\xc3\x28", []event{msg(ws.OpText, "hi", 4)}, RuleInvalidUTF8},
	{"message ends inside character", Client, 0, "\x81\x01\xc3", nil, RuleInvalidUTF8},
	{"last fragment ends inside", Client, 0, "\x01\x01\xc3" + "\x89\x00" + "\x80\x00", []event{ctl(ws.OpPing, "", 2)}, RuleInvalidUTF8},
	{"surrogate across fragments", Client, 0, "\x01\x01\xed" + "\x80\x02\xa0\x80", nil, RuleInvalidUTF8},
	{"overlong 2", Client, 0, "\x81\x02\xc0\xaf", nil, RuleInvalidUTF8},
	{"overlong 3", Client, 0, "\x81\x03\xe0\x80\xaf", nil, RuleInvalidUTF8},
	{"above U+10FFFF", Client, 0, "\x81\x04\xf4\x90\x80\x80", nil, RuleInvalidUTF8},
	{"close reason", Client, 0, "\x88\x04\x03\xe8\xc3\x28", nil, RuleInvalidUTF8},
	{"invalid server", Server, 0, "\x81\x82" + k0 + "\xc3\x28", nil, RuleInvalidUTF8},

	{"close 1 byte", Client, 0, "\x88\x01\x03", nil, RuleBadClosePayload},
	{"close 1 byte server", Server, 0, "\x89\x80" + k0 + "\x88\x81" + k0 + "\x03", []event{ctl(ws.OpPing, "", 6)}, RuleBadClosePayload},

	{"close 0", Client, 0, "\x88\x02\x00\x00", nil, RuleBadCloseCode},
	{"close 999", Client, 0, "\x88\x02\x03\xe7", nil, RuleBadCloseCode},
	{"close 1004", Client, 0, "\x88\x02\x03\xec", nil, RuleBadCloseCode},
	{"close 1005", Client, 0, "\x88\x02\x03\xed", nil, RuleBadCloseCode},
	{"close 1006", Client, 0, "\x88\x02\x03\xee", nil, RuleBadCloseCode},
	{"close 1015", Client, 0, "\x88\x02\x03\xf7", nil, RuleBadCloseCode},
	{"close 1016", Client, 0, "\x88\x02\x03\xf8", nil, RuleBadCloseCode},
	{"close 2999", Client, 0, "\x88\x02\x0b\xb7", nil, RuleBadCloseCode},
	{"close 5000", Client, 0, "\x88\x02\x13\x88", nil, RuleBadCloseCode},
	{"close 1005 server", Server, 0, "\x88\x82" + k0 + "\x03\xed", nil, RuleBadCloseCode},

	{"17 > 16", Client, 16, "\x82\x10" + a16 + "\x82\x11" + a17, []event{msg(ws.OpBinary, a16, 18)}, RuleMessageTooBig},
	{"fragments 10+7 > 16", Client, 16, "\x02\x0a" + a16[:10] + "\x89\x00" + "\x80\x07" + a16[:7], []event{ctl(ws.OpPing, "", 2)}, RuleMessageTooBig},
	{"declared 1 TiB", Client, 0, "\x82\x7f\x00\x00\x01\x00\x00\x00\x00\x00", nil, RuleMessageTooBig},
	{"17 > 16 server", Server, 16, "\x82\x91" + k0 + a17, nil, RuleMessageTooBig},

	{"text after close", Client, 0, "\x88\x02\x03\xe8" + "\x81\x00", []event{ctl(ws.OpClose, "\x03\xe8", 4)}, RuleDataAfterClose},
	{"ping after close", Client, 0, "\x88\x00" + "\x89\x00", []event{ctl(ws.OpClose, "", 2)}, RuleDataAfterClose},
	{"byte after close server", Server, 0, "\x88\x80" + k0 + "\x00", []event{ctl(ws.OpClose, "", 6)}, RuleDataAfterClose},
}

func TestRules(t *testing.T) {
	seen := map[Rule]bool{}
	for _, tc := range ruleCases {
		seen[tc.rule] = true
		for _, mode := range []string{"whole", "bytes"} {
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				cfg := &Config{Role: tc.role, MaxMessage: tc.max}
				var cuts []int
				if mode == "bytes" {
					cuts = byteCuts(len(tc.stream))
				}
				got, d, err := feedChunks(cfg, []byte(tc.stream), cuts)
				if !errors.Is(err, tc.rule) {
					t.Fatalf("error %v, want %v", err, tc.rule)
				}
				if !sameEvents(got, tc.want) {
					t.Fatalf("delivered %v, want %v", got, tc.want)
				}
				// The error sticks.
				if err := d.Feed(cfg, []byte("\x89\x00"), &recorder{}, 0); err != tc.rule {
					t.Fatalf("next Feed: %v", err)
				}
			})
		}
	}
	for _, r := range Rules() {
		if !seen[r] {
			t.Errorf("no test case for %v", r)
		}
	}
}

// TestValidEdges: streams on the valid side of each rule's boundary.
func TestValidEdges(t *testing.T) {
	b126 := strings.Repeat("b", 126)
	tests := []struct {
		name   string
		role   Role
		stream string
		want   []event
	}{
		{"ping 125", Client, "\x89\x7d" + a125, []event{ctl(ws.OpPing, a125, 127)}},
		{"binary 126 in 16 bits", Client, "\x82\x7e\x00\x7e" + b126, []event{msg(ws.OpBinary, b126, 130)}},
		{"empty close", Client, "\x88\x00", []event{ctl(ws.OpClose, "", 2)}},
		{"close 1000 reason", Client, "\x88\x05\x03\xe8é!", []event{ctl(ws.OpClose, "\x03\xe8é!", 7)}},
		{"close 1012", Client, "\x88\x02\x03\xf4", []event{ctl(ws.OpClose, "\x03\xf4", 4)}},
		{"close 1014", Client, "\x88\x02\x03\xf6", []event{ctl(ws.OpClose, "\x03\xf6", 4)}},
		{"close 3000", Client, "\x88\x02\x0b\xb8", []event{ctl(ws.OpClose, "\x0b\xb8", 4)}},
		{"close 4999 server", Server, "\x88\x82" + k0 + "\x13\x87", []event{ctl(ws.OpClose, "\x13\x87", 8)}},
		{"empty fragments", Client, "\x01\x00" + "\x00\x00" + "\x80\x00", []event{msg(ws.OpText, "", 6)}},
		{"U+10FFFF and U+FFFF", Client, "\x81\x07\xf4\x8f\xbf\xbf\xef\xbf\xbf", []event{msg(ws.OpText, "\U0010ffff\uffff", 9)}},
		{"16 == MaxMessage", Client, "\x82\x10" + a16, []event{msg(ws.OpBinary, a16, 18)}},
	}
	for _, tc := range tests {
		for _, mode := range []string{"whole", "bytes"} {
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				cfg := &Config{Role: tc.role, MaxMessage: 16 << 10}
				if tc.name == "16 == MaxMessage" {
					cfg.MaxMessage = 16
				}
				var cuts []int
				if mode == "bytes" {
					cuts = byteCuts(len(tc.stream))
				}
				got, _, err := feedChunks(cfg, []byte(tc.stream), cuts)
				if err != nil || !sameEvents(got, tc.want) {
					t.Fatalf("got %v, %v; want %v", got, err, tc.want)
				}
			})
		}
	}
}

func TestRuleCloseCodes(t *testing.T) {
	for _, r := range Rules() {
		want := CloseProtocolError
		switch r {
		case RuleInvalidUTF8:
			want = CloseInvalidPayload
		case RuleMessageTooBig:
			want = CloseMessageTooBig
		}
		if r.CloseCode() != want || !CloseCodeValid(r.CloseCode()) {
			t.Errorf("%v: close code %d", r, r.CloseCode())
		}
	}
}
