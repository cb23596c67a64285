package profile

import (
	"time"

	"github.com/stormbench/stormbench/internal/template"
)

// Config is what a fleet tells its profile: what to join and how, from the
// run's flags. Templates are parsed for the message body (template.InBody)
// and rendered per client with Conn.Vars.
type Config struct {
	// Join names what a client joins after connecting (--join, repeatable):
	// a Socket.IO namespace, a GraphQL subscription query, an Action
	// Cable channel identifier, a Centrifugo channel, a Phoenix topic, a
	// SignalR hub method, an MQTT topic filter, a STOMP destination.
	Join []*template.Template
	// Auth is the credentials a client presents in the protocol (--auth):
	// Socket.IO's namespace auth object, graphql-ws's connection_init
	// payload, Centrifugo's token, MQTT's username, STOMP's login; nil
	// when none.
	Auth *template.Template
	// ClientID is the MQTT client identifier (nil: stormbench-{{client}}).
	ClientID *template.Template
	// HeartbeatInterval is the client's own heartbeat interval, where the
	// protocol has one (MQTT keep-alive, Phoenix heartbeat, STOMP
	// heart-beat).
	HeartbeatInterval time.Duration
	// QoS is the MQTT subscription's quality of service (0 or 1).
	QoS int
	// Persistent asks for a session that outlives the connection (MQTT
	// clean session off, so that QoS 1 messages are redelivered after a
	// reconnect).
	Persistent bool
	// Version selects a protocol version where there are several (MQTT
	// 4 = 3.1.1, 5).
	Version int
	// Resume asks the server to replay what a client missed while away
	// (Socket.IO connection-state recovery, Centrifugo recovery).
	Resume bool
}
