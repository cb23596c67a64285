package charts

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/stormbench/stormbench/internal/fault"
	"github.com/stormbench/stormbench/loadgen"
)

// Setting is one experiment setting as a reader names it ("fault",
// "reconnect", "heartbeat", …) with its value in words.
type Setting struct {
	// Name names the setting: fault, reconnect, clients, ramp, hold,
	// heartbeat, server, resume, seed, interval, workers, run id, version.
	Name string
	// Value is the setting in words, e.g. "restart (1s)".
	Value string
}

// Settings are the settings of a run that decide its storm, in reading
// order, taken from config.json. A setting the file does not record (an
// older version's layout) is left out rather than guessed.
type Settings []Setting

// Get returns the value of the named setting, "" when it is not recorded.
func (s Settings) Get(name string) string {
	for _, x := range s {
		if x.Name == name {
			return x.Value
		}
	}
	return ""
}

// Subtitle joins the settings that shape a storm into one line for a
// chart's subtitle: fault, reconnect policy, clients, heartbeat, server.
func (s Settings) Subtitle() string {
	var parts []string
	for _, n := range subtitleSettings {
		if v := s.Get(n); v != "" {
			parts = append(parts, n+" "+v)
		}
	}
	return strings.Join(parts, " · ")
}

// subtitleSettings are the settings a chart's subtitle names.
var subtitleSettings = []string{"fault", "reconnect", "clients", "heartbeat", "server"}

// config is config.json read as generic JSON, so that a layout from an
// older or newer version reads as far as it goes instead of failing.
type config map[string]any

// readSettings reads the settings from config.json at path. A missing file
// returns errNoFile; a file that is not a JSON object is an error naming it.
func readSettings(path string) (Settings, []string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, errNoFile
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	var c config
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, nil, fmt.Errorf("%s: not a JSON object: %w", path, err)
	}
	return c.settings(), c.command(), nil
}

// settings extracts the settings a reader needs from c.
func (c config) settings() Settings {
	var s Settings
	add := func(name, v string) {
		if v != "" {
			s = append(s, Setting{name, v})
		}
	}
	add("fault", c.fault())
	add("reconnect", c.reconnect())
	add("clients", c.number("loadgen.clients"))
	if r := c.number("loadgen.ramp_rate"); r != "" {
		add("ramp", r+"/s")
	}
	add("hold", c.duration("loadgen.hold"))
	add("heartbeat", c.heartbeat())
	add("server", c.server())
	add("protocol", c.protocol())
	add("resume", c.text("loadgen.resume"))
	add("seed", c.number("loadgen.seed"))
	add("interval", c.duration("loadgen.interval"))
	add("workers", c.number("workers"))
	add("run id", c.text("run_id"))
	add("version", c.text("host.stormbench_version"))
	return s
}

// fault describes the fault: its kind, and its duration, share and count
// where they apply.
func (c config) fault() string {
	kind := c.text("loadgen.fault.kind")
	if kind == "" {
		return ""
	}
	var extra []string
	if fault.Kind(kind).Lasts() {
		if d := c.duration("loadgen.fault.duration"); d != "" {
			extra = append(extra, d)
		}
	}
	if f, ok := c.float("loadgen.fault.fraction"); ok && f > 0 && f < 1 {
		extra = append(extra, fmt.Sprintf("%.0f %% of clients", f*100))
	}
	if n, ok := c.float("loadgen.fault.storms"); ok && n > 1 {
		extra = append(extra, fmt.Sprintf("%.0f storms", n))
	}
	if cmd := c.text("loadgen.fault.command"); cmd != "" {
		kind = "exec: " + cmd
	}
	if len(extra) == 0 {
		return kind
	}
	return kind + " (" + strings.Join(extra, ", ") + ")"
}

// reconnect describes the reconnect policy: a library preset by name, or
// the jitter with its backoff base and cap.
func (c config) reconnect() string {
	if p := c.text("loadgen.policy.preset"); p != "" {
		return p + " policy"
	}
	j := c.text("loadgen.policy.jitter")
	if j == "" {
		return ""
	}
	var b []string
	if d := c.duration("loadgen.policy.base"); d != "" {
		b = append(b, "base "+d)
	}
	if d := c.duration("loadgen.policy.max"); d != "" {
		b = append(b, "max "+d)
	}
	if m := c.number("loadgen.policy.multiplier"); m != "" && m != "2" {
		b = append(b, "×"+m)
	}
	if len(b) == 0 {
		return j + " jitter"
	}
	return j + " jitter (" + strings.Join(b, ", ") + ")"
}

// heartbeat describes the heartbeat mode with its interval and timeout.
func (c config) heartbeat() string {
	m := c.text("loadgen.heartbeat.mode")
	if m == "" || loadgen.HeartbeatMode(m) == loadgen.HeartbeatNone {
		// Nothing pings: interval and timeout mean nothing.
		return m
	}
	i, t := c.duration("loadgen.heartbeat.interval"), c.duration("loadgen.heartbeat.timeout")
	if i == "" {
		return m
	}
	return m + " every " + i + ", timeout " + t
}

// protocol describes what the clients spoke: a framework's protocol with
// what they joined; nothing for stormbench's own.
func (c config) protocol() string {
	p := c.text("loadgen.protocol")
	if p == "" || p == "stormbench" {
		return ""
	}
	if j, _ := c.get("loadgen.framework.join").([]any); len(j) > 0 {
		var joins []string
		for _, v := range j {
			if s, ok := v.(string); ok {
				joins = append(joins, s)
			}
		}
		p += ", joins " + strings.Join(joins, ", ")
	}
	return p
}

// server describes the server under test: the embedded one with its
// admission limits, or the URL.
func (c config) server() string {
	if e, _ := c.get("embedded_server").(bool); !e {
		return c.text("loadgen.url")
	}
	var lim []string
	if r, ok := c.float("server.accept_rate"); ok && r > 0 {
		lim = append(lim, c.number("server.accept_rate")+" upgrades/s")
	}
	if n, ok := c.float("server.max_conns"); ok && n > 0 {
		lim = append(lim, "max "+c.number("server.max_conns")+" conns")
	}
	if len(lim) == 0 {
		return "embedded"
	}
	return "embedded (" + strings.Join(lim, ", ") + ")"
}

// command returns the recorded command line (secrets already redacted by
// the writer).
func (c config) command() []string {
	a, _ := c.get("command").([]any)
	var out []string
	for _, v := range a {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// get returns the value at the dotted path, nil when absent.
func (c config) get(path string) any {
	var v any = map[string]any(c)
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// text returns a string or boolean at path as text.
func (c config) text(path string) string {
	switch v := c.get(path).(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// float returns the number at path.
func (c config) float(path string) (float64, bool) {
	f, ok := c.get(path).(float64)
	return f, ok
}

// number returns the number at path formatted without needless decimals.
func (c config) number(path string) string {
	f, ok := c.float(path)
	if !ok {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// duration returns the duration at path: nanoseconds as Go writes
// time.Duration, or a string such as "5s" as a hand-written file may.
func (c config) duration(path string) string {
	switch v := c.get(path).(type) {
	case float64:
		if math.Abs(v) > math.MaxInt64 {
			return ""
		}
		return time.Duration(v).String()
	case string:
		if d, err := time.ParseDuration(v); err == nil {
			return d.String()
		}
		return v
	}
	return ""
}
