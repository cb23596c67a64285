package mqtt

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// broker is a mosquitto started for the test.
type broker struct {
	ws, tcp, auth int // ports
	cmd           *exec.Cmd
	exited        <-chan struct{}
}

func (b broker) url(port int) string { return fmt.Sprintf("ws://127.0.0.1:%d/mqtt", port) }

// startMosquitto starts Debian's mosquitto 2.x with testdata/mosquitto.conf
// on free loopback ports, or skips the test.
func startMosquitto(t *testing.T) broker {
	t.Helper()
	if testing.Short() {
		t.Skip("starts mosquitto: not with -short")
	}
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		if bin, err = exec.LookPath("/usr/sbin/mosquitto"); err != nil {
			t.Skip("mosquitto is not installed (apt-get install mosquitto)")
		}
	}
	ports := freePorts(t, 3)
	b := broker{ws: ports[0], tcp: ports[1], auth: ports[2]}
	dir := t.TempDir()
	// mosquitto started as root drops to the user mosquitto: let it write
	// its log.
	os.Chmod(dir, 0o777)
	conf := writeConfig(t, "mosquitto.conf", dir,
		"@DIR@", dir, "@WS_PORT@", strconv.Itoa(b.ws), "@TCP_PORT@", strconv.Itoa(b.tcp), "@AUTH_PORT@", strconv.Itoa(b.auth))
	b.cmd, b.exited = startProcess(t, filepath.Join(dir, "stderr.log"), bin, "-c", conf)
	for _, p := range ports {
		if err := waitPort(p, 10*time.Second, b.exited); err != nil {
			log, _ := os.ReadFile(filepath.Join(dir, "mosquitto.log"))
			t.Fatalf("mosquitto: %v\n%s", err, log)
		}
	}
	return b
}

// publisher is an MQTT 3.1.1 client over plain TCP that publishes
// {"seq":n} to ticks.
type publisher struct {
	t   *testing.T
	nc  net.Conn
	seq int
}

func newPublisher(t *testing.T, port int, id string) *publisher {
	t.Helper()
	nc, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	// CONNECT: MQTT 3.1.1, clean session, keep-alive off.
	b := append([]byte{0, 0, 0, 0, 0, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 0, 0, byte(len(id))}, id...)
	if _, err := nc.Write(seal(b, connect<<4)); err != nil {
		t.Fatal(err)
	}
	ack := make([]byte, 4)
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(nc, ack); err != nil || ack[3] != 0 {
		t.Fatalf("publisher CONNACK % x: %v", ack, err)
	}
	nc.SetReadDeadline(time.Time{})
	go io.Copy(io.Discard, nc) // PUBACKs
	return &publisher{t: t, nc: nc}
}

// publish sends the next tick at qos.
func (p *publisher) publish(qos byte) {
	p.seq++
	payload := fmt.Appendf(nil, `{"seq":%d}`, p.seq)
	b := []byte{0, 0, 0, 0, 0, 0, 5, 't', 'i', 'c', 'k', 's'}
	if qos > 0 {
		b = append(b, byte(p.seq>>8), byte(p.seq))
	}
	b = append(b, payload...)
	if _, err := p.nc.Write(seal(b, publish<<4|qos<<1)); err != nil {
		p.t.Errorf("publish: %v", err)
	}
}

// every publishes at qos every d until the test ends.
func (p *publisher) every(d time.Duration, qos byte) {
	stop, done := make(chan struct{}), make(chan struct{})
	p.t.Cleanup(func() { close(stop); <-done })
	go func() {
		defer close(done)
		tk := time.NewTicker(d)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tk.C:
				p.publish(qos)
			}
		}
	}()
}

// seqs reads the seq of every data message recorded.
func seqs(t *testing.T, l *live) []int {
	var out []int
	for _, d := range l.Datums {
		var v struct{ Seq int }
		if err := json.Unmarshal([]byte(d.Payload), &v); err != nil {
			t.Fatalf("data %q: %v", d.Payload, err)
		}
		out = append(out, v.Seq)
	}
	return out
}

