package template

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestFileLines(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string
	}{
		{"empty file", "", nil},
		{"one line no LF", "a", []string{"a"}},
		{"one line LF", "a\n", []string{"a"}},
		{"trailing empty line ignored once", "a\n\n", []string{"a", ""}},
		{"only LF", "\n", []string{""}},
		{"CRLF", "a\r\nbb\r\n", []string{"a", "bb"}},
		{"mixed", "a\nb\r\nc", []string{"a", "b", "c"}},
		{"CR at end of file", "a\r\nb\r", []string{"a", "b"}},
		{"lone CR kept", "a\rb\n", []string{"a\rb"}},
		{"BOM dropped", "\ufeffa\nb\n", []string{"a", "b"}},
		{"BOM only at start", "a\n\ufeffb\n", []string{"a", "\ufeffb"}},
		{"empty middle lines", "\n\nx\n", []string{"", "", "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fl, err := newFile([]byte(tc.content))
			if err != nil {
				t.Fatal(err)
			}
			if fl.lines() != len(tc.want) {
				t.Fatalf("%d lines, want %d", fl.lines(), len(tc.want))
			}
			for i, w := range tc.want {
				if got := string(fl.line(uint64(i))); got != w {
					t.Errorf("line %d = %q, want %q", i, got, w)
				}
			}
		})
	}
}

// TestFilesShared: templates naming one file, however spelt, share one
// copy.
func TestFilesShared(t *testing.T) {
	p := writeFile(t, "tokens.txt", "a\nb\n")
	dir, base := filepath.Split(p)
	t.Chdir(dir)
	files := NewFiles()
	var got []*file
	for i, tc := range []struct {
		tmpl string
		ctx  Context
	}{
		{"Bearer {{line " + p + "}}", InHeader},
		{"/ws?t={{line ./" + base + "}}", InURL},
		{`{"t":"{{line "` + base + `"}}"}`, InBody},
	} {
		tm, err := Parse(tc.tmpl, Options{Context: tc.ctx, Clients: 2, Files: files})
		if err != nil {
			t.Fatal(err)
		}
		for _, sg := range tm.segs {
			if sg.file != nil {
				got = append(got, sg.file)
			}
		}
		if len(got) != i+1 || got[i] != got[0] {
			t.Fatalf("template %d does not share the file", i)
		}
	}
	if len(files.m) != 1 {
		t.Fatalf("%d files cached", len(files.m))
	}
	if n := files.Bytes(); n != cap(got[0].data)+4*3 || len(got[0].data) != 2 {
		t.Errorf("Bytes = %d, data %q", n, got[0].data)
	}
}

// TestLineMemory measures what a file of a million 40-byte tokens costs
// once loaded: its bytes, one LF of slack and a 4-byte offset per line;
// nothing per line on top.
func TestLineMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads a 41 MB file")
	}
	const lines, width = 1_000_000, 40
	var b strings.Builder
	for i := range lines {
		fmt.Fprintf(&b, "%0*d\n", width, i)
	}
	p := writeFile(t, "tokens.txt", b.String())
	b = strings.Builder{}

	files := NewFiles()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	tm, err := Parse("Bearer {{line "+p+"}}", Options{Context: InHeader, Clients: lines, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perLine := float64(after.HeapAlloc-before.HeapAlloc) / lines
	t.Logf("%.2f bytes per %d-byte line (Files.Bytes %d)", perLine, width, files.Bytes())
	// The bound: the line, its LF, its offset, and 1 % for the rest.
	if limit := (width + 1 + 4) * 1.01; perLine > limit {
		t.Errorf("%.2f bytes per line, more than %.2f", perLine, limit)
	}
	if got, want := string(tm.Append(nil, Vars{Client: 123456})), fmt.Sprintf("Bearer %0*d", width, 123456); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	runtime.KeepAlive(tm)
	_ = os.Remove(p)
}
