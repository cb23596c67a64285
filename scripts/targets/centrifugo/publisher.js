// The Centrifugo target's sidecar: Centrifugo sends no data by itself, so
// this publishes {"seq":n} to channel `ticks` every TICK_MS through the
// server HTTP API (POST /api/publish on the internal loopback port), and
// serves the server's own counts, read from the same API, as
// GET /stats → {"joined","connections","seq"}:
//   joined      = presence_stats of `ticks`: num_clients (presence is on)
//   connections = info: num_clients summed over the nodes
//
// Environment: CENTRIFUGO_API_PORT [9332], CENTRIFUGO_STATS_PORT [9331],
// CENTRIFUGO_API_KEY [stormbench-local], TICK_MS [1000].
'use strict';
const { envInt, serveStats, log } = require('../common');

const apiPort = envInt('CENTRIFUGO_API_PORT', 9332, 1);
const statsPort = envInt('CENTRIFUGO_STATS_PORT', 9331, 1);
const tickMs = envInt('TICK_MS', 1000, 1);
const key = process.env.CENTRIFUGO_API_KEY || 'stormbench-local';

async function api(method, params) {
  const res = await fetch(`http://127.0.0.1:${apiPort}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify(params),
  });
  if (!res.ok) throw new Error(`api ${method}: ${res.status}`);
  const body = await res.json();
  if (body.error) throw new Error(`api ${method}: ${JSON.stringify(body.error)}`);
  return body.result || {};
}

let seq = 0;
let failing = false;
const timer = setInterval(async () => {
  const n = seq + 1;
  try {
    await api('publish', { channel: 'ticks', data: { seq: n } });
    seq = n;
    if (failing) log('publishing again at seq', n);
    failing = false;
  } catch (err) {
    if (!failing) log('publish failed:', err.message);
    failing = true;
  }
}, tickMs);

const stats = serveStats(statsPort, async () => {
  const [presence, info] = await Promise.all([api('presence_stats', { channel: 'ticks' }), api('info', {})]);
  return {
    joined: presence.num_clients || 0,
    connections: (info.nodes || []).reduce((s, n) => s + (n.num_clients || 0), 0),
    seq,
  };
});
log('publisher started', { apiPort, statsPort, tickMs });
process.on('SIGTERM', () => { clearInterval(timer); stats.close(); process.exit(0); });