// TestMosquitto runs the profile against a real broker: join, ready, data,
// keep-alive held past the broker's 1.5 × keep-alive, a persistent session
// resumed with its QoS 1 backlog, a session taken over (MQTT 5 goodbye),
// and a refused CONNECT.
func TestMosquitto(t *testing.T) {
	b := startMosquitto(t)
	pub := newPublisher(t, b.tcp, "ticks")
	pub.every(100*time.Millisecond, 0)
	join := []*template.Template{tmpl(t, "ticks")}

	for _, version := range []int{V311, V5} {
		t.Run(fmt.Sprintf("MQTT %d: ready, data, keep-alive held", version), func(t *testing.T) {
			t.Parallel()
			p := mustNew(t, profile.Config{Join: join, HeartbeatInterval: time.Second, Version: version})
			l := dial(t, b.url(b.ws), p, uint64(version))
			st := &profile.State{}
			p.Open(l, st)
			if ok, closed := l.Drive(p, st, 0, 5*time.Second, func() bool { return st.Ready }); !ok {
				t.Fatalf("not ready (closed %v, %v):\n%s", closed, l.Err(), l)
			}
			// The broker allows 1.5 × 1 s of silence; mosquitto 2.0.11 checks
			// its websocket clients' keep-alive every few seconds: the
			// control below is closed within about 5 s.
			if _, closed := l.Drive(p, st, time.Second, 7*time.Second, nil); closed {
				t.Fatalf("the broker closed the connection (%v):\n%s", l.Err(), l)
			}
			if n := l.Count(profile.Pong); n < 5 {
				t.Errorf("%d PINGRESPs for 7 PINGREQs:\n%s", n, l)
			}
			s := seqs(t, l)
			if len(s) < 20 {
				t.Errorf("%d ticks in 7 s, want about 70", len(s))
			}
			for i := 1; i < len(s); i++ {
				if s[i] != s[i-1]+1 {
					t.Errorf("ticks out of order: %v", s)
					break
				}
			}
			for _, e := range l.Events {
				if e.Kind != profile.Other && e.Kind != profile.Ready && e.Kind != profile.Pong {
					t.Errorf("event %s", describe(e))
				}
			}
		})
	}

	t.Run("no PINGREQ: the broker closes (the control of the test above)", func(t *testing.T) {
		t.Parallel()
		p := mustNew(t, profile.Config{Join: join, HeartbeatInterval: time.Second})
		l := dial(t, b.url(b.ws), p, 10)
		st := &profile.State{}
		p.Open(l, st)
		if ok, _ := l.Drive(p, st, 0, 5*time.Second, func() bool { return st.Ready }); !ok {
			t.Fatalf("not ready:\n%s", l)
		}
		start := time.Now()
		if _, closed := l.Drive(p, st, 0, 10*time.Second, nil); !closed {
			t.Fatalf("open 10 s after the last packet of the client, want closed after 1.5 s (and mosquitto's check)")
		}
		t.Logf("closed %v after the SUBSCRIBE", time.Since(start).Round(time.Millisecond))
	})

	t.Run("persistent session resumed, QoS 1 backlog delivered", func(t *testing.T) {
		p := mustNew(t, profile.Config{Join: join, HeartbeatInterval: 10 * time.Second, QoS: 1, Persistent: true,
			ClientID: tmpl(t, "resume-{{client}}")})
		q := newPublisher(t, b.tcp, "backlog")
		st := &profile.State{}
		first := dial(t, b.url(b.ws), p, 1)
		p.Open(first, st)
		if ok, _ := first.Drive(p, st, 0, 5*time.Second, func() bool { return st.Ready }); !ok {
			t.Fatalf("not ready:\n%s", first)
		}
		first.Drop() // the connection drops: no DISCONNECT
		for range 5 {
			q.publish(1)
		}
		second := dial(t, b.url(b.ws), p, 1)
		p.Open(second, st)
		got := func() bool { return len(second.Datums) >= 5 }
		if ok, closed := second.Drive(p, st, 0, 5*time.Second, got); !ok {
			t.Fatalf("no backlog (closed %v):\n%s", closed, second)
		}
		if !second.Has(profile.Ready) {
			t.Errorf("not ready after the session resumed:\n%s", second)
		}
		if second.Sent[0].Payload[0] != connect<<4 {
			t.Fatalf("first packet sent % x", second.Sent[0].Payload)
		}
		for _, s := range second.Sent[1:] {
			if s.Payload[0] != puback<<4 {
				t.Errorf("sent % x on the resumed session, want only PUBACKs (no SUBSCRIBE)", s.Payload)
			}
		}
		if s := seqs(t, second); fmt.Sprint(s[:5]) != "[1 2 3 4 5]" {
			t.Errorf("backlog %v, want 1 to 5", s)
		}
	})

	t.Run("MQTT 5 session taken over: goodbye or close", func(t *testing.T) {
		p := mustNew(t, profile.Config{Join: join, HeartbeatInterval: 10 * time.Second, Version: V5,
			ClientID: tmpl(t, "same")})
		st1, st2 := &profile.State{}, &profile.State{}
		a := dial(t, b.url(b.ws), p, 1)
		p.Open(a, st1)
		if ok, _ := a.Drive(p, st1, 0, 5*time.Second, func() bool { return st1.Ready }); !ok {
			t.Fatalf("not ready:\n%s", a)
		}
		c := dial(t, b.url(b.ws), p, 2)
		p.Open(c, st2)
		// MQTT 5 §3.1.4: the broker ends the old connection, with a
		// DISCONNECT 0x8E where it sends one (mosquitto 2.0.11 over
		// WebSocket just closes).
		ok, closed := a.Drive(p, st1, 0, 5*time.Second, func() bool { return a.Has(profile.Goodbye) })
		switch {
		case ok:
			if e := a.Events[len(a.Events)-1]; e.Code != 0x8e || string(e.Reason) != "session taken over" {
				t.Errorf("goodbye %s, want 142 session taken over", describe(e))
			}
		case closed:
			t.Logf("closed without a DISCONNECT (%v)", a.Err())
		default:
			t.Fatalf("the old connection is still open:\n%s", a)
		}
	})

	t.Run("MQTT 5 broker shut down: goodbye or close", func(t *testing.T) {
		own := startMosquitto(t) // a broker of this subtest's own, to stop
		p := mustNew(t, profile.Config{Join: join, HeartbeatInterval: 10 * time.Second, Version: V5})
		l := dial(t, own.url(own.ws), p, 1)
		st := &profile.State{}
		p.Open(l, st)
		if ok, _ := l.Drive(p, st, 0, 5*time.Second, func() bool { return st.Ready }); !ok {
			t.Fatalf("not ready:\n%s", l)
		}
		own.cmd.Process.Signal(syscall.SIGTERM)
		// MQTT 5 §3.14: DISCONNECT 0x8B where the broker sends one
		// (mosquitto 2.0.11 just closes).
		ok, closed := l.Drive(p, st, 0, 5*time.Second, func() bool { return l.Has(profile.Goodbye) })
		switch {
		case ok:
			if e := l.Events[len(l.Events)-1]; e.Code != 0x8b {
				t.Errorf("goodbye %s, want 139 server shutting down", describe(e))
			}
		case closed:
			t.Logf("closed without a DISCONNECT (%v)", l.Err())
		default:
			t.Fatalf("still open 5 s after SIGTERM:\n%s", l)
		}
	})

	for _, version := range []int{V311, V5} {
		t.Run(fmt.Sprintf("MQTT %d: anonymous refused", version), func(t *testing.T) {
			p := mustNew(t, profile.Config{Join: join, Version: version})
			l := dial(t, b.url(b.auth), p, 1)
			st := &profile.State{}
			p.Open(l, st)
			if ok, _ := l.Drive(p, st, 0, 5*time.Second, func() bool { return l.Has(profile.Refused) }); !ok {
				t.Fatalf("not refused:\n%s", l)
			}
			want := map[int]string{V311: "refused 5 not authorized", V5: "refused 135 not authorized"}[version]
			if got := describe(l.Events[len(l.Events)-1]); got != want {
				t.Errorf("%s, want %s", got, want)
			}
		})
	}
}
