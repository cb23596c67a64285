package actioncable

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/jsonpath"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
	"github.com/stormbench/stormbench/internal/template"
)

// startServer starts testdata/config.ru (Debian's ruby-actioncable 6.1
// under Puma 5) on a free loopback port and returns its address. It
// skips the test when Puma or Action Cable is not installed.
func startServer(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: no real Action Cable server")
	}
	puma, err := exec.LookPath("puma")
	if err != nil {
		t.Skip("puma is not installed (apt-get install puma ruby-actioncable): no real Action Cable server")
	}
	if err := exec.Command("ruby", "-e", `require "action_cable"`).Run(); err != nil {
		t.Skipf("ruby cannot load action_cable (apt-get install ruby-actioncable): %v", err)
	}
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	cmd := exec.Command(puma, "--threads", "1:8", "--workers", "0", "--environment", "production",
		"--bind", "tcp://"+addr, filepath.Join(dir, "config.ru"))
	cmd.Dir = dir
	cmd.Env = append(cmd.Environ(), "TICK_MS=100")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var log logBuffer
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("server output:\n%s", log.String())
		}
	})
	listening := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			log.Write(append(sc.Bytes(), '\n'))
			if strings.Contains(sc.Text(), "Listening on") {
				listening <- true
			}
		}
		close(listening)
	}()
	select {
	case ok := <-listening:
		if !ok {
			t.Fatalf("puma exited before listening:\n%s", log.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("puma did not listen within 20 s:\n%s", log.String())
	}
	return addr
}

// freePort returns a loopback address with a port that was free a moment
// ago (Puma takes the port from its command line).
func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// logBuffer is a bytes.Buffer safe for the two writers of the server's
// output.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// dial connects client 1 to url with --join.
func dial(t *testing.T, ctx context.Context, url, join string) *profiletest.Live {
	t.Helper()
	l, err := profiletest.DialLive(ctx, newProfile(t, join), url, template.Vars{Client: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	if l.Protocol != Subprotocol {
		t.Fatalf("the server chose subprotocol %q", l.Protocol)
	}
	return l
}

// TestRealServer runs the profile against Rails' own Action Cable server.
func TestRealServer(t *testing.T) {
	addr := startServer(t)
	url := "ws://" + addr + "/cable"

	t.Run("server", func(t *testing.T) {
		t.Run("join, data, pings, past the stale threshold", func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 14*time.Second)
			defer cancel()
			l := dial(t, ctx, url, ticks)
			// Outlive the reference client's stale rule: nothing may go
			// quiet for 6 s, and the server must not drop the client.
			start := time.Now()
			err := l.Run(ctx, 0, func() bool {
				return time.Since(start) > StaleThreshold+time.Second && len(l.Datums) >= 10 && l.Count(profile.ServerPing) >= 2
			})
			if err != nil {
				t.Fatalf("%v (close %d %q) after %v:\n%s", err, l.CloseCode, l.CloseReason, time.Since(start), l.String())
			}
			if !l.State.Ready || l.Count(profile.Ready) != 1 {
				t.Errorf("ready %v, %d Ready events", l.State.Ready, l.Count(profile.Ready))
			}
			if e := l.Events[0]; e.Kind != profile.Other || e.HeartbeatTimeout != StaleThreshold {
				t.Errorf("first event %s, want the welcome announcing %v", profiletest.Describe(e), StaleThreshold)
			}
			for _, k := range []profile.EventKind{profile.Malformed, profile.Unrecognised, profile.Refused, profile.Goodbye} {
				if n := l.Count(k); n != 0 {
					t.Errorf("%d events of kind %d:\n%s", n, k, l.String())
				}
			}
			seq, _ := jsonpath.Compile("seq")
			last := int64(0)
			for _, d := range l.Datums {
				n, ok := jsonpath.Int([]byte(d.Payload), seq)
				if !ok || n <= last {
					t.Fatalf("data %q: seq %d after %d", d.Payload, n, last)
				}
				last = n
			}
			if len(l.Sent) != 1 || l.Sent[0].Payload != subscribe {
				t.Errorf("sent %q, want the one subscribe", l.Payloads())
			}
		})

		t.Run("refusal: the channel rejects", func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			l := dial(t, ctx, url, `{"channel":"RejectChannel"}`)
			if err := l.Run(ctx, 0, func() bool { return l.Count(profile.Refused) > 0 }); err != nil {
				t.Fatalf("%v:\n%s", err, l.String())
			}
			if l.State.Ready {
				t.Error("ready after a rejection")
			}
		})

		t.Run("goodbye: connect rejects the connection", func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			l := dial(t, ctx, url+"?deny=1", ticks)
			err := l.Run(ctx, 0, nil)
			if !errors.Is(err, profiletest.ErrLiveClosed) {
				t.Fatalf("%v, want the server to close:\n%s", err, l.String())
			}
			want := profiletest.Describe(profile.Event{Kind: profile.Goodbye, Reason: []byte("unauthorized"), Reconnect: -1})
			if len(l.Events) != 1 || profiletest.Describe(l.Events[0]) != want {
				t.Errorf("events:\n%s\nwant only %s", l.String(), want)
			}
			t.Logf("closed with %d %q", l.CloseCode, l.CloseReason)
		})
	})

	// Last: a restart drops every connection of the server.
	t.Run("goodbye: server restart", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		l := dial(t, ctx, url, ticks)
		if err := l.Run(ctx, 0, func() bool { return l.State.Ready }); err != nil {
			t.Fatalf("%v:\n%s", err, l.String())
		}
		resp, err := http.Get("http://" + addr + "/restart")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		err = l.Run(ctx, 0, nil)
		if !errors.Is(err, profiletest.ErrLiveClosed) {
			t.Fatalf("%v, want the server to close:\n%s", err, l.String())
		}
		want := profiletest.Describe(profile.Event{Kind: profile.Goodbye, Reason: []byte("server_restart"), Reconnect: 1})
		if l.Count(profile.Goodbye) != 1 || profiletest.Describe(l.Events[len(l.Events)-1]) != want {
			t.Errorf("events:\n%s\nwant the last %s", l.String(), want)
		}
		t.Logf("closed with %d %q after %s data", l.CloseCode, l.CloseReason, strconv.Itoa(len(l.Datums)))
	})
}
