package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/loadgen"
)

// policies runs stormbench policies in-process and returns its output,
// its exit code and what it wrote to stderr.
func policies(t *testing.T, args ...string) (stdout string, code int, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := dispatch(context.Background(), append([]string{"policies"}, args...), &out, &errb)
	code = exitCode(err, &errb)
	return out.String(), code, errb.String()
}

// TestPoliciesGolden: the text and markdown tables, whole and filtered,
// are their golden files (go test -run TestPoliciesGolden -update
// rewrites them after a preset or a reference client changed).
func TestPoliciesGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"text", nil},
		{"markdown", []string{"--format", "markdown"}},
		{"text-filtered", []string{"--preset", "socketio", "--preset", "aws-decorrelated,signalr"}},
		{"markdown-no-protocol", []string{"--format", "md", "--preset", "aws-full"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, code, stderr := policies(t, tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			golden := filepath.Join("testdata", "policies-"+tt.name+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -run TestPoliciesGolden -update writes it)", err)
			}
			if out != string(want) {
				t.Fatalf("output differs from %s (go test -run TestPoliciesGolden -update rewrites it):\n%s", golden, out)
			}
		})
	}
}

// TestPoliciesTextFits: the text tables fit 100 columns, as the other
// commands' output and --help do; only a formula's source path, which
// cannot be broken, may not.
func TestPoliciesTextFits(t *testing.T) {
	out, code, stderr := policies(t)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, line := range strings.Split(out, "\n") {
		if n := len([]rune(line)); n > 100 && strings.Contains(strings.TrimSpace(line), " ") {
			t.Errorf("%d columns: %q", n, line)
		}
	}
	for _, p := range loadgen.Presets() {
		if !strings.Contains(out, "\n  "+string(p)+" ") || !strings.Contains(out, "\n  "+string(p)+": "+p.Library()+"\n") {
			t.Errorf("%s: missing from the table or the formulas", p)
		}
	}
}

// jsonOut is stormbench policies --format json as a user's script reads it.
type jsonOut struct {
	Presets []struct {
		Name             string     `json:"name"`
		Library          string     `json:"library"`
		Formula          string     `json:"formula"`
		Jitter           string     `json:"jitter"`
		ConnectTimeoutMs *float64   `json:"connect_timeout_ms"`
		ResetAfterMs     float64    `json:"reset_after_ms"`
		MaxRetries       int        `json:"max_retries"`
		MeanDelayMs      []*float64 `json:"mean_delay_ms"`
	} `json:"presets"`
	Protocols []struct {
		Protocol  string `json:"protocol"`
		Doc       string `json:"doc"`
		Library   string `json:"library"`
		Version   string `json:"version"`
		Source    string `json:"source"`
		Preset    string `json:"preset"`
		Heartbeat struct {
			Mode         string  `json:"mode"`
			IntervalMs   float64 `json:"interval_ms"`
			TimeoutMs    float64 `json:"timeout_ms"`
			FollowServer bool    `json:"follow_server"`
		} `json:"heartbeat"`
	} `json:"protocols"`
}

