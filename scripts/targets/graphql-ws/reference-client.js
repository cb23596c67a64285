// The reference client: graphql-ws 6 createClient with its defaults (lazy,
// 5 retries with randomised exponential backoff, no client keep-alive) on
// the ws package, subscribed to `subscription { ticks { seq } }`. A join is
// a connection_ack; the client re-sends its subscription after every
// reconnect by itself.
//
//   node reference-client.js [URL [SECONDS]]     (URL ws://127.0.0.1:9320/graphql)
//
// With the library's defaults a reconnect attempt that fails before the
// socket opens (connection refused while the server restarts) ends the
// retries: the socket's error event reaches the client before its close
// event, and the default shouldRetry retries close events only (WIRE.md).
// GRAPHQLWS_RETRY_ALL=1 sets shouldRetry: () => true, as the library's
// README advises applications that must survive a restart.
'use strict';
const WebSocket = require('ws');
const { createClient } = require('graphql-ws');
const { Reporter, clientArgs, envBool } = require('../common');

const { url, secs } = clientArgs('ws://127.0.0.1:9320/graphql');
const r = new Reporter('graphql-ws');
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  ...(envBool('GRAPHQLWS_RETRY_ALL', false) ? { shouldRetry: () => true } : {}),
  on: {
    connecting: (isRetry) => r.event('connecting', { isRetry }),
    connected: (_socket, payload, wasRetry) => r.joined({ payload, wasRetry }),
    closed: (ev) => r.event('closed', { code: ev.code, reason: ev.reason }),
    error: (err) => r.event('error', String(err && err.message || err)),
  },
});
client.subscribe({ query: 'subscription { ticks { seq } }' }, {
  next: (res) => r.tick(res.data.ticks.seq),
  error: (err) => r.event('subscription error', String(err && (err.message || err.code) || err)),
  complete: () => r.event('subscription complete'),
});
r.runFor(secs, () => client.dispose());
