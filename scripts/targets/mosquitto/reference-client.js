// The reference client: MQTT.js 5 with its defaults (MQTT 3.1.1, clean
// session, keepalive 60 s, reconnectPeriod 1000 ms, fixed, no backoff) over
// WebSocket (subprotocol mqtt), subscribed to `ticks` at QoS 0. A join is a
// SUBACK; MQTT.js re-subscribes by itself after a reconnect
// (resubscribe: true).
//
//   node reference-client.js [URL [SECONDS]]     (URL ws://127.0.0.1:9340/mqtt)
//   MQTT_KEEPALIVE=S sets the keep-alive in seconds (default: the library's).
'use strict';
const mqtt = require('mqtt');
const { Reporter, clientArgs, envInt } = require('../common');

const { url, secs } = clientArgs('ws://127.0.0.1:9340/mqtt');
const r = new Reporter('mqtt.js');
const opts = {};
if (process.env.MQTT_KEEPALIVE) opts.keepalive = envInt('MQTT_KEEPALIVE', 60, 0);
const client = mqtt.connect(url, opts);
client.on('connect', (connack) => {
  r.event('connack', { sessionPresent: connack.sessionPresent, returnCode: connack.returnCode });
  client.subscribe('ticks', { qos: 0 }, (err, granted) => {
    if (err) r.event('suback error', err.message);
    else r.joined({ granted });
  });
});
client.on('message', (_topic, payload) => r.tick(JSON.parse(payload).seq));
client.on('reconnect', () => r.event('reconnect'));
client.on('close', () => r.event('close'));
client.on('offline', () => r.event('offline'));
client.on('disconnect', (packet) => r.event('disconnect packet', packet && packet.reasonCode));
client.on('error', (err) => r.event('error', err.message));
r.runFor(secs, () => new Promise((resolve) => client.end(false, resolve)));
