package loadgen

import (
	"errors"
	"net/url"
	"strings"

	"github.com/stormbench/stormbench/internal/profile"

	"github.com/stormbench/stormbench/internal/fielderr"
	"github.com/stormbench/stormbench/internal/jsonpath"
	"github.com/stormbench/stormbench/internal/template"
)

// Formats describe the messages of a server that does not speak
// stormbench's own protocol (docs/staging.md). The
// zero value is stormbench's protocol: app pings {"type":"ping","t":…}
// with t the client's clock in nanoseconds, pongs {"type":"pong","t":…}
// echoing it, broadcasts {"type":"msg","seq":…} and the server's
// {"type":"hello","seq":…}.
type Formats struct {
	// AppPing is the template of an app heartbeat's payload (--heartbeat
	// app), e.g. {"type":"ping","time":{{now_ms}}}; "" means stormbench's.
	AppPing string `json:"app_ping,omitempty"`
	// AppPingBinary sends AppPing as a binary message instead of text.
	AppPingBinary bool `json:"app_ping_binary,omitempty"`
	// AppPong recognises the server's pong by a JSON field match,
	// "path" or "path=value" (type=pong); "" means type=pong.
	AppPong string `json:"app_pong,omitempty"`
	// AppPongTime names the pong's field that echoes the ping's
	// {{now_ms}} or {{now_ns}}, for the round-trip time; "" means
	// stormbench's t with its own ping, and otherwise no echoed time: the
	// round trip is then timed from the client's oldest unanswered ping.
	AppPongTime string `json:"app_pong_time,omitempty"`
	// SeqField names the broadcast's sequence number field; "" means seq.
	// A message without it, as an integer, is counted as other traffic.
	SeqField string `json:"seq_field,omitempty"`
	// ResumeParam is the query parameter that carries the last sequence
	// number seen when a client reconnects; "" means resume.
	ResumeParam string `json:"resume_param,omitempty"`
	// Ack recognises a server's acknowledgement of the clients' own
	// messages by a JSON field match ("type=ack"); "" means stormbench's.
	// AckID names its field holding the message's id; "" means id.
	Ack   string `json:"ack,omitempty"`
	AckID string `json:"ack_id,omitempty"`
	// ClientParam is the query parameter that carries the client's ID;
	// "" means client. ClientParamOff sends none.
	ClientParam    string `json:"client_param,omitempty"`
	ClientParamOff bool   `json:"client_param_off,omitempty"`
}

// Custom reports whether any heartbeat or broadcast format differs from
// stormbench's own, so that received messages are read by field lookups
// instead of stormbench's parser. An ack format of the server's own
// (Ack) is recognised on either path.
func (f Formats) Custom() bool {
	return f.AppPing != "" || f.AppPingBinary || f.AppPong != "" || f.AppPongTime != "" || f.SeqField != ""
}

// Defaults of Formats: stormbench's own protocol. An empty field means its
// default, and the command's flags show the same values.
const (
	DefaultAppPong     = "type=pong"
	DefaultSeqField    = "seq"
	DefaultResumeParam = "resume"
	DefaultClientParam = "client"
	DefaultAckID       = "id"
)

// pongTimeUnit is how an echoed time converts to nanoseconds.
type pongTimeUnit uint8

const (
	pongTimeNone    pongTimeUnit = iota // no echoed time: from the oldest unanswered ping
	pongTimeFleetNS                     // stormbench's own t: the client's clock, ns since the run's start
	pongTimeWallMS                      // {{now_ms}}: Unix milliseconds
	pongTimeWallNS                      // {{now_ns}}: Unix nanoseconds
)

// formats is Formats compiled once per fleet; immutable.
type formats struct {
	custom     bool
	customAck  bool               // the server acknowledges in its own format (Formats.Ack)
	ping       *template.Template // nil: stormbench's ping
	pingBinary bool
	pong       jsonpath.Match
	pongTime   jsonpath.Path
	unit       pongTimeUnit
	seq        jsonpath.Path
	ack        jsonpath.Match
	ackID      jsonpath.Path
	resume     string
	client     string // "" when no client parameter is sent
}

