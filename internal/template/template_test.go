package template

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	tokens := writeFile(t, "tokens.txt", "alpha\r\nbeta\n\ngam ma/+\n")
	files := NewFiles()
	v := Vars{Client: 3, Shard: 2, NowUnixNano: 1_700_000_000_123_456_789}
	tests := []struct {
		name, tmpl string
		ctx        Context
		vars       Vars
		want       string
	}{
		{"plain", "hello", InBody, v, "hello"},
		{"empty", "", InBody, v, ""},
		{"client", "id={{client}}", InBody, v, "id=3"},
		{"spaces inside", "{{ client }}/{{\tshard\t}}", InBody, v, "3/2"},
		{"shard", "{{shard}}", InBody, v, "2"},
		{"now_ms", `{"type":"ping","time":{{now_ms}}}`, InBody, v, `{"type":"ping","time":1700000000123}`},
		{"now_ns", "{{now_ns}}", InBody, v, "1700000000123456789"},
		{"now_ms before 1970 rounds down", "{{now_ms}}", InBody, Vars{NowUnixNano: -1}, "-1"},
		{"max client", "{{client}}", InBody, Vars{Client: ^uint64(0)}, "18446744073709551615"},
		{"env", "Bearer {{env TOKEN}}", InHeader, v, "Bearer s3cr3t"},
		{"env empty", "[{{env EMPTY}}]", InHeader, v, "[]"},
		{"env quoted name", `{{env "TOKEN"}}`, InBody, v, "s3cr3t"},
		{"env escaped in URL", "ws://h/p?t={{env SPACE}}", InURL, v, "ws://h/p?t=a%20b%2Fc%2Bd"},
		{"env raw in body", "{{env SPACE}}", InBody, v, "a b/c+d"},
		{"line 0 CRLF", "Bearer {{line " + tokens + "}}", InHeader, Vars{Client: 0}, "Bearer alpha"},
		{"line 1", "{{line " + tokens + "}}", InHeader, Vars{Client: 1}, "beta"},
		{"empty line", "[{{line " + tokens + "}}]", InBody, Vars{Client: 2}, "[]"},
		{"line 3 in body", "{{line " + tokens + "}}", InBody, Vars{Client: 3}, "gam ma/+"},
		{"line 3 in URL", "ws://h:1/{{line " + tokens + "}}?c={{client}}", InURL, Vars{Client: 3}, "ws://h:1/gam%20ma%2F%2B?c=3"},
		{"line beyond fleet wraps", "{{line " + tokens + "}}", InBody, Vars{Client: 5}, "beta"},
		{"literal braces", `{{"{{"}}client}}`, InBody, v, "{{client}}"},
		{"raw string literal", "{{`{{x}`}}", InBody, v, "{{x}"},
		{"closing braces need no escape", `{"a":{"b":{{client}}}}`, InBody, v, `{"a":{"b":3}}`},
		{"request-target", "/ws?room={{client}}", InURL, v, "/ws?room=3"},
		{"URL query", "wss://example.test?c={{client}}", InURL, v, "wss://example.test?c=3"},
		{"URL fragment", "ws://h#{{client}}", InURL, v, "ws://h#3"},
		{"HTAB in header", "a\tb{{client}}", InHeader, v, "a\tb3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm, err := Parse(tc.tmpl, Options{Context: tc.ctx, Clients: 4, Files: files, LookupEnv: testEnv})
			if err != nil {
				t.Fatal(err)
			}
			got := string(tm.Append(nil, tc.vars))
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if len(got) > tm.MaxLen() {
				t.Errorf("rendered %d bytes, MaxLen %d", len(got), tm.MaxLen())
			}
			if tm.String() != tc.tmpl || tm.Context() != tc.ctx {
				t.Errorf("String/Context = %q/%v", tm.String(), tm.Context())
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	dir := t.TempDir()
	short := writeFile(t, "short.txt", "a\nb\n")
	ctl := writeFile(t, "ctl.txt", "a\nb\nc\x00d\ne\n")
	lone := writeFile(t, "lone.txt", "a\nb\rc\nd\n")
	bad8 := writeFile(t, "bad8.txt", "a\nb\nok\xe2\x82\n")
	tests := []struct {
		name, tmpl string
		ctx        Context
		clients    int
		is         error
		at         int
		says       []string // substrings of the message
	}{
		{"unknown", "ab{{foo}}", InBody, 4, ErrSyntax, 2, []string{"unknown placeholder {{foo}}", `{{"{{"}}`}},
		{"unclosed", "x{{client", InBody, 4, ErrSyntax, 1, []string{"never closed"}},
		{"unclosed after one", "{{client}} {{", InBody, 4, ErrSyntax, 11, []string{"never closed"}},
		{"empty action", "{{}}", InBody, 4, ErrSyntax, 0, []string{"unknown placeholder"}},
		{"triple brace", "{{{client}}}", InBody, 4, ErrSyntax, 0, []string{"{{{client}}"}},
		{"case matters", "{{Client}}", InBody, 4, ErrSyntax, 0, nil},
		{"arg to client", "{{client 1}}", InBody, 4, ErrSyntax, 0, []string{"takes no argument"}},
		{"env without name", "{{env}}", InBody, 4, ErrSyntax, 0, []string{"needs an argument"}},
		{"bad quoted", `{{"abc}}`, InBody, 4, ErrSyntax, 0, []string{"not a Go string literal"}},
		{"bad quoted arg", `{{line "abc}}`, InBody, 4, ErrSyntax, 0, []string{"not a Go string literal"}},
		{"env unset", "a{{env NOPE_NOT_SET}}", InHeader, 4, ErrEnvUnset, 1, []string{"NOPE_NOT_SET"}},
		{"env CRLF in header", "{{env CRLF}}", InHeader, 4, ErrBadValue, 0, []string{"CRLF", "0x0d"}},
		{"env bad UTF-8 in body", "{{env BAD8}}", InBody, 4, ErrBadValue, 0, []string{"BAD8", "UTF-8"}},
		{"no such file", "{{line " + dir + "/nope.txt}}", InBody, 4, ErrFile, 0, []string{"nope.txt", "no such file"}},
		{"no clients", "{{line " + short + "}}", InBody, 0, ErrFile, 0, []string{"Options.Clients"}},
		{"too few lines", "x {{line " + short + "}}", InHeader, 3, ErrTooFewLines, 2, []string{short, "has 2 lines, 3 needed"}},
		{"NUL in header", "{{line " + ctl + "}}", InHeader, 4, ErrBadValue, 0, []string{ctl, "line 3", "0x00", "byte 1"}},
		{"lone CR in header", "{{line " + lone + "}}", InHeader, 3, ErrBadValue, 0, []string{"line 2", "0x0d"}},
		{"bad UTF-8 in body", "{{line " + bad8 + "}}", InBody, 3, ErrBadValue, 0, []string{"line 3", "byte 2"}},
		{"literal CR in header", "ab\rc", InHeader, 4, ErrBadValue, 2, []string{"0x0d"}},
		{"quoted LF in header", `x{{"\n"}}`, InHeader, 4, ErrBadValue, 1, []string{"0x0a"}},
		{"DEL in header", "a\x7f", InHeader, 4, ErrBadValue, 1, nil},
		{"literal bad UTF-8 in body", "ok\xffno", InBody, 4, ErrBadValue, 2, nil},
		{"placeholder in host", "ws://{{env TOKEN}}/ws", InURL, 4, ErrPlacement, 0, []string{"host"}},
		{"placeholder in port", "ws://h:{{shard}}/ws", InURL, 4, ErrPlacement, 0, []string{"host"}},
		{"placeholder in scheme", "{{env TOKEN}}://h/ws", InURL, 4, ErrPlacement, 0, []string{"scheme"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.tmpl, Options{Context: tc.ctx, Clients: tc.clients, LookupEnv: testEnv})
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			var e *Error
			if !errors.As(err, &e) || e.Offset != tc.at {
				t.Errorf("offset: got %+v, want %d", e, tc.at)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

// TestLinesBeyondFleet: only the lines a client will use are judged.
func TestLinesBeyondFleet(t *testing.T) {
	f := writeFile(t, "late.txt", "a\nb\nc\x01\n")
	tm, err := Parse("{{line "+f+"}}", Options{Context: InHeader, Clients: 2})
	if err != nil {
		t.Fatal(err)
	}
	// A client beyond the fleet (a caller's bug) wraps around within it,
	// never reaching the unchecked line.
	if got := string(tm.Append(nil, Vars{Client: 2})); got != "a" {
		t.Fatalf("client 2 of 2 got %q", got)
	}
	if _, err := Parse("{{line "+f+"}}", Options{Context: InHeader, Clients: 3}); !errors.Is(err, ErrBadValue) {
		t.Fatalf("got %v", err)
	}
	// A URL escapes what a header refuses.
	tm, err = Parse("/{{line "+f+"}}", Options{Context: InURL, Clients: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(tm.Append(nil, Vars{Client: 2})); got != "/c%01" {
		t.Fatalf("got %q", got)
	}
}

// TestErrorsKeepSecrets: an error names a bad variable or line but never
// quotes its value.
func TestErrorsKeepSecrets(t *testing.T) {
	f := writeFile(t, "tok.txt", "topsecret1\ntopsecret2\x00\n")
	lookup := env(map[string]string{"T": "topsecret3\n"})
	for _, tmpl := range []string{"{{line " + f + "}}", "{{env T}}"} {
		_, err := Parse(tmpl, Options{Context: InHeader, Clients: 2, LookupEnv: lookup})
		if err == nil || strings.Contains(err.Error(), "topsecret") {
			t.Errorf("%s: %v", tmpl, err)
		}
	}
}

func TestStaticAndUses(t *testing.T) {
	f := writeFile(t, "t.txt", "x\n")
	tests := []struct {
		tmpl   string
		static bool
		uses   []Placeholder
	}{
		{"plain", true, nil},
		{"{{shard}}-{{env TOKEN}}", true, []Placeholder{ShardIndex, Env}},
		{"{{client}}", false, []Placeholder{ClientID}},
		{"{{line " + f + "}}", false, []Placeholder{Line}},
		{"{{now_ms}}", false, []Placeholder{NowMS}},
		{"{{now_ns}}", false, []Placeholder{NowNS}},
		{`{{"{{"}}now_ms}}`, true, nil},
	}
	for _, tc := range tests {
		tm, err := Parse(tc.tmpl, Options{Clients: 1, LookupEnv: testEnv})
		if err != nil {
			t.Fatal(err)
		}
		if tm.Static() != tc.static {
			t.Errorf("%s: Static %v", tc.tmpl, tm.Static())
		}
		for p := range numPlaceholders {
			want := false
			for _, u := range tc.uses {
				want = want || u == p
			}
			if tm.Uses(p) != want {
				t.Errorf("%s: Uses(%v) = %v", tc.tmpl, p, !want)
			}
		}
	}
	if (&Template{}).Uses(numPlaceholders + 3) {
		t.Error("Uses of an unknown placeholder")
	}
}

func TestEnvDefaultsToProcess(t *testing.T) {
	t.Setenv("STORMBENCH_TEMPLATE_TEST", "v1")
	tm, err := Parse("{{env STORMBENCH_TEMPLATE_TEST}}", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(tm.Append(nil, Vars{})); got != "v1" {
		t.Fatalf("got %q", got)
	}
}

// TestMaxLen: MaxLen bounds every rendering, extremes included.
func TestMaxLen(t *testing.T) {
	f := writeFile(t, "t.txt", "short\n"+strings.Repeat("/", 50)+"\nmid dle\n")
	for _, ctx := range []Context{InBody, InHeader, InURL} {
		tm, err := Parse("/a{{client}}{{shard}}{{now_ms}}{{now_ns}}{{line "+f+"}}", Options{Context: ctx, Clients: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []Vars{
			{Client: ^uint64(0), Shard: -1 << 63, NowUnixNano: -1 << 63},
			{Client: 1, Shard: 1<<63 - 1, NowUnixNano: 1<<63 - 1},
		} {
			if n := len(tm.Append(nil, v)); n > tm.MaxLen() {
				t.Errorf("%v: %d bytes, MaxLen %d", ctx, n, tm.MaxLen())
			}
		}
	}
}

// TestEscapeRoundTrip: every byte survives percent-encoding as a path
// segment and as a query value, and only unreserved bytes are kept.
func TestEscapeRoundTrip(t *testing.T) {
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
	}
	esc := string(appendEscaped(nil, all))
	if len(esc) != escapedLen(all) {
		t.Fatalf("escapedLen %d, escaped %d", escapedLen(all), len(esc))
	}
	for _, unescape := range []func(string) (string, error){url.PathUnescape, url.QueryUnescape} {
		if got, err := unescape(esc); err != nil || got != string(all) {
			t.Fatalf("round trip: %q, %v", got, err)
		}
	}
	if u, err := url.Parse("ws://h/" + esc + "?q=" + esc); err != nil || u.Query().Get("q") != string(all) {
		t.Fatalf("url.Parse: %v", err)
	}
	for c := range 256 {
		want := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", byte(c)) >= 0
		if unreserved(byte(c)) != want {
			t.Errorf("unreserved(%q) = %v", byte(c), !want)
		}
	}
}
