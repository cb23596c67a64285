package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"regexp"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the --help blocks of the docs (docs/commands.md) and the golden files")

// TestREADMEHelp keeps the flag reference of the docs identical to --help:
// each command's help sits between <!-- help:CMD --> markers, in exactly
// one Markdown file of the repository's docs (README.md or docs/*.md;
// today docs/commands.md). Run with -update after changing a flag.
func TestREADMEHelp(t *testing.T) {
	files := markdownFiles(t)
	texts := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts[f] = b
	}
	changed := map[string]bool{}
	for _, cmd := range []string{"run", "sweep", "compare", "policies", "serve", "report", "merge", "version"} {
		var help, stderr bytes.Buffer
		if err := dispatch(context.Background(), []string{cmd, "--help"}, &help, &stderr); exitCode(err, &stderr) != exitOK {
			t.Fatalf("%s --help: %v", cmd, err)
		}
		re := regexp.MustCompile(`(?s)<!-- help:` + cmd + ` -->\n.*?<!-- /help:` + cmd + ` -->`)
		block := "<!-- help:" + cmd + " -->\n```\n" + help.String() + "```\n<!-- /help:" + cmd + " -->"
		var in []string
		for _, f := range files {
			in = append(in, repeat(f, len(re.FindAllIndex(texts[f], -1)))...)
		}
		if len(in) != 1 {
			t.Errorf("want one <!-- help:%s --> block in %v, found it in %v", cmd, files, in)
			continue
		}
		path := in[0]
		text := texts[path]
		loc := re.FindIndex(text)
		if string(text[loc[0]:loc[1]]) == block {
			continue
		}
		if !*update {
			t.Errorf("%s: %s --help differs from the binary's; run go test ./cmd/stormbench -run TestREADMEHelp -update", path, cmd)
			continue
		}
		texts[path] = append(append(append([]byte{}, text[:loc[0]]...), block...), text[loc[1]:]...)
		changed[path] = true
	}
	for path := range changed {
		if err := os.WriteFile(path, texts[path], 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// repeat returns n copies of s.
func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
