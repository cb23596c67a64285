// The STOMP target's sidecar: RabbitMQ sends no data by itself, so this
// STOMP client (@stomp/stompjs over web-STOMP) sends {"seq":n} to
// /topic/ticks every TICK_MS, and serves the broker's own counts, read from
// its management API, as GET /stats → {"joined","connections","seq"}:
//   joined      = bindings of the amq.topic exchange with routing key
//                 "ticks" (RabbitMQ gives every SUBSCRIBE to /topic/ticks
//                 its own queue bound that way)
//   connections = web-STOMP connections, minus this sidecar's own
//
// Environment: STOMP_PORT [9360], STOMP_STATS_PORT [port+1],
// STOMP_MGMT_PORT [port+3], TICK_MS [1000]. User guest/guest (loopback only).
'use strict';
const WebSocket = require('ws');
const { Client } = require('@stomp/stompjs');
const { envInt, serveStats, log } = require('../common');

const port = envInt('STOMP_PORT', 9360, 1);
const statsPort = envInt('STOMP_STATS_PORT', port + 1, 1);
const mgmtPort = envInt('STOMP_MGMT_PORT', port + 3, 1);
const tickMs = envInt('TICK_MS', 1000, 1);

const client = new Client({
  webSocketFactory: () => new WebSocket(`ws://127.0.0.1:${port}/ws`, ['v12.stomp', 'v11.stomp', 'v10.stomp']),
  connectHeaders: { login: 'guest', passcode: 'guest', host: '/' },
  reconnectDelay: 500,
  onConnect: () => log('publisher connected'),
  onStompError: (f) => log('publisher STOMP error', f.headers.message),
  onWebSocketClose: (ev) => log('publisher closed', ev.code),
});
client.activate();

let seq = 0;
const timer = setInterval(() => {
  if (!client.connected) return;
  seq++;
  client.publish({ destination: '/topic/ticks', body: JSON.stringify({ seq }), headers: { 'content-type': 'application/json' } });
}, tickMs);

async function api(path) {
  const res = await fetch(`http://127.0.0.1:${mgmtPort}/api/${path}`, {
    headers: { authorization: 'Basic ' + Buffer.from('guest:guest').toString('base64') },
  });
  if (!res.ok) throw new Error(`management API ${path}: ${res.status}`);
  return res.json();
}

const stats = serveStats(statsPort, async () => {
  const [bindings, conns] = await Promise.all([
    api('exchanges/%2F/amq.topic/bindings/source'),
    api('connections?columns=protocol,name'),
  ]);
  const stomp = conns.filter((c) => /STOMP/i.test(c.protocol)).length;
  return {
    joined: bindings.filter((b) => b.routing_key === 'ticks').length,
    connections: Math.max(0, stomp - (client.connected ? 1 : 0)),
    seq,
  };
});

process.on('SIGTERM', async () => {
  clearInterval(timer);
  stats.close();
  setTimeout(() => process.exit(0), 2000).unref();
  await client.deactivate();
  process.exit(0);
});
