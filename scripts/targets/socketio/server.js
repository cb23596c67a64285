// A Socket.IO 4.8 server as a staging deployment runs it: polling and
// websocket transports, the Engine.IO heartbeat (server pings, client pongs),
// connection-state recovery, and a stream of data: every TICK_MS the event
// `tick` with {"seq":n} to every socket in the main namespace "/".
//
// Environment (defaults in brackets):
//   SOCKETIO_PORT [9310]            Socket.IO, on 127.0.0.1 (path /socket.io/)
//   SOCKETIO_STATS_PORT [port+1]    GET /stats → {"joined","connections","seq"}
//   TICK_MS [1000]                  broadcast period
//   SOCKETIO_PING_INTERVAL [25000]  Engine.IO pingInterval, ms (framework default)
//   SOCKETIO_PING_TIMEOUT [20000]   Engine.IO pingTimeout, ms (framework default)
//   SOCKETIO_RECOVERY [1]           connectionStateRecovery on (1) or off (0)
//   SOCKETIO_RECOVERY_MS [120000]   its maxDisconnectionDuration
//
// SIGTERM closes every connection the way Socket.IO does on shutdown
// (io.close()) and exits, as a graceful deploy does.
'use strict';
const http = require('http');
const { Server } = require('socket.io');
const { envInt, envBool, serveStats, log } = require('../common');

const port = envInt('SOCKETIO_PORT', 9310, 1);
const statsPort = envInt('SOCKETIO_STATS_PORT', port + 1, 1);
const tickMs = envInt('TICK_MS', 1000, 1);
const pingInterval = envInt('SOCKETIO_PING_INTERVAL', 25000, 1);
const pingTimeout = envInt('SOCKETIO_PING_TIMEOUT', 20000, 1);
const recovery = envBool('SOCKETIO_RECOVERY', true);
const recoveryMs = envInt('SOCKETIO_RECOVERY_MS', 120000, 1);

const httpServer = http.createServer();
const io = new Server(httpServer, {
  pingInterval,
  pingTimeout,
  connectionStateRecovery: recovery ? { maxDisconnectionDuration: recoveryMs, skipMiddlewares: true } : undefined,
});

io.on('connection', (socket) => {
  log('join', socket.id, 'recovered', socket.recovered, 'transport', socket.conn.transport.name);
  socket.on('disconnect', (reason) => log('leave', socket.id, reason));
});

let seq = 0;
const timer = setInterval(() => {
  seq++;
  io.emit('tick', { seq });
}, tickMs);

httpServer.listen(port, '127.0.0.1', () => {
  log(`socket.io listening on ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`,
    { pingInterval, pingTimeout, recovery, tickMs });
});
const stats = serveStats(statsPort, () => ({
  joined: io.of('/').sockets.size,
  connections: io.engine.clientsCount,
  seq,
}));

process.on('SIGTERM', () => {
  log('SIGTERM: closing', io.engine.clientsCount, 'connections');
  clearInterval(timer);
  stats.close();
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 5000).unref();
});
