package protocol

import "testing"

func TestParseURI(t *testing.T) {
	tests := []struct {
		name, uri, path string
		q               Query
	}{
		{"plain", "/ws", "/ws", Query{}},
		{"client", "/ws?client=17", "/ws", Query{Client: 17, HasClient: true}},
		{"both", "/ws?x=1&client=3&resume=99", "/ws", Query{Client: 3, HasClient: true, Resume: 99, HasResume: true}},
		{"bad numbers", "/ws?client=-1&resume=abc", "/ws", Query{}},
		{"direct", "/ws?client=3&direct=12", "/ws", Query{Client: 3, HasClient: true, Direct: 12, HasDirect: true}},
		{"empty values", "/?client=&resume=", "/", Query{}},
		{"overflow", "/?client=99999999999999999999999", "/", Query{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, q := ParseURI([]byte(tt.uri))
			if string(path) != tt.path || q != tt.q {
				t.Fatalf("ParseURI(%q) = %q, %+v; want %q, %+v", tt.uri, path, q, tt.path, tt.q)
			}
		})
	}
}

func TestAppendURIRoundTrip(t *testing.T) {
	tests := []struct {
		name, path string
		q          Query
		want       string
	}{
		{"client only", "/ws", Query{Client: 5, HasClient: true}, "/ws?client=5"},
		{"resume", "/ws", Query{Client: 5, HasClient: true, Resume: 10, HasResume: true}, "/ws?client=5&resume=10"},
		{"direct", "/ws", Query{Client: 5, HasClient: true, Resume: 10, HasResume: true, Direct: 4, HasDirect: true}, "/ws?client=5&resume=10&direct=4"},
		{"existing query", "/ws?token=a", Query{Client: 1, HasClient: true}, "/ws?token=a&client=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(AppendURI(nil, tt.path, tt.q))
			if got != tt.want {
				t.Fatalf("AppendURI = %q, want %q", got, tt.want)
			}
			if _, q := ParseURI([]byte(got)); q != tt.q {
				t.Fatalf("ParseURI(%q) = %+v, want %+v", got, q, tt.q)
			}
		})
	}
}

// FuzzParseURI checks that ParseURI never panics and that a URI built by
// AppendURI from the parsed values parses back to them.
func FuzzParseURI(f *testing.F) {
	for _, s := range []string{"/ws?client=1&resume=2", "/", "?&&==", "/a?client=18446744073709551615"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, q := ParseURI(b)
		if _, q2 := ParseURI(AppendURI(nil, "/", q)); q2 != q {
			t.Fatalf("round trip of %+v gave %+v", q, q2)
		}
	})
}
