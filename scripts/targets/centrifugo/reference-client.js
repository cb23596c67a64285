// The reference client: centrifuge-js 5 (npm centrifuge) with its defaults
// (JSON protocol over WebSocket, reconnect backoff 500 ms → 20 s with full
// jitter, maxServerPingDelay 10 s), on the ws package, subscribed to
// channel `ticks` (recoverable: the server forces recovery there). A join is
// a `subscribed` event.
//
//   node reference-client.js [URL [SECONDS]]     (URL ws://127.0.0.1:9330/connection/websocket)
'use strict';
const WebSocket = require('ws');
const { Centrifuge } = require('centrifuge');
const { Reporter, clientArgs } = require('../common');

const { url, secs } = clientArgs('ws://127.0.0.1:9330/connection/websocket');
const r = new Reporter('centrifuge-js');
const client = new Centrifuge(url, { websocket: WebSocket });
client.on('connecting', (ctx) => r.event('connecting', { code: ctx.code, reason: ctx.reason }));
client.on('connected', (ctx) => r.event('connected', { client: ctx.client, transport: ctx.transport }));
client.on('disconnected', (ctx) => r.event('disconnected', { code: ctx.code, reason: ctx.reason }));
client.on('error', (ctx) => r.event('error', ctx.error && ctx.error.message));
const sub = client.newSubscription('ticks');
sub.on('subscribing', (ctx) => r.event('subscribing', { code: ctx.code, reason: ctx.reason }));
sub.on('subscribed', (ctx) => r.joined({ recoverable: ctx.recoverable, wasRecovering: ctx.wasRecovering, recovered: ctx.recovered, positioned: ctx.positioned, streamPosition: ctx.streamPosition }));
sub.on('publication', (ctx) => r.tick(ctx.data.seq, { offset: ctx.offset }));
sub.on('error', (ctx) => r.event('subscription error', ctx.error && ctx.error.message));
sub.subscribe();
client.connect();
r.runFor(secs, () => client.disconnect());
