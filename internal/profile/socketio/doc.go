// Package socketio is the Socket.IO client profile (run --protocol
// socketio): Socket.IO's protocol 5 over Engine.IO 4, on the WebSocket
// transport only, as socket.io-client 4 speaks it.
//
// Wire format. The URL's path is /socket.io/ unless the user gave one, and
// its query gets EIO=4&transport=websocket, as io() builds it. Every
// WebSocket text message is one Engine.IO packet: a type digit, then data.
// The server opens with 0 and a JSON object (sid, pingInterval,
// pingTimeout, maxPayload). Engine.IO 4 pings from the server: it sends 2,
// the client answers 3, and a client that heard no ping for pingInterval +
// pingTimeout declares the connection dead (a client that sends 2 itself
// is closed by the server). A 4 carries a Socket.IO packet: a type digit,
// the namespace ("/admin," — none for the main namespace "/"), an ack id
// (digits) and JSON. The client joins its namespace with 0 (40, 40/admin,
// or 40{auth}); the server answers 40{"sid":…} (ready) or 44{"message":…}
// (refused). Events are 2 with an array whose first element is the event's
// name: 42["tick",{"seq":7}]; the first argument after the name is the
// payload --seq-field applies to. An event with an ack id (42 17[…]) asks
// the client to answer 43 17[]. 41 is the server ending the namespace, 1
// Engine.IO's close.
//
// Resume. With connection-state recovery on the server, its join answer
// carries a pid and every event ends with an offset string; a client that
// reconnects sends both in its join (40{"pid":…,"offset":…}) and the
// server replays what it missed. The profile keeps both across
// reconnects (--resume, the default).
//
// What stormbench does not see: binary attachments (type 5 events' extra
// binary messages) are counted, not read; the HTTP long-polling transport
// and the upgrade from it are not spoken.
//
// Sources read: socketio/socket.io docs/engine.io-protocol/v4-current.md,
// docs/socket.io-protocol/v5-current.md, packages/socket.io-client/lib
// (socket.ts: the join packet with pid and offset, the last offset kept
// from events; manager.ts: the reconnect delays), packages/engine.io-client
// lib/socket.ts (the ping timeout rule).
package socketio
