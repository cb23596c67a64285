package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stormbench/stormbench/experiment"
	"github.com/stormbench/stormbench/reporter"
)

// TestControlTokenInput: where the control token may come from, and the
// rules of a control API beyond loopback, refused before anything starts
// (exit 2, naming the flag or the variable).
func TestControlTokenInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := write("empty", "\n")
	short := write("short", "abc\n")
	long := write("long", "0123456789abcdef0123\n")
	twoLines := write("two", "0123456789abcdef\nsecond\n")
	url := []string{"run", "--url", "ws://127.0.0.1:1/ws", "--fault", "abort"}
	tests := []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"beyond loopback, no token", "", []string{"serve", "--control", "0.0.0.0:9"},
			"--control 0.0.0.0:9 listens beyond loopback: give the control token through $STORMBENCH_CONTROL_TOKEN or --control-token-file"},
		{"beyond loopback, token on the command line", "", []string{"serve", "--control", "198.18.0.1:9", "--control-token", "0123456789abcdef"},
			"--control-token with --control 198.18.0.1:9, beyond loopback"},
		{"beyond loopback, short token from the environment", "short", []string{"serve", "--control", "198.18.0.1:9"},
			"$STORMBENCH_CONTROL_TOKEN: the control token must be at least 16 characters"},
		{"beyond loopback, short token file", "", []string{"serve", "--control", "[2001:db8::1]:9", "--control-token-file", short},
			"--control-token-file " + short + ": the control token must be at least 16 characters"},
		{"every interface counts as beyond", "", []string{"serve", "--control", ":9", "--control-token", "0123456789abcdef"},
			"beyond loopback"},
		{"token file missing", "", []string{"serve", "--control-token-file", filepath.Join(dir, "none")}, "--control-token-file: open"},
		{"token file empty", "", []string{"serve", "--control-token-file", empty}, "--control-token-file " + empty + " is empty"},
		{"token file of two lines", "", []string{"serve", "--control-token-file", twoLines}, "the token must be one line of visible characters"},
		{"token file named empty", "", []string{"serve", "--control-token-file", ""}, "--control-token-file must name a file"},
		{"both token flags", "", []string{"serve", "--control-token", "x", "--control-token-file", long}, "--control-token and --control-token-file both give the token"},
		{"empty token flag", "", []string{"serve", "--control-token", ""}, "--control-token '': must be the token"},
		{"token with a space", "", []string{"serve", "--control-token", "a b"}, "--control-token: the token must be one line"},
		{"environment token with a line break", "a\nb", []string{"serve"}, "$STORMBENCH_CONTROL_TOKEN: the token must be one line"},
		{"control tls without certificate", "", []string{"serve", "--control-tls"},
			"--control-tls serves the control API with the server's certificate: it needs --tls-cert and --tls-key"},
		{"control not host:port", "", []string{"serve", "--control", "8081"}, "--control must be host:port"},
		{"run: control not a URL", "", append(url, "--control", "staging:8081", "--control-token", "t"),
			"--control must be the control API's base URL, http:// or https://"},
		{"run: control without host", "", append(url, "--control", "http://", "--control-token", "t"), "--control must be the control API's base URL"},
		{"run: no token", "", append(url, "--control", "http://127.0.0.1:2"), "--control needs the control API's token"},
		{"run: token file empty", "", append(url, "--control", "http://127.0.0.1:2", "--control-token-file", empty), "is empty"},
		{"run: both token flags", "", append(url, "--control", "http://127.0.0.1:2", "--control-token", "t", "--control-token-file", long), "give one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(experiment.TokenEnv, tt.env)
			var stdout, stderr bytes.Buffer
			err := dispatch(context.Background(), tt.args, &stdout, &stderr)
			var ue usageError
			if !errors.As(err, &ue) {
				t.Fatalf("error %v (%T), want a usage error", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

// TestControlOverHTTPS: serve's control API over HTTPS with the server's
// certificate and a token from a file; run reaches it trusting --ca-cert,
// its own token from a file, and applies the fault. Neither token is
// printed.
func TestControlOverHTTPS(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	t.Setenv(experiment.TokenEnv, "")
	dir := t.TempDir()
	pem := writeCert(t, dir, "srv", "127.0.0.1")
	token := "tls-control-token-0123456789"
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- dispatch(ctx, []string{"serve", "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--workers", "1",
			"--control-token-file", tokenFile, "--control-tls", "--tls-cert", pem.cert, "--tls-key", pem.key}, out, io.Discard)
	}()
	lines := regexp.MustCompile(`listening on (wss://\S+)\ncontrol API: (https://\S+)`)
	var m []string
	for deadline := time.Now().Add(10 * time.Second); m == nil && time.Now().Before(deadline); {
		if m = lines.FindStringSubmatch(out.String()); m == nil {
			time.Sleep(10 * time.Millisecond) // polls for the serve command's first lines
		}
	}
	if m == nil {
		t.Fatalf("serve printed no wss:// and https:// addresses:\n%s", out.String())
	}
	if strings.Contains(out.String(), token) || !strings.Contains(out.String(), "<the token of --control-token-file") {
		t.Fatalf("serve printed the token of a file, or not where it came from:\n%s", out.String())
	}
	res := t.TempDir()
	var so, se bytes.Buffer
	err := dispatch(context.Background(), []string{"run", "--quiet", "--out", res, "--url", m[1], "--ca-cert", pem.cert,
		"--control", m[2], "--control-token-file", tokenFile, "--clients", "50", "--hold", "300ms", "--fault", "abort",
		"--recover-timeout", "5s", "--backoff-base", "100ms", "--backoff-max", "500ms"}, &so, &se)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, se.String())
	}
	if strings.Contains(so.String()+se.String(), token) {
		t.Fatal("run printed the token")
	}
	dirs, _ := filepath.Glob(filepath.Join(res, "*-abort-*"))
	if len(dirs) != 1 {
		t.Fatalf("results %v", dirs)
	}
	sum, err := reporter.ReadSummary(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	if st := sum.Storms[0]; st.Affected != 50 || st.Recovered != 50 {
		t.Fatalf("storm over an https control API: affected %d recovered %d, want 50", st.Affected, st.Recovered)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestControlTokenOnCommandLineWarns: run takes --control-token for a
// control API beyond loopback (servers of one's own take it that way),
// but warns that a command line is readable by every user; from a file or
// the environment, or on loopback, it says nothing.
func TestControlTokenOnCommandLineWarns(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		control string
		token   []string
		warn    bool
	}{
		{"typed, beyond loopback", "http://198.18.0.1:8081", []string{"--control-token", "0123456789abcdef"}, true},
		{"from a file, beyond loopback", "https://staging:8081", []string{"--control-token-file", tokenFile}, false},
		{"typed, on loopback", "http://127.0.0.1:8081", []string{"--control-token", "t"}, false},
		{"typed, localhost", "http://localhost:8081", []string{"--control-token", "t"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(experiment.TokenEnv, "")
			args := append([]string{"--url", "ws://198.18.0.1:8080/ws", "--control", tt.control, "--fault", "abort",
				"--no-preflight", "--out", t.TempDir()}, tt.token...)
			plan, err := planRun(args, io.Discard, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			warned := false
			for _, w := range plan.Warnings {
				warned = warned || strings.Contains(w, "--control-token with --control "+tt.control)
			}
			if warned != tt.warn {
				t.Fatalf("warned %v, want %v: %q", warned, tt.warn, plan.Warnings)
			}
		})
	}
}
