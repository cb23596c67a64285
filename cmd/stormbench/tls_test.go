package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stormbench/stormbench/internal/measure"

	"github.com/stormbench/stormbench/experiment"
	"github.com/stormbench/stormbench/internal/tlsfiles"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// certFiles are PEM files made at test time: a throwaway self-signed
// certificate (its own CA) and its key.
type certFiles struct{ cert, key string }

func writeCert(t *testing.T, dir, name string, hosts ...string) certFiles {
	t.Helper()
	c, k, err := tlsfiles.GenerateSelfSigned(hosts)
	if err != nil {
		t.Fatal(err)
	}
	f := certFiles{filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")}
	if err := errors.Join(os.WriteFile(f.cert, c, 0o644), os.WriteFile(f.key, k, 0o600)); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestServerTLSEndToEnd: run --server-tls serves wss:// with a certificate
// made at start, which the fleet trusts; a storm over TLS recovers every
// client, connect latency has its TLS part, the certificate (never its
// key) is in the results, and worker processes on both sides get what
// they need without a file.
func TestServerTLSEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end runs take seconds each")
	}
	common := []string{"--server-tls", "--clients", "1000", "--ramp-rate", "4000", "--hold", "500ms",
		"--heartbeat-interval", "1s", "--heartbeat-timeout", "3s", "--fault-duration", "1s",
		"--recover-timeout", "20s", "--server-broadcast-interval", "100ms", "--backoff-base", "200ms", "--backoff-max", "1s"}
	tests := []struct {
		name   string
		args   []string
		causes []string
		resume bool
	}{
		{"restart", []string{"--fault", "restart"}, []string{"close_frame"}, false},
		// The server's workers share one ticket key, kept across the
		// restart: every reconnect resumes, whichever worker it reaches.
		{"restart, resumed, 2 server workers", []string{"--fault", "restart", "--tls-resume", "--tls-curves", "x25519,p256", "--tls-min-version", "1.3", "--server-workers", "2"},
			[]string{"close_frame"}, true},
		// As over ws, a write that met the RST first (the kernel reports it
		// once) may leave a plain EOF behind: rare.
		{"rst, 2 workers each side", []string{"--fault", "abort", "--workers", "2", "--server-workers", "2"}, []string{"reset", "eof"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, sum, _ := runE2E(t, append(append([]string{}, common...), tt.args...)...)
			st := sum.Storms[0]
			if st.Affected != 1000 || st.Recovered != st.Affected {
				t.Fatalf("recovered %d of %d affected", st.Recovered, st.Affected)
			}
			for cause, n := range st.DetectCauses {
				if !contains(tt.causes, cause) {
					t.Errorf("detected %d × %s, want only %v", n, cause, tt.causes)
				}
			}
			if n := st.DetectCauses[tt.causes[0]]; n < int64(st.Detected)*99/100 {
				t.Errorf("detected %d × %s of %d (%v), want ≥ 99 %%", n, tt.causes[0], st.Detected, st.DetectCauses)
			}
			if n := sum.Counters.Keys(measure.FailureCauses)["tls"]; n != 0 {
				t.Errorf("%d TLS failures", n)
			}
			if h := sum.Histograms["connect_tls"]; h.Count != sum.Counters.Get(measure.Connects) || h.P50 <= 0 {
				t.Errorf("connect_tls: %d values, p50 %v ms; want one per connect (%d), > 0", h.Count, h.P50, sum.Counters.Get(measure.Connects))
			}
			checkInvariants(t, dir, sum)
			pemCert, err := os.ReadFile(filepath.Join(dir, experiment.ServerCertFile))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tlsfiles.CertPool(pemCert); err != nil {
				t.Errorf("%s: %v", experiment.ServerCertFile, err)
			}
			assertNotInResults(t, filepath.Dir(dir), "PRIVATE KEY")
			assertNotInResults(t, filepath.Dir(dir), "ticket_key")
			full, resumed := st.Counts["tls_handshakes_full"], st.Counts["tls_handshakes_resumed"]
			if tt.resume && (resumed < int64(st.Recovered) || full != 0) || !tt.resume && (resumed != 0 || full < int64(st.Recovered)) {
				t.Errorf("storm: %d full, %d resumed handshakes for %d recovered (resume %v)", full, resumed, st.Recovered, tt.resume)
			}
			var cfg struct {
				Loadgen struct {
					URL string `json:"url"`
					TLS struct {
						GeneratedCA bool     `json:"generated_ca"`
						Resume      bool     `json:"resume"`
						Curves      []string `json:"curves"`
						MinVersion  string   `json:"min_version"`
						ALPN        []string `json:"alpn"`
					} `json:"tls"`
				} `json:"loadgen"`
				Server struct {
					TLS *struct {
						Generated bool `json:"generated"`
					} `json:"tls"`
				} `json:"server"`
			}
			b, _ := os.ReadFile(filepath.Join(dir, "config.json"))
			if err := json.Unmarshal(b, &cfg); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(cfg.Loadgen.URL, "wss://127.0.0.1:") || !cfg.Loadgen.TLS.GeneratedCA || cfg.Server.TLS == nil || !cfg.Server.TLS.Generated {
				t.Errorf("config.json: url %q, tls %+v, server tls %+v", cfg.Loadgen.URL, cfg.Loadgen.TLS, cfg.Server.TLS)
			}
			if lt := cfg.Loadgen.TLS; fmt.Sprint(lt.ALPN) != "[http/1.1]" || lt.Resume != tt.resume || tt.resume && (fmt.Sprint(lt.Curves) != "[x25519 p256]" || lt.MinVersion != "1.3") {
				t.Errorf("config.json: tls %+v", lt)
			}
		})
	}
}

