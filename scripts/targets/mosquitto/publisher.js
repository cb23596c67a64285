// The mosquitto target's sidecar: the broker itself sends no data, so this
// MQTT client (MQTT.js, over the broker's loopback TCP listener) publishes
// {"seq":n} to topic `ticks` every TICK_MS (QoS 0, retain off), and serves
// the broker's own counts read from its $SYS topics (updated every
// sys_interval, 1 s here) as GET /stats → {"joined","connections","seq"}:
//   joined      = $SYS/broker/subscriptions/count minus this sidecar's own
//                 two $SYS subscriptions (every other subscription on this
//                 broker is a client's `ticks` subscription; persistent
//                 sessions keep theirs while disconnected)
//   connections = $SYS/broker/clients/connected minus this sidecar
//
// Environment: MOSQUITTO_MQTT_PORT [9342], MOSQUITTO_STATS_PORT [9341], TICK_MS [1000].
'use strict';
const mqtt = require('mqtt');
const { envInt, serveStats, log } = require('../common');

const mqttPort = envInt('MOSQUITTO_MQTT_PORT', 9342, 1);
const statsPort = envInt('MOSQUITTO_STATS_PORT', 9341, 1);
const tickMs = envInt('TICK_MS', 1000, 1);

const sys = { subscriptions: null, connected: null };
const client = mqtt.connect(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'stormbench-ticks-publisher', reconnectPeriod: 500 });
client.on('connect', () => {
  log('publisher connected');
  client.subscribe(['$SYS/broker/subscriptions/count', '$SYS/broker/clients/connected']);
});
client.on('close', () => { sys.subscriptions = sys.connected = null; });
client.on('error', (err) => log('publisher error', err.message));
client.on('message', (topic, payload) => {
  if (topic.endsWith('subscriptions/count')) sys.subscriptions = Number(payload);
  else if (topic.endsWith('clients/connected')) sys.connected = Number(payload);
});

let seq = 0;
const timer = setInterval(() => {
  if (!client.connected) return;
  seq++;
  client.publish('ticks', JSON.stringify({ seq }), { qos: 0, retain: false });
}, tickMs);

const stats = serveStats(statsPort, () => {
  if (sys.subscriptions === null || sys.connected === null) throw new Error('no $SYS figures from the broker yet');
  return { joined: Math.max(0, sys.subscriptions - 2), connections: Math.max(0, sys.connected - 1), seq };
});
process.on('SIGTERM', () => {
  clearInterval(timer);
  stats.close();
  client.end(false, () => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
