package template

import "testing"

func BenchmarkAppend(b *testing.B) {
	f := writeFile(b, "tokens.txt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-0\neyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-1\n")
	for _, bc := range []struct {
		name, tmpl string
		ctx        Context
	}{
		{"header", "Bearer {{line " + f + "}}", InHeader},
		{"url", "ws://127.0.0.1:9000/ws?client={{client}}&token={{line " + f + "}}", InURL},
		{"ping", `{"type":"ping","time":{{now_ms}}}`, InBody},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tm, err := Parse(bc.tmpl, Options{Context: bc.ctx, Clients: 2})
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 0, tm.MaxLen())
			b.ReportAllocs()
			var v Vars
			for b.Loop() {
				v.Client++
				v.NowUnixNano += 1e6
				buf = tm.Append(buf[:0], v)
			}
		})
	}
}
