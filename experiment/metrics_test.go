package experiment

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"

	sut "github.com/stormbench/stormbench/server-under-test"
)

// TestServeLiveMetrics: the live view is served when asked for, with the
// embedded server's figures; a port in use is the user's input error.
func TestServeLiveMetrics(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	t.Run("not asked for", func(t *testing.T) {
		stderr := &syncBuffer{}
		if err := serveLiveMetrics(ctx, &Plan{Spec: Spec{Stderr: stderr}}, &lazyRunSource{}, &embeddedStats{}); err != nil || stderr.String() != "" {
			t.Fatalf("err %v, said %q", err, stderr.String())
		}
	})
	t.Run("port in use", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		err = serveLiveMetrics(ctx, &Plan{Spec: Spec{MetricsListen: ln.Addr().String(), Stderr: io.Discard}}, &lazyRunSource{}, &embeddedStats{})
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), "--metrics-listen") {
			t.Fatalf("err %v, want an *InputError naming --metrics-listen", err)
		}
	})
	t.Run("served", func(t *testing.T) {
		stderr := &syncBuffer{}
		p := &Plan{Spec: Spec{MetricsListen: "127.0.0.1:0", Stderr: stderr, Server: &sut.Config{}}}
		if err := serveLiveMetrics(ctx, p, &lazyRunSource{}, &embeddedStats{}); err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`metrics on (http://\S+/metrics)`).FindStringSubmatch(stderr.String())
		if m == nil {
			t.Fatalf("no address in %q", stderr.String())
		}
		resp, err := http.Get(m[1])
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for _, want := range []string{"stormbench_fleet_clients", "stormbench_server_"} {
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), want) {
				t.Fatalf("status %d, no %s in\n%s", resp.StatusCode, want, b)
			}
		}
	})
}
