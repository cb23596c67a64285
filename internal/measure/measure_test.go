package measure

import (
	"encoding/json"
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated tables of docs/metrics.md")

// TestDefinitions checks what every definition must hold: a unique name
// in results-file form, a one-line definition, a unit, and places that
// make sense for its kind.
func TestDefinitions(t *testing.T) {
	name := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	seen := map[string]string{}
	unique := func(what, n string) {
		t.Helper()
		if !name.MatchString(n) {
			t.Errorf("%s %q: not a lower-case snake_case name", what, n)
		}
		if prev, ok := seen[n]; ok {
			t.Errorf("%s %q: the name of %s too", what, n, prev)
		}
		seen[n] = what
	}
	for _, c := range Columns() {
		d := c.Def()
		unique("column", d.Name)
		if d.Doc == "" || d.Unit == "" || strings.Contains(d.Doc, "\n") {
			t.Errorf("column %s: needs a one-line definition and a unit", d.Name)
		}
		if got, ok := ColumnByName(d.Name); !ok || got != c {
			t.Errorf("ColumnByName(%q) = %v, %v", d.Name, got, ok)
		}
		if d.Storm && d.Kind != Count {
			t.Errorf("column %s: only counts are counted per storm", d.Name)
		}
		if d.Prom != "" && (d.Kind != Count || !strings.HasSuffix(d.Prom, "_total")) {
			t.Errorf("column %s: a live counter is a count named *_total, not %q", d.Name, d.Prom)
		}
		if c.Host() != (d.Kind == HostGauge || c >= FirstHostColumn) {
			t.Errorf("column %s: host columns come after FirstHostColumn", d.Name)
		}
	}
	seen = map[string]string{}
	for _, m := range Metrics() {
		d := m.Def()
		unique("metric", d.Name)
		if got, ok := MetricByName(d.Name); !ok || got != m {
			t.Errorf("MetricByName(%q) = %v, %v", d.Name, got, ok)
		}
		if d.Prom != "" && (d.Counts || !strings.HasSuffix(d.Prom, "_seconds")) {
			t.Errorf("metric %s: a live histogram is a duration named *_seconds, not %q", d.Name, d.Prom)
		}
	}
	seen = map[string]string{}
	for _, f := range Families() {
		d := f.Def()
		unique("family", d.Name)
		if (d.KeyName == nil) != d.Text || d.Key == "" || d.Doc == "" || d.Title == "" {
			t.Errorf("family %s: needs a key, a key name (unless keyed by text), a definition and a title", d.Name)
		}
		if d.Keys != nil {
			for _, k := range d.Keys() {
				if n := f.KeyName(k); !name.MatchString(n) {
					t.Errorf("family %s: key %d is named %q", d.Name, k, n)
				}
			}
		}
		if got, ok := FamilyByName(d.Name); !ok || got != f {
			t.Errorf("FamilyByName(%q) = %v, %v", d.Name, got, ok)
		}
	}
}

// TestKinds checks how each kind records and combines values.
func TestKinds(t *testing.T) {
	tests := []struct {
		k               Kind
		record, combine int64
		carries         bool
	}{
		{Count, 5, 5, false},    // 2 then 3 recorded; parts 2 and 3
		{Gauge, 3, 5, true},     // the last report wins; loops hold their own clients
		{Peak, 3, 3, false},     // the larger
		{HostGauge, 3, 3, true}, // one machine's value: the larger
	}
	for _, tt := range tests {
		if got := tt.k.Record(tt.k.Record(0, 2), 3); got != tt.record {
			t.Errorf("%s: recording 2 then 3 gives %d, want %d", tt.k, got, tt.record)
		}
		if got := tt.k.Combine(2, 3); got != tt.combine {
			t.Errorf("%s: combining 2 and 3 gives %d, want %d", tt.k, got, tt.combine)
		}
		if tt.k.Carries() != tt.carries {
			t.Errorf("%s: carries %v", tt.k, tt.k.Carries())
		}
	}
}

// TestByJSON checks that the per-column, per-metric and per-family arrays
// travel as objects keyed by name, and refuse names they do not know.
func TestByJSON(t *testing.T) {
	var c ByColumn[int64]
	c[Attempts], c[ListenDrops] = 7, 2
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"attempts":7,"listen_drops":2}` {
		t.Errorf("got %s", b)
	}
	var back ByColumn[int64]
	if err := json.Unmarshal(b, &back); err != nil || back != c {
		t.Errorf("round trip: %v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"attempt":1}`), &back); err == nil {
		t.Error("an unknown column name was accepted")
	}
	var f ByFamily[map[string]int64]
	f[DisconnectCauses] = map[string]int64{"eof": 3}
	b, _ = json.Marshal(f)
	var fb ByFamily[map[string]int64]
	if err := json.Unmarshal(b, &fb); err != nil || fb[DisconnectCauses]["eof"] != 3 || fb[FailureCauses] != nil {
		t.Errorf("family round trip of %s: %v, %v", b, fb, err)
	}
}

// TestMarkdownInDocs keeps the metrics page's tables equal to the
// definitions (go test -update rewrites them).
func TestMarkdownInDocs(t *testing.T) {
	const path = "../../docs/metrics.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?s)<!-- measure:tables -->\n.*?<!-- /measure:tables -->`)
	block := "<!-- measure:tables -->\n" + Markdown() + "<!-- /measure:tables -->"
	loc := re.FindIndex(doc)
	if loc == nil {
		t.Fatalf("%s has no <!-- measure:tables --> block", path)
	}
	if string(doc[loc[0]:loc[1]]) == block {
		return
	}
	if !*update {
		t.Fatalf("%s's tables differ from the definitions; run go test ./internal/measure -update", path)
	}
	out := append(append(append([]byte{}, doc[:loc[0]]...), block...), doc[loc[1]:]...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
