// The reference client: socket.io-client 4.8 with its defaults (reconnection
// on, 1 s → 5 s backoff, randomization 0.5), websocket transport only, as
// stormbench's Socket.IO profile speaks. Joins "/", counts `tick` events.
//
//   node reference-client.js [URL [SECONDS]]
//   URL: what ./start printed (ws://127.0.0.1:9310/socket.io/?EIO=4&transport=websocket);
//   the path is taken from it, the query is the client's own.
'use strict';
const { io } = require('socket.io-client');
const { Reporter, clientArgs } = require('../common');

const { url, secs } = clientArgs('ws://127.0.0.1:9310/socket.io/?EIO=4&transport=websocket');
const u = new URL(url);
const r = new Reporter('socket.io-client');
const socket = io(`${u.protocol}//${u.host}`, { path: u.pathname, transports: ['websocket'] });

socket.on('connect', () => r.joined({ id: socket.id, recovered: socket.recovered }));
socket.on('disconnect', (reason, details) => r.event('disconnect', { reason, details: details && (details.description && details.description.message || details.description || details.context) }));
socket.on('connect_error', (err) => r.event('connect_error', err.message));
socket.on('tick', (msg) => r.tick(msg.seq));
socket.io.on('reconnect_attempt', (n) => r.event('reconnect_attempt', n));
socket.io.on('reconnect', (n) => r.event('reconnect', n));
socket.io.engine.on('close', () => {});
r.runFor(secs, () => socket.close());
