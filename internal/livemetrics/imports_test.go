package livemetrics

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOneWayDependency keeps the contract one-way: livemetrics imports
// neither the fleet nor the server nor the reporter, so the fleet can
// record into its bucket layout without a cycle and the exposition never
// reaches into a run's internals.
func TestOneWayDependency(t *testing.T) {
	const mod = "github.com/stormbench/stormbench/"
	tests := []struct {
		dir       string
		forbidden []string
	}{
		{".", []string{mod + "loadgen", mod + "server-under-test", mod + "reporter", mod + "cmd/"}},
	}
	for _, tt := range tests {
		files, err := filepath.Glob(filepath.Join(tt.dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", tt.dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, bad := range tt.forbidden {
					if strings.HasPrefix(path, bad) {
						t.Errorf("%s imports %s", f, path)
					}
				}
			}
		}
	}
}
