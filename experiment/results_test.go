package experiment

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/loadgen"
	"github.com/stormbench/stormbench/reporter"
)

// TestWriteResults: the results folder holds every file, complete (each
// written atomically: nothing half-written, no temporary file left), and
// writing it again replaces them. The server's view and the throwaway
// certificate come when the run has them; failing to write the server's
// view is a warning, not a failure.
func TestWriteResults(t *testing.T) {
	start := time.Now()
	shard := twoStorms(start)
	url := quickSpec(t, "ws://127.0.0.1:9/ws", loadgen.FaultClose)
	url.Args = []string{"--url", "ws://127.0.0.1:9/ws", "--control-token", "s3cret"}
	tlsSpec := quickSpec(t, "", loadgen.FaultClose)
	tlsSpec.ServerTLS = true
	tests := []struct {
		name      string
		spec      Spec
		srv       bool
		blockSrv  bool // server.json cannot be written
		wantFiles []string
		wantWarn  string
	}{
		{"--url", url, false, false, nil, ""},
		{"server's view", url, true, false, []string{"server.json", "server_timeseries.csv"}, ""},
		{"server's view not written", url, true, true, nil, "server stats: "},
		{"--server-tls", tlsSpec, false, false, []string{ServerCertFile}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prepare(t, tt.spec)
			dir := filepath.Join(t.TempDir(), "results", "run")
			var srv = serverStats(start)
			if !tt.srv {
				srv = nil
			}
			sum := summarise(shard, 0, false, srv, nil, "")
			rc := runConfig(p, layOut(p, start), p.Loadgen, loadgen.Outcome{Duration: 5 * time.Second}, 0)
			for i := 0; i < 2; i++ { // the second time over the first
				if tt.blockSrv {
					if err := os.MkdirAll(filepath.Join(dir, "server.json"), 0o755); err != nil {
						t.Fatal(err)
					}
				}
				warnings, err := writeResults(dir, p, shard, sum, rc, srv)
				if err != nil {
					t.Fatal(err)
				}
				if tt.wantWarn == "" && len(warnings) > 0 || tt.wantWarn != "" && (len(warnings) != 1 || !strings.HasPrefix(warnings[0], tt.wantWarn)) {
					t.Fatalf("warnings %q, want %q", warnings, tt.wantWarn)
				}
				checkFolder(t, dir, tt.wantFiles...)
			}
			b, err := os.ReadFile(filepath.Join(dir, reporter.ConfigFile))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "s3cret") {
				t.Errorf("config.json holds the control token:\n%s", b)
			}
			var got map[string]any
			if err := json.Unmarshal(b, &got); err != nil || got["dir"] != rc.Dir || got["embedded_server"] != p.Embedded() {
				t.Errorf("config.json %v, %v", got, err)
			}
		})
	}
	t.Run("folder cannot be made", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "a-file")
		if err := os.WriteFile(file, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		p := prepare(t, url)
		if _, err := writeResults(filepath.Join(file, "run"), p, shard, summarise(shard, 0, false, nil, nil, ""), RunConfig{}, nil); err == nil {
			t.Fatal("no error")
		}
	})
}

// TestRunConfig: config.json records the embedded server's settings and
// restarts, and the command line without its secrets.
func TestRunConfig(t *testing.T) {
	emb := quickSpec(t, "", loadgen.FaultCrash)
	emb.Args = []string{"--fault", "crash", "--header", "Authorization: Bearer abc"}
	url := quickSpec(t, "ws://127.0.0.1:9/ws", loadgen.FaultReset)
	tests := []struct {
		name     string
		spec     Spec
		restarts int
		embedded bool
	}{
		{"embedded server", emb, 2, true},
		{"--url", url, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := prepare(t, tt.spec)
			l := layOut(p, time.Now())
			rc := runConfig(p, l, p.Loadgen, loadgen.Outcome{}, tt.restarts)
			if rc.Embedded != tt.embedded || (rc.Server != nil) != tt.embedded || rc.ServerRestarts != tt.restarts || rc.Dir != l.dir || !rc.Started.Equal(l.start) {
				t.Fatalf("config %+v", rc)
			}
			if cmd := strings.Join(rc.Command, " "); !strings.HasPrefix(cmd, "stormbench run") || strings.Contains(cmd, "abc") {
				t.Fatalf("command %q", cmd)
			}
		})
	}
}

// TestWriteRunReport: the report comes from the files just written; a
// folder without them is a warning.
func TestWriteRunReport(t *testing.T) {
	dir := t.TempDir()
	shard := twoStorms(time.Now())
	p := prepare(t, quickSpec(t, "ws://127.0.0.1:9/ws", loadgen.FaultClose))
	if _, err := writeResults(dir, p, shard, summarise(shard, 0, false, nil, nil, ""), RunConfig{}, nil); err != nil {
		t.Fatal(err)
	}
	if w := writeRunReport(dir); w != "" {
		t.Fatal(w)
	}
	if fi, err := os.Stat(filepath.Join(dir, "report.html")); err != nil || fi.Size() == 0 {
		t.Fatalf("report.html: %v", err)
	}
	if w := writeRunReport(t.TempDir()); !strings.HasPrefix(w, "report.html: ") {
		t.Fatalf("warning %q for an empty folder", w)
	}
}
