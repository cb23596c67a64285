// The reference client: @stomp/stompjs 7 with its defaults (STOMP 1.2/1.1/1.0
// offered, heart-beat 10000,10000, reconnectDelay 5000 ms, fixed) on the ws
// package, subscribed to /topic/ticks. A join is the CONNECTED frame (the
// client re-sends its SUBSCRIBE from onConnect after every reconnect).
//
//   node reference-client.js [URL [SECONDS]]     (URL ws://127.0.0.1:9360/ws)
'use strict';
const WebSocket = require('ws');
const { Client } = require('@stomp/stompjs');
const { Reporter, clientArgs } = require('../common');

const { url, secs } = clientArgs('ws://127.0.0.1:9360/ws');
const r = new Reporter('stompjs');
const client = new Client({
  brokerURL: url,
  webSocketFactory: () => new WebSocket(url, client.stompVersions.protocolVersions()),
  connectHeaders: { login: 'guest', passcode: 'guest' },
  onConnect: (frame) => {
    r.joined({ version: frame.headers.version, 'heart-beat': frame.headers['heart-beat'], server: frame.headers.server });
    client.subscribe('/topic/ticks', (msg) => r.tick(JSON.parse(msg.body).seq));
  },
  onStompError: (frame) => r.event('ERROR frame', frame.headers.message),
  onWebSocketClose: (ev) => r.event('websocket close', { code: ev.code, reason: ev.reason }),
  onWebSocketError: () => r.event('websocket error'),
  beforeConnect: () => r.event('connecting'),
});
client.activate();
r.runFor(secs, () => client.deactivate());
