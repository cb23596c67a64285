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
