package socketio

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/profile/profiletest"
	"github.com/stormbench/stormbench/internal/template"
)

// tmpl is profiletest.Tmpl: a message-body template for 10 clients.
var tmpl = profiletest.Tmpl

func newProfile(t testing.TB, cfg profile.Config) *Profile {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTarget(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ws://h:1", "ws://h:1/socket.io/?EIO=4&transport=websocket"},
		{"ws://h:1/", "ws://h:1/socket.io/?EIO=4&transport=websocket"},
		{"wss://h/app/socket/?token=x", "wss://h/app/socket/?EIO=4&token=x&transport=websocket"},
		{"ws://h/socket.io/?EIO=3", "ws://h/socket.io/?EIO=4&transport=websocket"},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.in)
		(&Profile{}).Target(u)
		if u.String() != tt.want {
			t.Errorf("%s → %s, want %s", tt.in, u, tt.want)
		}
	}
}

func TestNew(t *testing.T) {
	for _, tt := range []struct {
		join []string
		ok   bool
	}{
		{nil, true}, {[]string{"/"}, true}, {[]string{"/chat"}, true},
		{[]string{"chat"}, false}, {[]string{"/a,b"}, false}, {[]string{"/c{{client}}"}, false}, {[]string{"/a", "/b"}, false},
	} {
		var cfg profile.Config
		for _, j := range tt.join {
			cfg.Join = append(cfg.Join, tmpl(t, j))
		}
		_, err := New(cfg)
		if (err == nil) != tt.ok {
			t.Errorf("join %q: err %v, want ok %v", tt.join, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "--join") {
			t.Errorf("join %q: error %q does not name --join", tt.join, err)
		}
	}
}

// step is one message of the server and what the client must say and
// report in answer.
type step struct {
	server string
	sent   []string
	kinds  []profile.EventKind
	data   []string
}

func play(t *testing.T, p *Profile, c *profiletest.Conn, st *profile.State, steps []step) {
	t.Helper()
	for i, s := range steps {
		c.Reset()
		p.Receive(c, st, ws.OpText, []byte(s.server))
		var data []string
		for _, d := range c.Datums {
			data = append(data, d.Payload)
		}
		if !slices.Equal(c.Payloads(), s.sent) || !slices.Equal(c.Kinds(), s.kinds) || !slices.Equal(data, s.data) {
			t.Fatalf("step %d %q:\n%s", i, s.server, c)
		}
	}
}

var open = `0{"sid":"NhiWdmT4DDaM5r0bAAAA","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`

// TestTranscript plays the conversation socket.io-client 4.8 had with a
// socket.io 4.8 server (scripts/targets/socketio/WIRE.md): join, ticks
// with offsets, the server's ping, a restart, and the recovery join.
func TestTranscript(t *testing.T) {
	p := newProfile(t, profile.Config{Resume: true})
	var c profiletest.Conn
	var st profile.State
	p.Open(&c, &st)
	play(t, p, &c, &st, []step{
		{open, []string{"40"}, []profile.EventKind{profile.Other}, nil},
		{`40{"sid":"EfLh_1oMsP22RslWAAAA","pid":"v7WelUoxedNqGQBcAAAB"}`, nil, []profile.EventKind{profile.Ready}, nil},
		{`42["tick",{"seq":2},"Q97ylz-"]`, nil, nil, []string{`{"seq":2}`}},
		{`42["tick",{"seq":3},"Q97ymDh"]`, nil, nil, []string{`{"seq":3}`}},
		{"2", []string{"3"}, []profile.EventKind{profile.ServerPing}, nil},
	})
	if !st.Ready {
		t.Error("not ready")
	}
	// The server restarts; the client reconnects and asks to recover.
	p.Open(&c, &st)
	if st.Ready {
		t.Error("ready carried over to a new connection")
	}
	play(t, p, &c, &st, []step{
		{open, []string{`40{"pid":"v7WelUoxedNqGQBcAAAB","offset":"Q97ymDh"}`}, []profile.EventKind{profile.Other}, nil},
		// A new process: a new pid, the offset forgotten.
		{`40{"sid":"56QFSdi9lmcXMigWAAAA","pid":"6kykBClfsljRh0-9AAAB"}`, nil, []profile.EventKind{profile.Ready}, nil},
	})
	p.Open(&c, &st)
	play(t, p, &c, &st, []step{
		{open, []string{`40`}, []profile.EventKind{profile.Other}, nil}, // no offset seen under the new pid yet
	})
}

func TestOpenAnnouncesTheHeartbeatRule(t *testing.T) {
	p := newProfile(t, profile.Config{})
	var c profiletest.Conn
	var st profile.State
	p.Open(&c, &st)
	p.Receive(&c, &st, ws.OpText, []byte(open))
	if len(c.Events) != 1 || c.Events[0].HeartbeatTimeout != 45*time.Second {
		t.Fatalf("events %+v, want the 45 s rule (pingInterval + pingTimeout)", c.Events)
	}
}

func TestJoinPackets(t *testing.T) {
	tests := []struct {
		name   string
		ns     string
		auth   string
		resume []byte
		want   string
	}{
		{"main", "", "", nil, "40"},
		{"namespace", "/chat", "", nil, "40/chat,"},
		{"auth", "", `{"token":"t-{{client}}"}`, nil, `40{"token":"t-7"}`},
		{"namespace and auth", "/chat", ` { "token" : 1 } `, nil, `40/chat,{ "token" : 1 } `},
		{"resume", "", "", []byte("pid1\x00off1"), `40{"pid":"pid1","offset":"off1"}`},
		{"resume and auth", "/n", `{"token":1}`, []byte("pid1\x00off1"), `40/n,{"pid":"pid1","offset":"off1","token":1}`},
		{"resume and empty auth", "", `{ }`, []byte("pid1\x00off1"), `40{"pid":"pid1","offset":"off1"}`},
		{"pid without offset", "", "", []byte("pid1\x00"), `40`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := profile.Config{Resume: true}
			if tt.ns != "" {
				cfg.Join = []*template.Template{tmpl(t, tt.ns)}
			}
			if tt.auth != "" {
				cfg.Auth = tmpl(t, tt.auth)
			}
			p := newProfile(t, cfg)
			c := profiletest.Conn{V: template.Vars{Client: 7}}
			st := profile.State{Resume: tt.resume}
			p.Open(&c, &st)
			p.Receive(&c, &st, ws.OpText, []byte(open))
			if got := c.Payloads(); len(got) != 1 || got[0] != tt.want {
				t.Errorf("sent %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNamespaceMessages(t *testing.T) {
	p := newProfile(t, profile.Config{Join: []*template.Template{tmpl(t, "/chat")}})
	var c profiletest.Conn
	var st profile.State
	p.Open(&c, &st)
	play(t, p, &c, &st, []step{
		{open, []string{"40/chat,"}, []profile.EventKind{profile.Other}, nil},
		{`40{"sid":"x"}`, nil, []profile.EventKind{profile.Other}, nil}, // the main namespace's, not ours
		{`40/chat,{"sid":"y"}`, nil, []profile.EventKind{profile.Ready}, nil},
		{`42/chat,["tick",{"seq":1}]`, nil, nil, []string{`{"seq":1}`}},
		{`42/chat,17["question",5]`, []string{"43/chat,17[]"}, nil, []string{"5"}},
		{`41/chat,`, nil, []profile.EventKind{profile.Goodbye}, nil},
		{`41/chat`, nil, []profile.EventKind{profile.Goodbye}, nil},
	})
}

func TestRefusalsAndGoodbyes(t *testing.T) {
	p := newProfile(t, profile.Config{})
	var c profiletest.Conn
	var st profile.State
	p.Open(&c, &st)
	p.Receive(&c, &st, ws.OpText, []byte(open))
	c.Reset()
	p.Receive(&c, &st, ws.OpText, []byte(`44{"message":"Not authorized"}`))
	if len(c.Events) != 1 || c.Events[0].Kind != profile.Refused || string(c.Events[0].Reason) != "Not authorized" {
		t.Fatalf("refusal: %s", &c)
	}
	c.Reset()
	p.Receive(&c, &st, ws.OpText, []byte(`1`))
	if k := c.Kinds(); !slices.Equal(k, []profile.EventKind{profile.Goodbye}) {
		t.Fatalf("engine close: %s", &c)
	}
}

func TestMalformedAndForeign(t *testing.T) {
	p := newProfile(t, profile.Config{Resume: true})
	tests := []struct {
		msg  string
		kind profile.EventKind
	}{
		{``, profile.Malformed},
		{`0{"sid":"x"}`, profile.Malformed}, // no heartbeat rule
		{`{"type":"msg","seq":1}`, profile.Unrecognised},
		{`hello`, profile.Unrecognised},
		{`4`, profile.Malformed},
		{`42{"a":1}`, profile.Malformed},
		{`42[]`, profile.Malformed},
		{`42[1,2]`, profile.Malformed},
		{`42["x",`, profile.Malformed},
		{`4212345678901234567890["x"]`, profile.Malformed},
		{`49`, profile.Unrecognised},
	}
	for _, tt := range tests {
		var c profiletest.Conn
		var st profile.State
		p.Open(&c, &st)
		p.Receive(&c, &st, ws.OpText, []byte(tt.msg))
		if k := c.Kinds(); len(k) != 1 || k[0] != tt.kind || len(c.Datums) != 0 {
			t.Errorf("%q: %s, want one event %d", tt.msg, &c, tt.kind)
		}
	}
}

func TestNoAllocations(t *testing.T) {
	p := newProfile(t, profile.Config{Resume: true})
	q := profiletest.NewQuiet(64)
	var st profile.State
	p.Open(q, &st)
	p.Receive(q, &st, ws.OpText, []byte(open))
	p.Receive(q, &st, ws.OpText, []byte(`40{"sid":"a","pid":"b"}`))
	tick := []byte(`42["tick",{"seq":2},"Q97ylz-"]`)
	p.Receive(q, &st, ws.OpText, tick) // the offset's room
	ping := []byte("2")
	for name, msg := range map[string][]byte{"heartbeat": ping, "data": tick} {
		if n := testing.AllocsPerRun(200, func() { p.Receive(q, &st, ws.OpText, msg) }); n != 0 {
			t.Errorf("%s: %v allocations", name, n)
		}
	}
}

func BenchmarkReceive(b *testing.B) {
	p := newProfile(b, profile.Config{Resume: true})
	q := profiletest.NewQuiet(64)
	var st profile.State
	p.Open(q, &st)
	p.Receive(q, &st, ws.OpText, []byte(open))
	p.Receive(q, &st, ws.OpText, []byte(`40{"sid":"a","pid":"b"}`))
	for _, bb := range []struct {
		name string
		msg  []byte
	}{{"heartbeat", []byte("2")}, {"data", []byte(`42["tick",{"seq":2},"Q97ylz-"]`)}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Receive(q, &st, ws.OpText, bb.msg)
			}
		})
	}
}

func FuzzReceive(f *testing.F) {
	for _, s := range []string{open, `40{"sid":"a","pid":"b"}`, `42["tick",{"seq":2},"off"]`, `42/chat,17["q",5]`, "2", `44{"message":"no"}`, `41/x`} {
		f.Add([]byte(s))
	}
	p := newProfile(f, profile.Config{Resume: true, Auth: tmpl(f, `{"k":1}`)})
	f.Fuzz(func(t *testing.T, msg []byte) {
		var c profiletest.Conn
		st := profile.State{Resume: []byte("pid\x00off")}
		p.Open(&c, &st)
		p.Receive(&c, &st, ws.OpText, slices.Clone(msg))
		p.Receive(&c, &st, ws.OpText, []byte(open))
		p.Receive(&c, &st, ws.OpText, msg)
		if len(st.Resume) > len(msg)+len("pid\x00off")+1 {
			t.Fatalf("resume state grew to %d bytes on a %d-byte message", len(st.Resume), len(msg))
		}
	})
}
