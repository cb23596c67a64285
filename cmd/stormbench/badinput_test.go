package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInput: wrong flags and values are refused before anything starts,
// with exit code 2 and a message that names the flag and what is allowed.
func TestBadInput(t *testing.T) {
	ro := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "file")
	_ = os.WriteFile(file, nil, 0o644)
	pem := writeCert(t, t.TempDir(), "cert", "127.0.0.1")
	wss := func(extra ...string) []string {
		return append([]string{"run", "--url", "wss://127.0.0.1:1/ws", "--fault", "reset"}, extra...)
	}
	tests := []struct {
		name string
		args []string
		want string // substring of the error
	}{
		{"unknown flag", []string{"run", "--nope"}, "unknown flag: --nope"},
		{"clients not a number", []string{"run", "--clients", "many"}, "--clients"},
		{"zero clients", []string{"run", "--clients", "0"}, "--clients must be > 0"},
		{"negative clients", []string{"run", "--clients", "-5"}, "--clients must be > 0"},
		{"ramp rate", []string{"run", "--ramp-rate", "-1"}, "--ramp-rate must be > 0"},
		{"jitter", []string{"run", "--jitter", "wild"}, "--jitter must be one of none, full, equal, decorrelated"},
		{"policy", []string{"run", "--policy", "nope"}, "--policy must be one of"},
		{"backoff base", []string{"run", "--backoff-base", "-1s"}, "--backoff-base"},
		{"backoff multiplier", []string{"run", "--backoff-multiplier", "0.5"}, "--backoff-multiplier must be ≥ 1"},
		{"max retries", []string{"run", "--max-retries", "-1"}, "--max-retries"},
		{"heartbeat mode", []string{"run", "--heartbeat", "tcp"}, "--heartbeat must be one of ws-ping, app, server, none"},
		{"heartbeat timeout", []string{"run", "--heartbeat-interval", "2s", "--heartbeat-timeout", "1s"}, "--heartbeat-timeout must be longer than --heartbeat-interval"},
		{"fault", []string{"run", "--fault", "meteor"}, "--fault must be one of close, restart, abort, crash, blackhole, reset, partition, exec, observe, none"},
		{"exec without command", []string{"run", "--fault", "exec"}, "--fault exec needs the command to run"},
		{"exec empty command", []string{"run", "--fault", "exec:  "}, "--fault must name the command to run after exec:"},
		{"command on another kind", []string{"run", "--fault", "abort:ls"}, "only exec takes a command"},
		{"exec with fraction", []string{"run", "--fault", "exec:true", "--fault-fraction", "0.5"}, "--fault-fraction has no meaning with --fault exec"},
		{"observe with duration", []string{"run", "--fault", "observe", "--fault-duration", "2s"}, "--fault-duration has no meaning with --fault observe"},
		{"observe with storms", []string{"run", "--fault", "observe", "--storms", "2"}, "--storms"},
		{"observe with shard", []string{"run", "--url", "ws://127.0.0.1:1/ws", "--fault", "observe", "--shard", "0/2"}, "--fault observe with --shard"},
		{"threshold zero", []string{"run", "--fault", "observe", "--storm-threshold", "0"}, "--storm-threshold must be in (0, 1]"},
		{"threshold above 1", []string{"run", "--fault", "observe", "--storm-threshold", "1.5"}, "--storm-threshold must be in (0, 1]"},
		{"threshold without observe", []string{"run", "--storm-threshold", "0.2"}, "--storm-threshold is for --fault observe only"},
		{"window zero", []string{"run", "--fault", "observe", "--storm-window", "0s"}, "--storm-window must be > 0"},
		{"window negative", []string{"run", "--fault", "observe", "--storm-window", "-1s"}, "--storm-window must be > 0"},
		{"window without observe", []string{"run", "--storm-window", "2s"}, "--storm-window is for --fault observe and exec only"},
		{"header without colon", []string{"run", "-H", "Authorization Bearer x"}, "--header must be 'Name: value'"},
		{"header bad name", []string{"run", "-H", "Bad Name: x"}, "not an HTTP token"},
		{"header reserved", []string{"run", "--header", "Sec-WebSocket-Key: x"}, "written by the handshake itself"},
		{"header origin", []string{"run", "-H", "Origin: https://x"}, "--header must not set Origin: use --origin"},
		{"header subprotocol", []string{"run", "-H", "Sec-WebSocket-Protocol: x"}, "use --subprotocol"},
		{"header unknown placeholder", []string{"run", "-H", "X-Id: {{user}}"}, "unknown placeholder {{user}}"},
		{"header env unset", []string{"run", "-H", "X-Key: {{env STORMBENCH_TEST_UNSET_VAR}}"}, "STORMBENCH_TEST_UNSET_VAR"},
		{"header line file missing", []string{"run", "-H", "Authorization: Bearer {{line /nonexistent/tokens.txt}}"}, "/nonexistent/tokens.txt"},
		{"header too few lines", []string{"run", "--clients", "10", "-H", "Authorization: Bearer {{line " + file + "}}"}, "0 lines, 10 needed"},
		{"url placeholder in host", []string{"run", "--url", "ws://{{client}}.example/ws"}, "--url"},
		{"url unknown placeholder", []string{"run", "--url", "ws://127.0.0.1:1/ws?u={{user}}"}, "unknown placeholder"},
		{"subprotocol not a token", []string{"run", "--subprotocol", "a b"}, "--subprotocol"},
		{"subprotocol twice", []string{"run", "--subprotocol", "v1,v1"}, "offered twice"},
		{"origin control char", []string{"run", "--origin", "https://x\r\nX: y"}, "--origin"},
		{"app-ping without app", []string{"run", "--app-ping", `{"t":{{now_ms}}}`}, "--app-ping is for --heartbeat app"},
		{"app-pong without app", []string{"run", "--app-pong", "op=pong"}, "--app-pong is for --heartbeat app"},
		{"app-ping empty", []string{"run", "--heartbeat", "app", "--app-ping", ""}, "--app-ping '': must be the ping's payload"},
		{"app-ping bad template", []string{"run", "--heartbeat", "app", "--app-ping", `{"t":{{now}}}`}, "--app-ping"},
		{"app-pong empty", []string{"run", "--heartbeat", "app", "--app-pong", ""}, "--app-pong '': must name a field"},
		{"app-pong bad path", []string{"run", "--heartbeat", "app", "--app-pong", "a..b=pong"}, "--app-pong must be a field match"},
		{"app-pong-time without a time", []string{"run", "--heartbeat", "app", "--app-ping", `{"type":"ping"}`, "--app-pong-time", "time"}, "--app-pong-time needs a time to echo: put {{now_ms}} or {{now_ns}} in --app-ping"},
		{"seq-field empty", []string{"run", "--seq-field", ""}, "--seq-field '': must name a field"},
		{"seq-field bad path", []string{"run", "--seq-field", "meta."}, "--seq-field must be a field path"},
		{"resume-param bad", []string{"run", "--resume-param", "re sume"}, "--resume-param must be a query parameter name"},
		{"resume-param without resume", []string{"run", "--resume=false", "--resume-param", "from"}, "--resume-param with --resume=false"},
		{"client-param same as resume", []string{"run", "--client-param", "resume"}, "--resume-param must differ from the client parameter"},
		{"threshold unknown figure", []string{"run", "--threshold", "recovery_p98<1s"}, `--threshold: "recovery_p98<1s": unknown figure "recovery_p98"`},
		{"threshold without unit", []string{"run", "--threshold", "recovery_p99<10"}, "write it with a unit"},
		{"threshold unit on a count", []string{"run", "--threshold", "messages_lost==0s"}, "a number without a unit"},
		{"threshold no operator", []string{"run", "--threshold", "saturated"}, "want figure<value"},
		{"compare nothing", []string{"compare"}, "compare needs at least one results or sweep folder"},
		{"compare bad format", []string{"compare", "--format", "xml", ro}, "--format must be text, markdown, csv or json"},
		{"compare not a run", []string{"compare", ro}, "neither a run folder nor a sweep folder"},
		{"compare missing folder", []string{"compare", filepath.Join(ro, "nope")}, "no such file"},
		{"sweep nothing varies", []string{"sweep", "--clients", "10"}, "sweep: nothing varies"},
		{"sweep bad value", []string{"sweep", "--jitter", "none,wild"}, "--jitter must be one of none, full, equal, decorrelated"},
		{"sweep bad repeat", []string{"sweep", "--jitter", "none,full", "--repeat", "x"}, "--repeat must be a whole number"},
		{"sweep resume not a sweep", []string{"sweep", "--jitter", "none,full", "--resume-sweep", ro}, "--resume-sweep"},
		{"accept burst zero", []string{"run", "--server-accept-rate", "100", "--server-accept-burst", "0"}, "--server-accept-burst must be ≥ 1"},
		{"server direct rate negative", []string{"run", "--server-direct-rate", "-1"}, "--server-direct-rate"},
		{"server offline queue zero", []string{"run", "--server-offline-queue", "0"}, "--server-offline-queue must be ≥ 1"},
		{"server direct rate with url", []string{"run", "--url", "ws://127.0.0.1:1/ws", "--fault", "none", "--server-direct-rate", "5"}, "--server-direct-rate sets the embedded server"},
		{"serve direct rate too high", []string{"serve", "--direct-rate", "5000"}, "--direct-rate"},
		{"serve offline queue negative", []string{"serve", "--offline-queue", "-3"}, "--offline-queue"},
		{"serve session ttl zero", []string{"serve", "--session-ttl", "0"}, "--session-ttl must be ≥ 10ms"},
		{"server session ttl zero", []string{"run", "--server-session-ttl", "0"}, "--server-session-ttl must be ≥ 10ms"},
		{"server session ttl tiny", []string{"run", "--server-session-ttl", "1ms"}, "--server-session-ttl must be ≥ 10ms"},
		{"server retry-after below a second", []string{"run", "--server-retry-after", "500ms"}, "--server-retry-after must be ≥ 1s"},
		{"server retry-after with url", []string{"run", "--url", "ws://127.0.0.1:1/ws", "--fault", "none", "--server-retry-after", "2s"}, "--server-retry-after sets the embedded server"},
		{"accept burst without rate", []string{"run", "--server-accept-burst", "5"}, "--server-accept-burst sizes the token bucket of --server-accept-rate"},
		{"send rate negative", []string{"run", "--send-rate", "-1"}, "--send-rate must be in [0, 1000]"},
		{"send rate huge", []string{"run", "--send-rate", "5000"}, "--send-rate must be in [0, 1000]"},
		{"send pattern", []string{"run", "--send-rate", "1", "--send-pattern", "bursty"}, "--send-pattern must be poisson or fixed"},
		{"send queue zero", []string{"run", "--send-rate", "1", "--send-queue", "0"}, "--send-queue must be ≥ 1"},
		{"send queue policy", []string{"run", "--send-rate", "1", "--send-queue-policy", "drop-all"}, "--send-queue-policy must be drop-oldest or drop-newest"},
		{"send size", []string{"run", "--send-rate", "1", "--send-size", "-5"}, "--send-size must be in [0, 1 MiB]"},
		{"flush rate", []string{"run", "--send-rate", "1", "--flush-rate", "-1"}, "--flush-rate must be ≥ 0"},
		{"redeliver without send", []string{"run", "--redeliver"}, "--redeliver is about the clients' own messages: give --send-rate too"},
		{"redeliver without acks", []string{"run", "--send-rate", "1", "--redeliver", "--ack", "none"}, "--redeliver needs acknowledgements"},
		{"ack empty", []string{"run", "--send-rate", "1", "--ack", ""}, "--ack '': must be stormbench, none or a field match"},
		{"ack bad match", []string{"run", "--send-rate", "1", "--ack", "a..b=x"}, "--ack must be a field match"},
		{"ack-id without match", []string{"run", "--send-rate", "1", "--ack-id", "x"}, "--ack-id names the id field"},
		{"fault-at not a duration", []string{"run", "--fault-at", "soon"}, "--fault-at"},
		{"fault-at decreasing", []string{"run", "--fault-at", "10s,5s"}, "--fault-at must be increasing"},
		{"fault-at zero", []string{"run", "--fault-at", "0s"}, "--fault-at must be offsets > 0"},
		{"fault-at with storms", []string{"run", "--fault-at", "10s,20s", "--storms", "2"}, "--storms with --fault-at"},
		{"fault-at with observe", []string{"run", "--fault", "observe", "--fault-at", "10s"}, "--fault-at schedules faults; --fault observe injects none"},
		{"fraction", []string{"run", "--fault-fraction", "1.5"}, "--fault-fraction must be in (0, 1]"},
		{"restart fraction", []string{"run", "--fault", "restart", "--fault-fraction", "0.5"}, "--fault-fraction must be 1 for --fault restart"},
		{"fault code", []string{"run", "--fault", "close", "--fault-code", "1006"}, "--fault-code must be"},
		{"storms", []string{"run", "--storms", "-1"}, "--storms must be ≥ 1"},
		{"url scheme", []string{"run", "--url", "http://127.0.0.1:1/ws"}, "--url must start with ws://"},
		{"ca-cert with the embedded server", []string{"run", "--ca-cert", pem.cert}, "--ca-cert: the embedded server speaks ws:// unless --server-tls is given"},
		{"insecure with ws", []string{"run", "--url", "ws://127.0.0.1:1/ws", "--fault", "reset", "--insecure"}, "--insecure is for wss:// URLs: --url is ws://"},
		{"ca-cert missing", wss("--ca-cert", "/nonexistent.pem"), "--ca-cert must be a readable PEM file of CA certificates: stat /nonexistent.pem"},
		{"ca-cert not PEM", wss("--ca-cert", file), "--ca-cert must be a readable PEM file of CA certificates: " + file + ": no PEM certificate"},
		{"ca-cert is a key", wss("--ca-cert", pem.key), "no PEM certificate"},
		{"ca-cert empty", wss("--ca-cert="), `--ca-cert must name a PEM file of CA certificates (got "")`},
		{"insecure and ca-cert", wss("--insecure", "--ca-cert", pem.cert), "--insecure skips verifying the server's certificate: --ca-cert would do nothing"},
		{"client cert without key", wss("--client-cert", pem.cert), "--client-cert needs --client-key: give both files or neither"},
		{"client key without cert", wss("--client-key", pem.key), "--client-key needs --client-cert: give both files or neither"},
		{"client cert and key swapped", wss("--client-cert", pem.key, "--client-key", pem.cert), "--client-cert and --client-key must be readable PEM files of a certificate and its private key"},
		{"client key empty", wss("--client-cert", pem.cert, "--client-key="), `--client-key must name a PEM file`},
		{"server-tls with url", wss("--server-tls"), "--server-tls sets the embedded server; with --url the server is yours"},
		{"server-tls and insecure", []string{"run", "--server-tls", "--insecure"}, "--server-tls makes the clients trust exactly the embedded server's throwaway certificate: --insecure would do nothing"},
		{"server-tls fd per process", []string{"run", "--server-tls", "--clients", "30000", "--workers", "1"}, "would hold 30064 sockets"},
		{"server-tls workers", []string{"run", "--server-tls", "--clients", "30000", "--workers", "1"}, "use --workers ≥ 2"},
		{"server-tls server workers", []string{"run", "--server-tls", "--clients", "30000", "--server-workers", "1"}, "use --server-workers ≥ 2"},
		{"serve tls-cert without key", []string{"serve", "--tls-cert", pem.cert}, "--tls-cert needs --tls-key: give both files or neither"},
		{"serve tls-key without cert", []string{"serve", "--tls-key", pem.key}, "--tls-key needs --tls-cert: give both files or neither"},
		{"serve tls-cert empty", []string{"serve", "--tls-cert=", "--tls-key", pem.key}, `--tls-cert must name a PEM file of the server's certificate (got "")`},
		{"serve tls files not PEM", []string{"serve", "--tls-cert", file, "--tls-key", file}, "--tls-cert and --tls-key must be readable PEM files of a certificate and its private key"},
		{"serve tls-client-ca alone", []string{"serve", "--tls-client-ca", pem.cert}, "--tls-client-ca needs --tls-cert and --tls-key"},
		{"serve tls-client-ca not PEM", []string{"serve", "--tls-cert", pem.cert, "--tls-key", pem.key, "--tls-client-ca", file}, "--tls-client-ca must be a readable PEM file of CA certificates"},
		{"resolve bad form", []string{"run", "--url", "ws://example.com:8080/ws", "--fault", "reset", "--resolve", "example.com:8080"}, `--resolve "example.com:8080" must be host:port:addr[,addr…] as curl's --resolve takes it`},
		{"resolve bad address", []string{"run", "--url", "ws://example.com:8080/ws", "--fault", "reset", "--resolve", "example.com:8080:10.0.0"}, `"10.0.0" is not an IP address`},
		{"resolve other host", []string{"run", "--url", "ws://example.com:8080/ws", "--fault", "reset", "--resolve", "example.org:8080:127.0.0.1"}, "--resolve example.org:8080 does not name --url's host and port (example.com:8080)"},
		{"resolve without url", []string{"run", "--resolve", "example.com:80:127.0.0.1"}, "--resolve pins the addresses of --url's host: give --url"},
		{"tls curves", wss("--tls-curves", "x25519,curve448"), `--tls-curves must be key exchanges among x25519mlkem768`},
		{"tls min version", wss("--tls-min-version", "1.1"), `--tls-min-version must be 1.2 or 1.3 (got "1.1")`},
		{"tls resume with ws", []string{"run", "--url", "ws://127.0.0.1:1/ws", "--fault", "reset", "--tls-resume"}, "--tls-resume is for wss:// URLs"},
		{"tls resume with the embedded ws server", []string{"run", "--tls-resume"}, "--tls-resume: the embedded server speaks ws:// unless --server-tls is given"},
		{"new ticket key without server-tls", []string{"run", "--server-tls-new-ticket-key"}, "--server-tls-new-ticket-key sets the session tickets of the embedded server's wss://: give --server-tls too"},
		{"crash with url", []string{"run", "--url", "ws://127.0.0.1:1/ws", "--fault", "crash"}, "--fault crash kills the embedded server"},
		{"server fault without control", []string{"run", "--url", "ws://127.0.0.1:1/ws", "--fault", "abort"}, "give its control API with --control"},
		{"control without token", []string{"run", "--url", "ws://127.0.0.1:1/ws", "--control", "http://127.0.0.1:2", "--fault", "abort"}, "--control needs the control API's token"},
		{"name", []string{"run", "--name", "a/b"}, "--name must be"},
		{"out not writable", []string{"run", "--out", ro}, "--out " + ro},
		{"out is a file", []string{"run", "--out", file}, "--out " + file},
		{"server flag", []string{"run", "--server-max-conns", "-1"}, "--server-max-conns must be ≥ 0"},
		{"stray argument", []string{"run", "extra"}, "run takes no arguments"},
		{"preflight workers", []string{"run", "--clients", "100000", "--workers", "2"}, "use --workers ≥ 6"},
		{"preflight ports", []string{"run", "--clients", "100000", "--source-ips", "127.0.0.2"}, "give --source-ips with ≥ 5 addresses"},
		{"source ips", []string{"run", "--source-ips", "127.0.0.300"}, "--source-ips"},
		{"workers", []string{"run", "--workers", "-2"}, "--workers must be ≥ 1"},
		{"serve listen", []string{"serve", "--listen", "nohost"}, "--listen must be host:port"},
		{"serve control beyond loopback without token", []string{"serve", "--control", "0.0.0.0:9"}, "--control 0.0.0.0:9 listens beyond loopback"},
		{"serve ping", []string{"serve", "--ping-interval", "-1s"}, "--ping-interval must be"},
		{"report args", []string{"report"}, "report needs exactly one results folder"},
		{"report missing", []string{"report", "/nonexistent"}, "report:"},
		{"unknown command", []string{"explode"}, `unknown command "explode"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "out not writable" && os.Geteuid() == 0 {
				t.Skip("root writes into a 0500 folder anyway; the file case covers --out")
			}
			var stdout, stderr bytes.Buffer
			err := dispatch(context.Background(), tt.args, &stdout, &stderr)
			var ue usageError
			if !errors.As(err, &ue) {
				t.Fatalf("error %v (%T), want a usage error", err, err)
			}
			if code := exitCode(err, &stderr); code != exitUsage {
				t.Fatalf("exit code %d, want %d", code, exitUsage)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
			if strings.Contains(stdout.String(), "storm") {
				t.Fatalf("something ran: %s", stdout.String())
			}
		})
	}
}

func TestHelpShowsExamples(t *testing.T) {
	for _, cmd := range []string{"run", "serve", "report", "policies", "version"} {
		t.Run(cmd, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := dispatch(context.Background(), []string{cmd, "--help"}, &stdout, &stderr)
			if exitCode(err, &stderr) != exitOK {
				t.Fatalf("--help: %v", err)
			}
			if !strings.Contains(stdout.String(), "Example") || !strings.Contains(stdout.String(), "stormbench "+cmd) {
				t.Fatalf("--help lacks examples:\n%s", stdout.String())
			}
		})
	}
}
