package graphqlws

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/jsonpath"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
	"github.com/stormbench/stormbench/internal/template"
)

// serverKeepAlive is the graphql-ws server's keep-alive in the test: a
// WebSocket ping every second, the connection terminated when the pong
// is a second late.
const serverKeepAlive = time.Second

// startServer starts testdata/server.js (graphql-ws 6 on ws, installed
// in testdata/node_modules) on a free loopback port and returns its URL.
// It skips the test when node or the packages are missing.
func startServer(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: no real graphql-ws server")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: no real graphql-ws server")
	}
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "graphql-ws", "package.json")); err != nil {
		t.Skip("graphql-ws is not installed for the test server: run npm ci --prefix internal/profile/graphqlws/testdata")
	}
	cmd := exec.Command(node, "server.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TICK_MS=100", "KEEPALIVE="+ms(serverKeepAlive))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("server stderr:\n%s", stderr.Bytes())
		}
	})
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if p, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				port <- p
			}
		}
		close(port)
	}()
	select {
	case p, ok := <-port:
		if !ok {
			t.Fatalf("the server exited before listening:\n%s", stderr.Bytes())
		}
		return "ws://127.0.0.1:" + p + "/graphql"
	case <-time.After(10 * time.Second):
		t.Fatalf("the server did not listen within 10 s:\n%s", stderr.Bytes())
	}
	return ""
}

func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

// dial connects client 1 with --join and --auth ("" for none).
func dial(t *testing.T, ctx context.Context, url, join, auth string) *profiletest.Live {
	t.Helper()
	l, err := profiletest.DialLive(ctx, newProfile(t, join, auth), url, template.Vars{Client: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	if l.Protocol != Subprotocol {
		t.Fatalf("the server chose subprotocol %q", l.Protocol)
	}
	return l
}

// TestRealServer runs the profile against graphql-ws 6's own server.
func TestRealServer(t *testing.T) {
	url := startServer(t)

	t.Run("join, data, heartbeat both ways, past the keep-alive timeout", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 12*time.Second)
		defer cancel()
		l := dial(t, ctx, url, query, `{"token":"t{{client}}"}`)
		// The server pings every second and terminates a connection
		// whose pong is a second late: outlive that three times over.
		start := time.Now()
		err := l.Run(ctx, 300*time.Millisecond, func() bool {
			return time.Since(start) > 3*2*serverKeepAlive && len(l.Datums) >= 10 && l.Count(profile.Pong) >= 3 && l.ServerPings() >= 3
		})
		if err != nil {
			t.Fatalf("%v (close %d %q) after %v:\n%s", err, l.CloseCode, l.CloseReason, time.Since(start), l.String())
		}
		if !l.State.Ready || l.Count(profile.Ready) != 1 {
			t.Errorf("ready %v, %d Ready events", l.State.Ready, l.Count(profile.Ready))
		}
		for _, k := range []profile.EventKind{profile.Malformed, profile.Unrecognised, profile.Refused, profile.Goodbye} {
			if n := l.Count(k); n != 0 {
				t.Errorf("%d events of kind %d:\n%s", n, k, l.String())
			}
		}
		seq := mustPath(t, "data.ticks.seq")
		last := int64(0)
		for _, d := range l.Datums {
			n, ok := jsonpath.Int([]byte(d.Payload), seq)
			if !ok || n <= last {
				t.Fatalf("data %q: seq %d after %d", d.Payload, n, last)
			}
			last = n
		}
		if got := l.Sent[0].Payload; got != `{"type":"connection_init","payload":{"token":"t1"}}` {
			t.Errorf("first message %q", got)
		}
	})

	t.Run("refusal: a query that does not validate", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		l := dial(t, ctx, url, "subscription { nope }", "")
		if err := l.Run(ctx, 0, func() bool { return l.Count(profile.Refused) > 0 }); err != nil {
			t.Fatalf("%v:\n%s", err, l.String())
		}
		e := l.Events[len(l.Events)-1]
		if want := `Cannot query field "nope" on type "Subscription".`; string(e.Reason) != want {
			t.Errorf("reason %q, want %q", e.Reason, want)
		}
	})

	t.Run("goodbye: a query completes after one result", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		l := dial(t, ctx, url, "query { seq }", "")
		if err := l.Run(ctx, 0, func() bool { return l.Count(profile.Goodbye) > 0 }); err != nil {
			t.Fatalf("%v:\n%s", err, l.String())
		}
		if len(l.Datums) != 1 || !strings.HasPrefix(l.Datums[0].Payload, `{"data":{"seq":`) {
			t.Errorf("data %+v, want one result of the query", l.Datums)
		}
	})

	t.Run("forbidden: onConnect refuses, the server closes 4403", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		l := dial(t, ctx, url, query, `{"deny":true}`)
		err := l.Run(ctx, 0, nil)
		if !errors.Is(err, profiletest.ErrLiveClosed) || l.CloseCode != 4403 || l.CloseReason != "Forbidden" {
			t.Fatalf("%v, close %d %q, want close 4403 Forbidden:\n%s", err, l.CloseCode, l.CloseReason, l.String())
		}
		if l.State.Ready || len(l.Events) != 0 {
			t.Errorf("ready %v, events:\n%s", l.State.Ready, l.String())
		}
	})

	t.Run("a second connection_init: the server closes 4429", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		l := dial(t, ctx, url, query, "")
		if err := l.Run(ctx, 0, func() bool { return l.State.Ready }); err != nil {
			t.Fatal(err)
		}
		l.Send(profile.SendControl, ws.OpText, []byte(initMsg))
		err := l.Run(ctx, 0, nil)
		if !errors.Is(err, profiletest.ErrLiveClosed) || l.CloseCode != 4429 {
			t.Fatalf("%v, close %d %q, want close 4429", err, l.CloseCode, l.CloseReason)
		}
	})
}

func mustPath(t *testing.T, s string) jsonpath.Path {
	p, err := jsonpath.Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