// TestWSSFlags runs against a wss server that requires client
// certificates (started from PEM files like "serve --tls-cert --tls-key
// --tls-client-ca"): the flags' files reach the fleet (and its worker
// processes), a wrong CA fails every attempt with cause tls, --insecure
// then succeeds with a warning, and config.json records paths, never a
// key.
func TestWSSFlags(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end runs take seconds each")
	}
	dir := t.TempDir()
	srvCert := writeCert(t, dir, "server", "127.0.0.1", "localhost")
	other := writeCert(t, dir, "other", "127.0.0.1")
	client := writeCert(t, dir, "client", "stormbench client")
	srv, err := sut.New(sut.Config{Listen: "127.0.0.1:0", Control: "127.0.0.1:0",
		TLS: &sut.TLS{CertFile: srvCert.cert, KeyFile: srvCert.key, ClientCAFile: client.cert}}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	url := "wss://" + srv.Addr() + "/ws"
	clientFlags := []string{"--client-cert", client.cert, "--client-key", client.key}
	tests := []struct {
		name string
		args []string
		ok   bool
		warn string
	}{
		{"CA and client certificate, 2 workers", append([]string{"--ca-cert", srvCert.cert, "--workers", "2"}, clientFlags...), true, ""},
		{"wrong CA", append([]string{"--ca-cert", other.cert}, clientFlags...), false, ""},
		{"insecure", append([]string{"--insecure"}, clientFlags...), true, "--insecure"},
		{"no client certificate", []string{"--ca-cert", srvCert.cert}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			var stdout, stderr bytes.Buffer
			args := append([]string{"run", "--out", out, "--quiet", "--url", url, "--fault", "reset", "--clients", "200",
				"--ramp-rate", "2000", "--hold", "300ms", "--recover-timeout", "1500ms", "--backoff-base", "100ms", "--backoff-max", "300ms"}, tt.args...)
			err := dispatch(context.Background(), args, &stdout, &stderr)
			resDir, sum := onlyResults(t, out)
			c := sum.Counters
			if tt.ok {
				if err != nil {
					t.Fatalf("run: %v\n%s", err, stderr.String())
				}
				if st := sum.Storms[0]; st.Affected != 200 || st.Recovered != 200 || c.Get(measure.Failures) != 0 {
					t.Fatalf("affected %d recovered %d failures %d (%v)", st.Affected, st.Recovered, c.Get(measure.Failures), c.Keys(measure.FailureCauses))
				}
			} else {
				if code := exitCode(err, &bytes.Buffer{}); code != exitRunFailed {
					t.Fatalf("exit %d (%v), want %d", code, err, exitRunFailed)
				}
				if c.Get(measure.Connects) != 0 || c.Get(measure.Failures) < 200 || c.Keys(measure.FailureCauses)["tls"]+c.Keys(measure.FailureCauses)["canceled"] != c.Get(measure.Failures) {
					t.Fatalf("connects %d, failures %d by cause %v: want every attempt failed with cause tls", c.Get(measure.Connects), c.Get(measure.Failures), c.Keys(measure.FailureCauses))
				}
			}
			if got := strings.Contains(stderr.String(), "warning: --insecure"); got != (tt.warn != "") {
				t.Errorf("insecure warning printed %v, want %v:\n%s", got, tt.warn != "", stderr.String())
			}
			b, _ := os.ReadFile(filepath.Join(resDir, "config.json"))
			if !bytes.Contains(b, []byte(`"client_key": "`+client.key+`"`)) && strings.Contains(strings.Join(tt.args, " "), "--client-key") {
				t.Errorf("config.json does not record the client key's path:\n%s", b)
			}
			assertNotInResults(t, out, "PRIVATE KEY")
		})
	}
}
