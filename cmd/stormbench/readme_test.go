package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"regexp"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the --help blocks of README.md")

// TestREADMEHelp keeps the flag reference in README.md identical to
// --help: each command's help sits between <!-- help:CMD --> markers.
// Run with -update after changing a flag.
func TestREADMEHelp(t *testing.T) {
	const path = "../../README.md"
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"run", "sweep", "compare", "serve", "report", "merge", "version"} {
		var help, stderr bytes.Buffer
		if err := dispatch(context.Background(), []string{cmd, "--help"}, &help, &stderr); exitCode(err, &stderr) != exitOK {
			t.Fatalf("%s --help: %v", cmd, err)
		}
		re := regexp.MustCompile(`(?s)<!-- help:` + cmd + ` -->\n.*?<!-- /help:` + cmd + ` -->`)
		block := "<!-- help:" + cmd + " -->\n```\n" + help.String() + "```\n<!-- /help:" + cmd + " -->"
		loc := re.FindIndex(readme)
		if loc == nil {
			t.Fatalf("README.md has no <!-- help:%s --> block", cmd)
		}
		if string(readme[loc[0]:loc[1]]) == block {
			continue
		}
		if !*update {
			t.Errorf("README.md's %s --help differs from the binary's; run go test ./cmd/stormbench -run TestREADMEHelp -update", cmd)
			continue
		}
		readme = append(append(append([]byte{}, readme[:loc[0]]...), block...), readme[loc[1]:]...)
	}
	if *update {
		if err := os.WriteFile(path, readme, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
