package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/stormbench/stormbench/loadgen"
)

// Legends of the text and markdown tables.
var (
	presetsLegend = fmt.Sprintf("mean delay of retry n (n=0: the first retry after a loss or a failed attempt), from the formula; "+
		"a decorrelated preset's retry starts from the previous retry's mean, reconnecting-websocket's is averaged over its "+
		"1–5 s base, which a run draws once from --seed; gave up: the preset stopped retrying before this one. "+
		"timeout: the library's own connect timeout, which applies unless --connect-timeout is given (–: it has none, "+
		"--connect-timeout applies, default %v); resets: when the retry count starts again", loadgen.DefaultConnectTimeout)
	protocolsLegend = fmt.Sprintf("heartbeat app: the client pings every interval; server: the server pings every interval and the client "+
		"listens; none: no heartbeat, a dead connection is found by TCP alone. A connection silent for the timeout is dead; "+
		"the timeout follows what the server announces where the client does (e.g. Socket.IO's pingInterval + pingTimeout, "+
		"STOMP's heart-beat). --protocol stormbench and json take the generic backoff (--jitter %s, --backoff-base %v) "+
		"and %s heartbeats every %v", loadgen.DefaultJitter, loadgen.DefaultBackoffBase, loadgen.DefaultHeartbeatMode, loadgen.DefaultHeartbeatInterval)
)

// write writes t in format f.
func (t *policyTable) write(w io.Writer, f policiesFormat) error {
	switch f {
	case policiesMarkdown:
		return t.writeMarkdown(w)
	case policiesJSON:
		return t.writeJSON(w)
	}
	return t.writeText(w)
}

// fmtDur writes a duration to four significant digits (the means are
// integrals and carry nanoseconds of rounding: 8.999999999s is 9s).
func fmtDur(d time.Duration) string {
	if d <= 0 {
		return d.String()
	}
	digits := int(math.Floor(math.Log10(float64(d)))) + 1
	if digits > 4 {
		d = d.Round(time.Duration(math.Pow10(digits - 4)))
	}
	return d.String()
}

// orDash writes d, or – for 0 (none).
func orDash(d time.Duration) string {
	if d == 0 {
		return "–"
	}
	return fmtDur(d)
}

// resets says when a preset's retry count resets.
func (r presetRow) resets() string {
	if r.ResetAfter == 0 {
		return "on connect"
	}
	return "after " + fmtDur(r.ResetAfter) + " open"
}

// means writes the mean delays, "gave up" past the preset's last retry.
func (r presetRow) means() []string {
	out := make([]string, len(r.Mean))
	for i, m := range r.Mean {
		if m == nil {
			out[i] = "gave up"
			continue
		}
		out[i] = fmtDur(*m)
	}
	return out
}

// client names the reference client with its version.
func (r protocolRow) client() string {
	return strings.TrimSpace(r.Library + " " + r.Version)
}

// preset names the protocol's preset, or the generic backoff.
func (r protocolRow) preset() string {
	if r.Preset == "" {
		return "– (generic backoff)"
	}
	return string(r.Preset)
}

// heartbeat writes mode, interval and timeout.
func (r protocolRow) heartbeat() []string {
	hb := r.Heartbeat
	if hb.Mode == loadgen.HeartbeatNone {
		return []string{string(hb.Mode), "–", "–"}
	}
	return []string{string(hb.Mode), orDash(hb.Interval), orDash(hb.Timeout)}
}

// meanHeader is the header of the mean delay columns.
func meanHeader() []string {
	h := make([]string, meanRetries)
	for n := range h {
		h[n] = fmt.Sprintf("n=%d", n)
	}
	return h
}

