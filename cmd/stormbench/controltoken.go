package main

import (
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"github.com/stormbench/stormbench/experiment"
	sut "github.com/stormbench/stormbench/server-under-test"
)

// The control API's token reaches serve and run in one of three ways:
// --control-token (on the command line, which every user of the machine
// can read in /proc/PID/cmdline: fine on a machine of one's own, refused
// by serve for a control API beyond loopback), --control-token-file, or
// $STORMBENCH_CONTROL_TOKEN (readable only by the process's owner).

// maxTokenFile bounds what --control-token-file reads.
const maxTokenFile = 4096

// controlToken returns the token the command was given and where it came
// from: "" for --control-token (or no token at all), "--control-token-file
// F" or "$STORMBENCH_CONTROL_TOKEN". A token given explicitly is checked
// as given.
func controlToken(fs *pflag.FlagSet, typed, file string) (token, from string, err error) {
	flagSet, fileSet := fs.Changed("control-token"), fs.Changed("control-token-file")
	switch {
	case flagSet && fileSet:
		return "", "", usagef("--control-token and --control-token-file both give the token: give one")
	case flagSet:
		if typed == "" {
			return "", "", usagef("--control-token '': must be the token (or leave it out: $%s, --control-token-file)", experiment.TokenEnv)
		}
		return typed, "", checkTokenChars("--control-token", typed)
	case fileSet:
		tok, err := readTokenFile(file)
		if err != nil {
			return "", "", err
		}
		return tok, "--control-token-file " + file, nil
	}
	if tok := os.Getenv(experiment.TokenEnv); tok != "" {
		return tok, "$" + experiment.TokenEnv, checkTokenChars("$"+experiment.TokenEnv, tok)
	}
	return "", "", nil
}

// readTokenFile reads a token file: one line, the line break and spaces
// around it ignored.
func readTokenFile(path string) (string, error) {
	if path == "" {
		return "", usagef("--control-token-file must name a file holding the token (got \"\")")
	}
	f, err := os.Open(path)
	if err != nil {
		return "", usagef("--control-token-file: %v", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	if err != nil {
		return "", usagef("--control-token-file %s: %v", path, err)
	}
	if len(b) > maxTokenFile {
		return "", usagef("--control-token-file %s: over %d bytes, not a token", path, maxTokenFile)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", usagef("--control-token-file %s is empty", path)
	}
	return tok, checkTokenChars("--control-token-file "+path, tok)
}

// checkTokenChars refuses a token that cannot travel in an HTTP header
// as the server compares it: spaces, line breaks, control characters.
func checkTokenChars(what, tok string) error {
	for _, r := range tok {
		if r <= ' ' || r == 0x7f {
			return usagef("%s: the token must be one line of visible characters, no spaces (got a %q)", what, r)
		}
	}
	return nil
}

// checkRemoteControl applies serve's rules for a control API beyond
// loopback: its token comes from the environment or a file, never only
// from the command line, and is long enough to face guessers; without
// --control-tls it warns that the token crosses the network in clear.
func checkRemoteControl(cfg *sut.Config, from string, stderr io.Writer) error {
	if sut.ControlOnLoopback(cfg.Control) {
		return nil
	}
	ways := fmt.Sprintf("$%s or --control-token-file", experiment.TokenEnv)
	switch {
	case cfg.ControlToken == "":
		return usagef("--control %s listens beyond loopback: give the control token through %s (at least %d characters, e.g. openssl rand -hex 16)",
			cfg.Control, ways, sut.MinRemoteTokenLen)
	case from == "":
		return usagef("--control-token with --control %s, beyond loopback: every user of this machine can read a command line (/proc/PID/cmdline); give the token through %s",
			cfg.Control, ways)
	case len(cfg.ControlToken) < sut.MinRemoteTokenLen:
		return usagef("%s: the control token must be at least %d characters with --control %s, beyond loopback (got %d), e.g. openssl rand -hex 16",
			from, sut.MinRemoteTokenLen, cfg.Control, len(cfg.ControlToken))
	}
	if !cfg.ControlTLS {
		fmt.Fprintf(stderr, "stormbench serve: warning: the control API on %s speaks plain HTTP beyond loopback: its token crosses the network in clear (--control-tls serves it over HTTPS with --tls-cert)\n", cfg.Control)
	}
	return nil
}

// controlURLOnLoopback reports whether a control API URL names this
// machine by a loopback address or localhost.
func controlURLOnLoopback(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	return sut.ControlOnLoopback(net.JoinHostPort(u.Hostname(), "0"))
}
