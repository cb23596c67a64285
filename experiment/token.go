package experiment

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/stormbench/stormbench/loadgen"
)

// NewToken returns a random control API token (128 bits, hex).
func NewToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// secretFlags are the flags whose values never reach a results file or a
// printed command line.
var secretFlags = []string{"--control-token", "--auth"}

// redacted is what replaces a secret.
const redacted = "[redacted]"

// headerFlags take a "Name: value" header whose value may be a credential.
var headerFlags = []string{"--header", "-H"}

// RedactArgs returns a copy of a command line with the values of secret
// flags replaced, in both the "--flag value" and "--flag=value" forms, and
// the values of credential headers (loadgen.RedactHeader) given with
// -H/--header.
func RedactArgs(args []string) []string {
	out := append([]string(nil), args...)
	for i := 0; i < len(out); i++ {
		for _, f := range headerFlags {
			switch {
			case out[i] == f && i+1 < len(out):
				out[i+1] = loadgen.RedactHeader(out[i+1])
				i++
			case strings.HasPrefix(out[i], f+"="):
				out[i] = f + "=" + loadgen.RedactHeader(out[i][len(f)+1:])
			case f == "-H" && strings.HasPrefix(out[i], f) && len(out[i]) > 2:
				out[i] = f + loadgen.RedactHeader(out[i][len(f):])
			}
		}
		for _, f := range secretFlags {
			switch {
			case out[i] == f && i+1 < len(out):
				out[i+1] = redacted
				i++
			case strings.HasPrefix(out[i], f+"="):
				out[i] = f + "=" + redacted
			}
		}
	}
	return out
}