func decodePolicies(t *testing.T, args ...string) jsonOut {
	t.Helper()
	out, code, stderr := policies(t, append([]string{"--format", "json"}, args...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var j jsonOut
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		t.Fatalf("%v in\n%s", err, out)
	}
	return j
}

// TestPoliciesJSON: the JSON holds every preset, as loadgen resolves it,
// and every framework's protocol with the preset and heartbeat a run
// takes by default.
func TestPoliciesJSON(t *testing.T) {
	j := decodePolicies(t)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	var names []loadgen.Preset
	for _, p := range j.Presets {
		name := loadgen.Preset(p.Name)
		names = append(names, name)
		pol := loadgen.Policy{Preset: name}
		r := pol.Resolve()
		if p.Library == "" || p.Library != name.Library() || p.Formula != r.Formula || !strings.HasPrefix(p.Formula, p.Library+" ") {
			t.Errorf("%s: library %q, formula %q", name, p.Library, p.Formula)
		}
		if p.Jitter != string(r.Jitter) || p.ResetAfterMs != ms(r.ResetAfter) || p.MaxRetries != r.MaxRetries {
			t.Errorf("%s: jitter %q, reset after %vms, max retries %d; resolved %+v", name, p.Jitter, p.ResetAfterMs, p.MaxRetries, r)
		}
		switch ct := pol.ConnectTimeout(); {
		case ct == 0 && p.ConnectTimeoutMs != nil, ct > 0 && (p.ConnectTimeoutMs == nil || *p.ConnectTimeoutMs != ms(ct)):
			t.Errorf("%s: connect timeout %v, want %v", name, p.ConnectTimeoutMs, ct)
		}
		if len(p.MeanDelayMs) != meanRetries {
			t.Errorf("%s: %d mean delays, want %d", name, len(p.MeanDelayMs), meanRetries)
			continue
		}
		for n, m := range p.MeanDelayMs {
			gaveUp := r.MaxRetries > 0 && n >= r.MaxRetries
			switch {
			case gaveUp != (m == nil):
				t.Errorf("%s: retry %d mean %v, max retries %d", name, n, m, r.MaxRetries)
			case m != nil && r.Jitter != loadgen.JitterDecorrelated && *m != ms(loadgen.Policy{Preset: name, RunDraw: -1}.MeanDelay(n, 0)):
				t.Errorf("%s: retry %d mean %vms, MeanDelay %v", name, n, *m, loadgen.Policy{Preset: name, RunDraw: -1}.MeanDelay(n, 0))
			}
		}
	}
	if !slices.Equal(names, loadgen.Presets()) {
		t.Errorf("presets %v, want %v", names, loadgen.Presets())
	}

	var frameworks []string
	for _, p := range loadgen.Protocols() {
		if p.Framework() {
			frameworks = append(frameworks, string(p))
		}
	}
	var protos []string
	for _, p := range j.Protocols {
		protos = append(protos, p.Protocol)
		ref, preset, hb, ok := loadgen.Protocol(p.Protocol).Reference()
		if !ok || p.Doc != loadgen.Protocol(p.Protocol).Doc() || p.Library != ref.Library || p.Version != ref.Version || p.Source != ref.Source || p.Preset != string(preset) || p.Preset == "" {
			t.Errorf("%s: client %s %s, preset %q; reference %+v, preset %q", p.Protocol, p.Library, p.Version, p.Preset, ref, preset)
		}
		h := p.Heartbeat
		if h.Mode != string(hb.Mode) || h.IntervalMs != ms(hb.Interval) || h.TimeoutMs != ms(hb.Timeout) || h.FollowServer != hb.FollowServer {
			t.Errorf("%s: heartbeat %+v, want %+v", p.Protocol, h, hb)
		}
		if h.Mode != string(loadgen.HeartbeatNone) && !(h.TimeoutMs > h.IntervalMs && h.IntervalMs > 0) {
			t.Errorf("%s: heartbeat %+v: a timeout must exceed its interval", p.Protocol, h)
		}
	}
	if !slices.Equal(protos, frameworks) {
		t.Errorf("protocols %v, want the frameworks' %v", protos, frameworks)
	}
}

// TestPoliciesMeans: the means a user reads the shapes from, on presets
// whose means are known in closed form: a table, a fixed delay, a cap,
// a give-up, decorrelated jitter, whose mean of retry n given the
// previous retry's mean is (base + 3·prev)/2 below the cap, and a base
// drawn once per run, averaged over the draw.
func TestPoliciesMeans(t *testing.T) {
	j := decodePolicies(t, "--preset", "phoenix,mqttjs,socketio,signalr,aws-decorrelated,aws-full,reconnecting-websocket")
	want := map[string][]any{
		"phoenix":          {10.0, 50.0, 100.0, 150.0, 200.0, 250.0},
		"mqttjs":           {1000.0, 1000.0, 1000.0, 1000.0, 1000.0, 1000.0},
		"signalr":          {0.0, 2000.0, 10000.0, 30000.0, nil, nil},
		"aws-decorrelated": {10.0, 17.5, 28.75, 45.625, 70.9375},
		"aws-full":         {2.5, 5.0, 10.0, 20.0, 40.0, 80.0},
	}
	for _, p := range j.Presets {
		if p.Name == "socketio" {
			// From n = 4 every delay is the 5 s cap (the jitter vanishes there).
			if m := p.MeanDelayMs; m[4] == nil || *m[4] != 5000 || m[5] == nil || *m[5] != 5000 || m[0] == nil || *m[0] < 1000 || *m[0] > 1100 {
				t.Errorf("socketio: means %v", m)
			}
			continue
		}
		if p.Name == "reconnecting-websocket" {
			// The mean over its base drawn from 1000 + U·4000 ms (whole ms):
			// 3 s, not the shortest draw's 1 s; ×1.3 per retry below 10 s.
			if m := p.MeanDelayMs; m[0] == nil || *m[0] < 2990 || *m[0] > 3000 || m[1] == nil || *m[1] < 1.3*2990 || *m[1] > 1.3*3000 {
				t.Errorf("reconnecting-websocket: means %v", m)
			}
			continue
		}
		w, ok := want[p.Name]
		if !ok {
			t.Errorf("%s: not asked for", p.Name)
			continue
		}
		delete(want, p.Name)
		for n, v := range w {
			got := p.MeanDelayMs[n]
			if v == nil {
				if got != nil {
					t.Errorf("%s: retry %d mean %v, want gave up (null)", p.Name, n, *got)
				}
				continue
			}
			if got == nil || *got < v.(float64)-1e-6 || *got > v.(float64)+1e-6 {
				t.Errorf("%s: retry %d mean %v, want %v", p.Name, n, got, v)
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("missing %v", want)
	}
	var protos []string
	for _, p := range j.Protocols {
		protos = append(protos, p.Protocol+"="+p.Preset)
	}
	if w := []string{"socketio=socketio", "phoenix=phoenix", "signalr=signalr", "mqtt=mqttjs"}; !slices.Equal(protos, w) {
		t.Errorf("protocols %v, want %v (those taking the presets asked for)", protos, w)
	}
}

// TestPoliciesBadInput: bad flags exit 2 before writing anything, naming
// the flag and what it takes.
func TestPoliciesBadInput(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"format", []string{"--format", "csv"}, `--format must be text, markdown or json (got "csv")`},
		{"format empty", []string{"--format", ""}, `--format must be text, markdown or json (got "")`},
		{"format missing", []string{"--format"}, "flag needs an argument: --format"},
		{"preset", []string{"--preset", "socket.io"}, `--preset must be one of actioncable, aws-decorrelated`},
		{"preset in a list", []string{"--preset", "grpc,nope"}, `(got "nope")`},
		{"preset empty", []string{"--preset", ""}, `--preset must be one of actioncable`},
		{"preset trailing comma", []string{"--preset", "grpc,"}, `--preset must be one of actioncable`},
		{"unknown flag", []string{"--policy", "grpc"}, "unknown flag: --policy"},
		{"argument", []string{"socketio"}, `policies takes no arguments (got ["socketio"])`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, code, stderr := policies(t, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) || out != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want exit 2 with %q and no output", code, stderr, out, tt.want)
			}
		})
	}
}

// TestFmtDur: four significant digits, Go's notation (a value a flag takes).
func TestFmtDur(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{3750 * time.Microsecond, "3.75ms"},
		{8999999999, "9s"},
		{1025009155, "1.025s"},
		{12973253858, "12.97s"},
		{108906250 * time.Nanosecond, "108.9ms"},
		{90 * time.Second, "1m30s"},
	} {
		if got := fmtDur(tt.d); got != tt.want {
			t.Errorf("fmtDur(%d) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