func (t *policyTable) writeText(w io.Writer) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
	legend := func(text string) { b.WriteString(strings.Join(wrapText(text, 100, "  "), "\n") + "\n") }
	// The library is left to the formulas below, so that the table fits
	// 100 columns.
	b.WriteString("reconnect presets (run --policy NAME)\n")
	row(append([]string{"  preset", "timeout", "resets"}, meanHeader()...)...)
	for _, r := range t.Presets {
		row(append([]string{"  " + string(r.Name), orDash(r.ConnectTimeout), r.resets()}, r.means()...)...)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	legend(presetsLegend)
	b.WriteString("\nlibraries, formulas and sources\n")
	for _, r := range t.Presets {
		b.WriteString("  " + string(r.Name) + ": " + r.Library + "\n")
		b.WriteString(strings.Join(wrapText(r.Formula, 100, "    "), "\n") + "\n")
	}
	b.WriteString("\nframework defaults (run --protocol NAME without --policy, a backoff flag or a --heartbeat flag)\n")
	if len(t.Protocols) == 0 {
		b.WriteString("  no framework's protocol takes these presets by default\n")
	} else {
		tw = tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		row("  protocol", "reference client", "preset", "heartbeat", "interval", "timeout")
		for _, r := range t.Protocols {
			row(append([]string{"  " + string(r.Protocol), r.client(), r.preset()}, r.heartbeat()...)...)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		legend(protocolsLegend)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// wrapText breaks text into lines of at most width runes at spaces, each
// beginning with indent.
func wrapText(text string, width int, indent string) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len([]rune(indent+line+" "+word)) > width {
			out = append(out, indent+line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		out = append(out, indent+line)
	}
	return out
}

// mdCell escapes a Markdown table cell.
func mdCell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

func (t *policyTable) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	row := func(cells ...string) {
		for i := range cells {
			cells[i] = mdCell(cells[i])
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	rule := func(n int) { b.WriteString("|" + strings.Repeat(" --- |", n) + "\n") }
	b.WriteString("**Reconnect presets** (`run --policy NAME`)\n\n")
	row(append([]string{"preset", "library", "timeout", "resets"}, meanHeader()...)...)
	rule(4 + meanRetries)
	for _, r := range t.Presets {
		row(append([]string{"`" + string(r.Name) + "`", r.Library, orDash(r.ConnectTimeout), r.resets()}, r.means()...)...)
	}
	b.WriteString("\n" + presetsLegend + "\n\n")
	row("preset", "formula and source")
	rule(2)
	for _, r := range t.Presets {
		row("`"+string(r.Name)+"`", r.Formula)
	}
	b.WriteString("\n**Framework defaults** (`run --protocol NAME` without `--policy`, a backoff flag or a `--heartbeat` flag)\n\n")
	if len(t.Protocols) == 0 {
		b.WriteString("No framework's protocol takes these presets by default.\n")
	} else {
		row("protocol", "reference client", "preset", "heartbeat", "interval", "timeout")
		rule(6)
		for _, r := range t.Protocols {
			pre := r.preset()
			if r.Preset != "" {
				pre = "`" + pre + "`"
			}
			row(append([]string{"`" + string(r.Protocol) + "`", r.client(), pre}, r.heartbeat()...)...)
		}
		b.WriteString("\n" + protocolsLegend + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// jsonPolicies is the JSON format's layout: durations in milliseconds,
// as summary.json writes them.
type jsonPolicies struct {
	Presets   []jsonPreset   `json:"presets"`
	Protocols []jsonProtocol `json:"protocols"`
}

type jsonPreset struct {
	Name    string `json:"name"`
	Library string `json:"library"`
	Formula string `json:"formula"`
	Jitter  string `json:"jitter"`
	// ConnectTimeoutMs is null when the library has no timeout of its own.
	ConnectTimeoutMs *float64 `json:"connect_timeout_ms"`
	// ResetAfterMs is 0 when the count resets on connect.
	ResetAfterMs float64 `json:"reset_after_ms"`
	MaxRetries   int     `json:"max_retries"`
	// MeanDelayMs holds retries 0 … 5; null where the preset gave up.
	MeanDelayMs []*float64 `json:"mean_delay_ms"`
}

type jsonProtocol struct {
	Protocol  string        `json:"protocol"`
	Doc       string        `json:"doc"`
	Library   string        `json:"library"`
	Version   string        `json:"version"`
	Source    string        `json:"source"`
	Preset    string        `json:"preset"`
	Heartbeat jsonHeartbeat `json:"heartbeat"`
}

type jsonHeartbeat struct {
	Mode         string  `json:"mode"`
	IntervalMs   float64 `json:"interval_ms"`
	TimeoutMs    float64 `json:"timeout_ms"`
	FollowServer bool    `json:"follow_server"`
}

// ms converts d to milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (t *policyTable) writeJSON(w io.Writer) error {
	out := jsonPolicies{Presets: []jsonPreset{}, Protocols: []jsonProtocol{}}
	for _, r := range t.Presets {
		p := jsonPreset{Name: string(r.Name), Library: r.Library, Formula: r.Formula, Jitter: string(r.Jitter),
			ResetAfterMs: ms(r.ResetAfter), MaxRetries: r.MaxRetries, MeanDelayMs: make([]*float64, len(r.Mean))}
		if r.ConnectTimeout > 0 {
			v := ms(r.ConnectTimeout)
			p.ConnectTimeoutMs = &v
		}
		for i, m := range r.Mean {
			if m != nil {
				v := ms(*m)
				p.MeanDelayMs[i] = &v
			}
		}
		out.Presets = append(out.Presets, p)
	}
	for _, r := range t.Protocols {
		hb := r.Heartbeat
		out.Protocols = append(out.Protocols, jsonProtocol{Protocol: string(r.Protocol), Doc: r.Doc, Library: r.Library,
			Version: r.Version, Source: r.Source, Preset: string(r.Preset),
			Heartbeat: jsonHeartbeat{Mode: string(hb.Mode), IntervalMs: ms(hb.Interval), TimeoutMs: ms(hb.Timeout), FollowServer: hb.FollowServer}})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