// compileFormats checks f and compiles it; o gives the fleet's size and
// the files its templates share. Errors are *FieldError keyed by the
// field's path under Formats.
func compileFormats(f Formats, o template.Options) (*formats, error) {
	c := &formats{custom: f.Custom(), customAck: f.Ack != "", pingBinary: f.AppPingBinary, resume: orDefault(f.ResumeParam, DefaultResumeParam)}
	if !f.ClientParamOff {
		c.client = orDefault(f.ClientParam, DefaultClientParam)
	}
	var errs []error
	bad := func(field, format string, a ...any) {
		errs = append(errs, fielderr.New("Formats."+field, format, a...))
	}
	if f.AppPing != "" {
		o.Context = template.InBody
		t, err := template.Parse(f.AppPing, o)
		if err != nil {
			bad("AppPing", "%v", err)
		} else {
			c.ping = t
		}
	}
	pong := orDefault(f.AppPong, DefaultAppPong)
	m, err := jsonpath.CompileMatch(pong)
	if err != nil {
		bad("AppPong", "must be a field match such as type=pong or data.kind=pong (got %q: %v)", pong, err)
	}
	c.pong = m
	switch {
	case f.AppPongTime != "":
		p, err := jsonpath.Compile(f.AppPongTime)
		if err != nil {
			bad("AppPongTime", "must be a field path such as time or data.ts (got %q: %v)", f.AppPongTime, err)
		}
		c.pongTime = p
		switch {
		case c.ping == nil && f.AppPing == "":
			c.unit = pongTimeFleetNS
		case c.ping != nil && c.ping.Uses(template.NowNS):
			c.unit = pongTimeWallNS
		case c.ping != nil && c.ping.Uses(template.NowMS):
			c.unit = pongTimeWallMS
		case c.ping != nil:
			bad("AppPongTime", "needs a time to echo: put {{now_ms}} or {{now_ns}} in {Formats.AppPing} (got %q)", f.AppPing)
		}
	case f.AppPing == "":
		c.pongTime, _ = jsonpath.Compile("t")
		c.unit = pongTimeFleetNS
	}
	if c.ack, err = jsonpath.CompileMatch(orDefault(f.Ack, "type=ack")); err != nil {
		bad("Ack", "must be a field match such as type=ack (got %q: %v)", f.Ack, err)
	}
	if c.ackID, err = jsonpath.Compile(orDefault(f.AckID, DefaultAckID)); err != nil {
		bad("AckID", "must be a field path such as id or data.id (got %q: %v)", f.AckID, err)
	}
	seq := orDefault(f.SeqField, DefaultSeqField)
	if c.seq, err = jsonpath.Compile(seq); err != nil {
		bad("SeqField", "must be a field path such as seq or meta.seq (got %q: %v)", seq, err)
	}
	for _, p := range []struct{ field, v string }{{"ResumeParam", f.ResumeParam}, {"ClientParam", f.ClientParam}} {
		if p.v != "" && !queryName(p.v) {
			bad(p.field, "must be a query parameter name of letters, digits, '-', '_' or '.' (got %q)", p.v)
		}
	}
	if f.ClientParamOff && f.ClientParam != "" {
		bad("ClientParam", "must not be given when the client parameter is off (got %q)", f.ClientParam)
	}
	if c.client != "" && c.client == c.resume {
		bad("ResumeParam", "must differ from the client parameter (both %q)", c.resume)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// queryName reports whether s can be written into a query unescaped.
func queryName(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("-_.", b) >= 0) {
			return false
		}
	}
	return s != ""
}

// echoedNS converts an echoed time to the same Unix or fleet nanoseconds
// the client measures now in.
func (f *formats) echoedNS(v int64) (int64, bool) {
	switch f.unit {
	case pongTimeFleetNS, pongTimeWallNS:
		return v, true
	case pongTimeWallMS:
		if v > (1<<62)/1_000_000 || v < 0 {
			return 0, false
		}
		return v * 1e6, true
	}
	return 0, false
}

// compiled is what a resolved Config compiles to, once per fleet.
type compiled struct {
	formats *formats
	req     *upgradeRequest
	url     *url.URL
	profile profile.Profile // nil for stormbench's and json
}

// compile compiles what the resolved c says about the server's formats,
// its framework's protocol and each client's request, reading the files
// its templates name once.
func (c *Config) compile() (compiled, error) {
	files := template.NewFiles()
	f, err := compileFormats(c.Formats, template.Options{Clients: c.Clients, Files: files})
	if err != nil {
		return compiled{}, err
	}
	prof, err := c.compileProfile(files)
	if err != nil {
		return compiled{}, err
	}
	cc := *c
	if prof != nil {
		if cc.URL != "" {
			if cc.URL, err = profileURL(prof, cc.URL, strings.Contains(cc.URL, "{{")); err != nil {
				return compiled{}, fielderr.New("URL", "%v", err)
			}
		}
		if len(cc.Subprotocols) == 0 {
			cc.Subprotocols = prof.Subprotocols()
		}
		// The framework's own protocol carries the client's identity and
		// its resume point; the query parameters stormbench's server reads
		// are not sent unless asked for.
		if c.Formats.ClientParam == "" {
			f.client = ""
		}
		f.resume = ""
	}
	if cc.URL == "" {
		// No server yet (the embedded one gets its URL later): check the
		// headers, subprotocols and origin against a stand-in.
		cc.URL = "ws://127.0.0.1:1/"
		_, _, err := compileRequest(&cc, f, files)
		return compiled{formats: f, profile: prof}, err
	}
	r, u, err := compileRequest(&cc, f, files)
	return compiled{formats: f, req: r, url: u, profile: prof}, err
}
