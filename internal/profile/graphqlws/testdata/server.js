// A graphql-ws 6 server (subprotocol graphql-transport-ws, on the ws
// package) for the graphqlws profile's tests: the schema's subscription
// `ticks` yields {seq} every TICK_MS (100), the query `seq` answers once.
// It listens on 127.0.0.1 on a free port and prints one line,
// `listening PORT`, when it accepts connections.
//
// Environment: TICK_MS [100]; KEEPALIVE [12000], the ws adapter's
// keep-alive in ms (a WebSocket ping every KEEPALIVE, the socket
// terminated when its pong has not come back KEEPALIVE later);
// INIT_TIMEOUT [3000], connectionInitWaitTimeout in ms.
//
// Connections whose connection_init payload holds {"deny":true} are
// refused by onConnect (4403 Forbidden).
'use strict';
const http = require('http');
const { WebSocketServer } = require('ws');
const { useServer } = require('graphql-ws/use/ws');
const { buildSchema } = require('graphql');

const env = (name, def) => {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}=${v}: want a whole number of milliseconds`);
  return n;
};
const tickMs = env('TICK_MS', 100) || 100;
const keepAlive = env('KEEPALIVE', 12000);
const initTimeout = env('INIT_TIMEOUT', 3000);

const schema = buildSchema(`
  type Tick { seq: Int! }
  type Query { seq: Int! }
  type Subscription { ticks: Tick! }
`);

let seq = 0;
const roots = {
  seq: () => seq,
  ticks: async function* ticks() {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, tickMs));
      seq++;
      yield { ticks: { seq } };
    }
  },
};

const httpServer = http.createServer((req, res) => res.writeHead(426).end());
const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
useServer({
  schema,
  roots: { query: roots, subscription: roots },
  connectionInitWaitTimeout: initTimeout,
  onConnect: (ctx) => !(ctx.connectionParams && ctx.connectionParams.deny),
}, wss, keepAlive);

httpServer.listen(0, '127.0.0.1', () => console.log(`listening ${httpServer.address().port}`));
process.on('SIGTERM', () => process.exit(0));
