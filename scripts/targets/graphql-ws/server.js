// A GraphQL over WebSocket server (graphql-ws 6, subprotocol
// graphql-transport-ws, on the ws package) as a staging deployment runs it:
// the ws adapter's keep-alive (a WebSocket ping every GRAPHQLWS_KEEPALIVE ms,
// the socket terminated when the pong does not come back within the same
// time), the init timeout, and a stream of data: the subscription
// `subscription { ticks { seq } }` yields {"seq":n} every TICK_MS.
//
// Environment (defaults in brackets):
//   GRAPHQLWS_PORT [9320]              graphql-ws on 127.0.0.1, path /graphql
//   GRAPHQLWS_STATS_PORT [port+1]      GET /stats → {"joined","connections","seq"}
//   TICK_MS [1000]                     tick period
//   GRAPHQLWS_KEEPALIVE [12000]        useServer keepAlive, ms (library default)
//   GRAPHQLWS_INIT_TIMEOUT [3000]      connectionInitWaitTimeout, ms (library default)
//
// SIGTERM disposes the server the library's way (every socket closed with
// 1001 "Going away") and exits, as a graceful deploy does.
'use strict';
const http = require('http');
const { WebSocketServer } = require('ws');
const { useServer } = require('graphql-ws/use/ws');
const { buildSchema } = require('graphql');
const { envInt, serveStats, log } = require('../common');

const port = envInt('GRAPHQLWS_PORT', 9320, 1);
const statsPort = envInt('GRAPHQLWS_STATS_PORT', port + 1, 1);
const tickMs = envInt('TICK_MS', 1000, 1);
const keepAlive = envInt('GRAPHQLWS_KEEPALIVE', 12000, 0);
const initTimeout = envInt('GRAPHQLWS_INIT_TIMEOUT', 3000, 0);

const schema = buildSchema(`
  type Tick { seq: Int! }
  type Query { seq: Int! }
  type Subscription { ticks: Tick! }
`);

// Every active `ticks` subscription is an async iterator fed by the timer.
const subscribers = new Set();
function ticksIterator() {
  const queue = [];
  let wake = null;
  let done = false;
  const sub = {
    push(v) {
      if (wake) { const w = wake; wake = null; w({ value: v, done: false }); } else queue.push(v);
    },
  };
  subscribers.add(sub);
  const finish = () => {
    done = true;
    subscribers.delete(sub);
    if (wake) { const w = wake; wake = null; w({ value: undefined, done: true }); }
    return Promise.resolve({ value: undefined, done: true });
  };
  return {
    [Symbol.asyncIterator]() { return this; },
    next() {
      if (queue.length) return Promise.resolve({ value: queue.shift(), done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => { wake = resolve; });
    },
    return: finish,
    throw: (err) => { finish(); return Promise.reject(err); },
  };
}

let seq = 0;
const roots = {
  seq: () => seq,
  ticks: () => ticksIterator(),
};

const httpServer = http.createServer((req, res) => res.writeHead(426).end('GraphQL over WebSocket at /graphql\n'));
const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
const server = useServer({
  schema,
  roots: { query: roots, subscription: roots },
  connectionInitWaitTimeout: initTimeout,
  onConnect: (ctx) => { log('connect', ctx.extra.request.socket.remotePort); return true; },
  onSubscribe: (ctx, id, payload) => log('subscribe', ctx.extra.request.socket.remotePort, id, payload.query.replace(/\s+/g, ' ')),
  onComplete: (ctx, id) => log('complete', ctx.extra.request.socket.remotePort, id),
  onClose: (ctx, code, reason) => log('close', ctx.extra.request.socket.remotePort, code, reason),
}, wss, keepAlive);

const timer = setInterval(() => {
  seq++;
  for (const s of subscribers) s.push({ ticks: { seq } });
}, tickMs);

httpServer.listen(port, '127.0.0.1', () => log(`graphql-ws listening on ws://127.0.0.1:${port}/graphql`, { keepAlive, initTimeout, tickMs }));
const stats = serveStats(statsPort, () => ({ joined: subscribers.size, connections: wss.clients.size, seq }));

process.on('SIGTERM', async () => {
  log('SIGTERM: closing', wss.clients.size, 'connections');
  clearInterval(timer);
  stats.close();
  setTimeout(() => process.exit(0), 5000).unref();
  await server.dispose();
  httpServer.close();
  process.exit(0);
});
