package loadgen

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/stormbench/stormbench/internal/fielderr"
	"github.com/stormbench/stormbench/internal/profile"
	"github.com/stormbench/stormbench/internal/template"
)

// Framework is what a client of a real-time framework joins after the
// upgrade, and how (docs/protocols.md). Templates ({{client}}, {{line
// FILE}}, …) are rendered per client.
type Framework struct {
	// Join names what a client joins: a Socket.IO namespace, a GraphQL
	// subscription query, an Action Cable channel identifier, a
	// Centrifugo channel, a Phoenix topic, a SignalR hub method, an MQTT
	// topic filter, a STOMP destination.
	Join []string `json:"join,omitempty"`
	// Auth is the credentials a client presents inside the protocol
	// (Socket.IO's auth object, graphql-ws's connection_init payload,
	// Centrifugo's token, …). Config.Redacted hides it unless it takes its
	// secret from {{env}} or {{line}}.
	Auth string `json:"auth,omitempty"`
	// ClientID is MQTT's client identifier; "" means stormbench-{{client}}.
	ClientID string `json:"client_id,omitempty"`
	// QoS is the MQTT subscription's quality of service, 0 or 1.
	QoS int `json:"qos,omitempty"`
	// MQTTVersion is 4 (3.1.1, the default) or 5.
	MQTTVersion int `json:"mqtt_version,omitempty"`
	// Persistent asks for a session that outlives the connection (MQTT:
	// clean session off, so that QoS 1 messages are redelivered after a
	// reconnect).
	Persistent bool `json:"persistent,omitempty"`
}

// compileProfile builds the fleet's profile of c's protocol, or nil for
// stormbench's and json; it adjusts u (the URL of client 0) as the
// framework's reference client does.
func (c *Config) compileProfile(files *template.Files) (profile.Profile, error) {
	spec, ok := c.Protocol.spec()
	if !ok {
		return nil, fielderr.New("Protocol", "%v", checkProtocol(c.Protocol))
	}
	fw := c.Framework
	if spec.new == nil {
		var errs []error
		bad := func(field, what string) {
			errs = append(errs, fielderr.New("Framework."+field, "applies to a framework's --protocol (%s), not %s", joinFrameworks(), spec.name))
		}
		if len(fw.Join) > 0 {
			bad("Join", "join")
		}
		if fw.Auth != "" {
			bad("Auth", "auth")
		}
		if fw.ClientID != "" {
			bad("ClientID", "client id")
		}
		if fw.QoS != 0 {
			bad("QoS", "qos")
		}
		if fw.MQTTVersion != 0 {
			bad("MQTTVersion", "mqtt version")
		}
		if fw.Persistent {
			bad("Persistent", "persistent")
		}
		return nil, errors.Join(errs...)
	}
	if c.Send.Rate > 0 {
		return nil, fielderr.New("Send.Rate", "the clients' own messages are stormbench's (--protocol stormbench or json), not %s's", spec.name)
	}
	if f := c.Formats; f.AppPing != "" || f.AppPingBinary || f.AppPong != "" || f.AppPongTime != "" || f.Ack != "" {
		return nil, fielderr.New("Protocol", "%s speaks its own messages: the --app-ping, --app-pong, --app-pong-time and --ack formats apply to --protocol json (--seq-field applies to the framework's payload)", spec.name)
	}
	o := template.Options{Context: template.InBody, Clients: c.Clients, Files: files}
	parse := func(field, s string) (*template.Template, error) {
		t, err := template.Parse(s, o)
		if err != nil {
			return nil, fielderr.New("Framework."+field, "%v", err)
		}
		return t, nil
	}
	pc := profile.Config{HeartbeatInterval: c.Heartbeat.Interval, QoS: fw.QoS, Persistent: fw.Persistent, Version: fw.MQTTVersion, Resume: *c.Resume}
	for _, j := range fw.Join {
		t, err := parse("Join", j)
		if err != nil {
			return nil, err
		}
		pc.Join = append(pc.Join, t)
	}
	var err error
	if fw.Auth != "" {
		if pc.Auth, err = parse("Auth", fw.Auth); err != nil {
			return nil, err
		}
	}
	if fw.ClientID != "" {
		if pc.ClientID, err = parse("ClientID", fw.ClientID); err != nil {
			return nil, err
		}
	}
	p, err := spec.new(pc)
	if err != nil {
		return nil, frameworkError(err)
	}
	return p, nil
}

// frameworkError keys a profile's error by the setting its text names
// ("--join: …"), so that every command names its own flag.
func frameworkError(err error) error {
	msg := err.Error()
	for flag, field := range map[string]string{"--join": "Join", "--auth": "Auth", "--client-id": "ClientID", "--qos": "QoS", "--mqtt-version": "MQTTVersion", "--persistent": "Persistent", "--resume": "Resume"} {
		if rest, ok := strings.CutPrefix(msg, flag+": "); ok {
			if field == "Resume" {
				return fielderr.New(field, "%s", rest)
			}
			return fielderr.New("Framework."+field, "%s", rest)
		}
	}
	return fielderr.New("Protocol", "%s", msg)
}

// joinFrameworks lists the frameworks' protocols.
func joinFrameworks() string {
	var s []string
	for _, p := range protocols {
		if p.new != nil {
			s = append(s, string(p.name))
		}
	}
	return strings.Join(s, ", ")
}

// profileURL adjusts the URL for p as its reference client does; a URL
// that is a per-client template must already be what the profile wants.
func profileURL(p profile.Profile, raw string, templated bool) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return raw, nil // URL's own check reports it
	}
	before := u.String()
	p.Target(u)
	if u.String() == before {
		return raw, nil
	}
	if templated {
		return raw, fmt.Errorf("with --protocol %s a URL with templates must be written out as the client sends it (e.g. %s)", p.Name(), u)
	}
	return u.String(), nil
}
