package main

import (
	"github.com/spf13/pflag"
	"github.com/stormbench/stormbench/loadgen"
)

// serverFormatFlags are what run says about a server stormbench did not
// write: its handshake and its message formats.
type serverFormatFlags struct {
	appPong, appPongTime, seqField, resumeParam, clientParam string
}

// defineServerFormatFlags defines the handshake and format flags of run.
func defineServerFormatFlags(fs *pflag.FlagSet, cfg *loadgen.Config, sf *serverFormatFlags) {
	fs.StringArrayVarP(&cfg.Headers, "header", "H", nil, "extra upgrade request header 'Name: value', repeatable; the value may use {{client}}, {{shard}}, {{env NAME}}, {{line FILE}} (e.g. 'Authorization: Bearer {{line tokens.txt}}')")
	fs.StringSliceVar(&cfg.Subprotocols, "subprotocol", nil, "offer these subprotocols (Sec-WebSocket-Protocol), in order of preference; repeatable or a comma list")
	fs.StringVar(&cfg.Origin, "origin", "", "send this Origin header, as a browser does")
	fs.StringVar(&cfg.Formats.AppPing, "app-ping", "", `--heartbeat app: the ping's payload as a template, e.g. '{"type":"ping","time":{{now_ms}}}' ({{now_ms}}, {{now_ns}}, {{client}}, …) (default: stormbench's {"type":"ping","t":…})`)
	fs.BoolVar(&cfg.Formats.AppPingBinary, "app-ping-binary", false, "--heartbeat app: send the ping as a binary message instead of text")
	fs.StringVar(&sf.appPong, "app-pong", "type=pong", "--heartbeat app: recognise the server's pong by this JSON field match, path or path=value (e.g. data.kind=pong)")
	fs.StringVar(&sf.appPongTime, "app-pong-time", "", "--heartbeat app: the pong's field echoing the ping's {{now_ms}} or {{now_ns}}, for the round trip (default: t with stormbench's ping; else timed from the oldest unanswered ping)")
	fs.StringVar(&sf.seqField, "seq-field", "seq", "the broadcast's sequence number field (a JSON path such as meta.seq); messages without it count as other, never as lost")
	fs.StringVar(&sf.resumeParam, "resume-param", "resume", "query parameter that carries the last sequence number on reconnect (with --resume)")
	fs.StringVar(&sf.clientParam, "client-param", "client", "query parameter that carries the client's ID ('' = send none)")
}

// applyServerFormatFlags moves what the user set into cfg: a value given
// explicitly is taken as given, so that an empty one is refused instead of
// becoming the default.
func applyServerFormatFlags(fs *pflag.FlagSet, cfg *loadgen.Config, sf *serverFormatFlags) error {
	f := &cfg.Formats
	for _, s := range []struct {
		flag string
		v    string
		dst  *string
	}{
		{"app-pong", sf.appPong, &f.AppPong},
		{"app-pong-time", sf.appPongTime, &f.AppPongTime},
		{"seq-field", sf.seqField, &f.SeqField},
		{"resume-param", sf.resumeParam, &f.ResumeParam},
	} {
		if !fs.Changed(s.flag) {
			continue
		}
		if s.v == "" {
			return usagef("--%s '': must name a field or parameter", s.flag)
		}
		*s.dst = s.v
	}
	if fs.Changed("app-ping") && f.AppPing == "" {
		return usagef("--app-ping '': must be the ping's payload (omit the flag for stormbench's own)")
	}
	if fs.Changed("client-param") {
		if sf.clientParam == "" {
			f.ClientParamOff = true
		} else {
			f.ClientParam = sf.clientParam
		}
	}
	if !cfg.Heartbeat.Mode.AppLevel() {
		for _, name := range []string{"app-ping", "app-ping-binary", "app-pong", "app-pong-time"} {
			if fs.Changed(name) {
				return usagef("--%s is for --heartbeat app (got --heartbeat %s)", name, orDefaultMode(cfg.Heartbeat.Mode))
			}
		}
	}
	if fs.Changed("resume-param") && cfg.Resume != nil && !*cfg.Resume {
		return usagef("--resume-param with --resume=false: no resume parameter is sent")
	}
	return nil
}

func orDefaultMode(m loadgen.HeartbeatMode) loadgen.HeartbeatMode {
	if m == "" {
		return loadgen.DefaultHeartbeatMode
	}
	return m
}

// serverFormatFlagNames maps loadgen.Config's handshake and format fields
// to run's flags.
var serverFormatFlagNames = map[string]string{
	"Headers": "--header", "Subprotocols": "--subprotocol", "Origin": "--origin",
	"Formats.AppPing": "--app-ping", "Formats.AppPong": "--app-pong", "Formats.AppPongTime": "--app-pong-time",
	"Formats.SeqField": "--seq-field", "Formats.ResumeParam": "--resume-param", "Formats.ClientParam": "--client-param",
}

func init() {
	for k, v := range serverFormatFlagNames {
		runFlagNames[k] = v
	}
}
