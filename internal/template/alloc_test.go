package template

import "testing"

// TestAppendAllocs: rendering into a buffer with MaxLen bytes of room does
// not allocate, in every context and with every placeholder.
func TestAppendAllocs(t *testing.T) {
	f := writeFile(t, "tokens.txt", "tok en+0\ntoken-1\n")
	for _, tc := range []struct {
		tmpl string
		ctx  Context
	}{
		{"Bearer {{line " + f + "}}", InHeader},
		{"ws://127.0.0.1:9000/ws?client={{client}}&shard={{shard}}&t={{line " + f + "}}&k={{env TOKEN}}", InURL},
		{`{"type":"ping","time":{{now_ms}},"ns":{{now_ns}},"id":"{{line ` + f + `}}"}`, InBody},
	} {
		tm, err := Parse(tc.tmpl, Options{Context: tc.ctx, Clients: 2, LookupEnv: testEnv})
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 0, tm.MaxLen())
		var v Vars
		allocs := testing.AllocsPerRun(100, func() {
			v.Client++
			v.NowUnixNano += 1e6
			buf = tm.Append(buf[:0], v)
		})
		if allocs != 0 {
			t.Errorf("%v: %v allocations per Append", tc.ctx, allocs)
		}
	}
}
