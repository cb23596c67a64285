// A logging WebSocket proxy on loopback: sits between a client and a server
// and prints every frame both ways with its time, to see what a reference
// client really sends and receives (the WIRE.md files were written from its
// output).
//
//   node wsproxy.js LISTEN_PORT UPSTREAM [LOGFILE]
//   e.g. node wsproxy.js 9410 ws://127.0.0.1:9310
//
// The client connects to ws://127.0.0.1:LISTEN_PORT/<path?query>; the proxy
// opens ws UPSTREAM/<same path?query> offering the same subprotocols and
// forwarding the client's end-to-end headers, then accepts the client with
// the subprotocol the server chose. Ping and pong frames are forwarded, not
// answered by the proxy; a close frame is forwarded with its code and
// reason; a connection lost without a close frame (1006) is passed on as a
// TCP close. When the server cannot be reached the proxy closes the client's
// TCP connection without an answer (the client sees a failed handshake, much
// as it would see a refused connection). permessage-deflate is not offered
// upstream, so every frame is logged as sent.
//
// Lines: "<ISO time> +<ms since proxy start> #<conn> <direction> <what>",
// direction C>S (client to server), S>C, or "--" for events.
'use strict';
const http = require('http');
const fs = require('fs');
const { WebSocket, WebSocketServer } = require('ws');

const listenPort = Number(process.argv[2]);
const upstream = (process.argv[3] || '').replace(/\/$/, '');
if (!listenPort || !/^wss?:\/\//.test(upstream)) {
  console.error('usage: node wsproxy.js LISTEN_PORT ws://HOST:PORT [LOGFILE]');
  process.exit(2);
}
const out = process.argv[4] ? fs.createWriteStream(process.argv[4], { flags: 'a' }) : process.stdout;
const t0 = performance.now();
function log(id, dir, what) {
  const ms = (performance.now() - t0).toFixed(1);
  out.write(`${new Date().toISOString()} +${ms} #${id} ${dir} ${what}\n`);
}

// show renders a frame: text as JSON-escaped text, binary as hex.
function show(data, isBinary) {
  if (!isBinary) return `text ${JSON.stringify(data.toString('utf8'))}`;
  const b = Buffer.isBuffer(data) ? data : Buffer.concat(data);
  return `binary ${b.length}B ${b.toString('hex')}`;
}

const hopByHop = new Set(['host', 'connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version',
  'sec-websocket-extensions', 'sec-websocket-protocol', 'content-length', 'transfer-encoding']);

const wss = new WebSocketServer({
  noServer: true,
  autoPong: false,
  perMessageDeflate: false,
  handleProtocols: (_protocols, req) => req.chosenProtocol || false,
});

let next = 0;
const server = http.createServer((req, res) => res.writeHead(426).end('websocket only\n'));
server.on('upgrade', (req, socket, head) => {
  const id = ++next;
  log(id, '--', `handshake ${req.method} ${req.url} HTTP/${req.httpVersion}`);
  for (let i = 0; i < req.rawHeaders.length; i += 2) log(id, 'C>S', `header ${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  const protocols = (req.headers['sec-websocket-protocol'] || '').split(',').map((s) => s.trim()).filter(Boolean);
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) if (!hopByHop.has(k)) headers[k] = v;
  const up = new WebSocket(upstream + req.url, protocols, { headers, autoPong: false, perMessageDeflate: false });
  let down = null;
  let upClosed = false;
  socket.on('error', () => {});
  socket.on('close', () => { if (!down) { log(id, '--', 'client TCP closed before the handshake finished'); up.terminate(); } });

  up.on('upgrade', (res) => {
    log(id, 'S>C', `status ${res.statusCode} ${res.statusMessage}`);
    for (let i = 0; i < res.rawHeaders.length; i += 2) log(id, 'S>C', `header ${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
  });
  up.on('unexpected-response', (_r, res) => {
    let body = '';
    res.on('data', (c) => { body += c; });
    res.on('end', () => {
      log(id, 'S>C', `handshake refused: ${res.statusCode} ${res.statusMessage} ${JSON.stringify(body.slice(0, 300))}`);
      const hdrs = Object.entries(res.headers).filter(([k]) => k !== 'transfer-encoding' && k !== 'content-length' && k !== 'connection')
        .map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.end(`HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n${hdrs}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    });
  });
  up.on('error', (err) => {
    log(id, '--', `upstream error: ${err.code || ''} ${err.message}`);
    if (!down) socket.destroy();
  });
  up.on('open', () => {
    log(id, '--', `upstream open, subprotocol ${JSON.stringify(up.protocol)}`);
    req.chosenProtocol = up.protocol || false;
    wss.handleUpgrade(req, socket, head, (ws) => {
      down = ws;
      log(id, '--', `client accepted, subprotocol ${JSON.stringify(ws.protocol)}`);
      ws.on('message', (data, isBinary) => {
        log(id, 'C>S', show(data, isBinary));
        if (up.readyState === WebSocket.OPEN) up.send(data, { binary: isBinary });
      });
      ws.on('ping', (d) => { log(id, 'C>S', `ping ${JSON.stringify(d.toString())}`); if (up.readyState === WebSocket.OPEN) up.ping(d); });
      ws.on('pong', (d) => { log(id, 'C>S', `pong ${JSON.stringify(d.toString())}`); if (up.readyState === WebSocket.OPEN) up.pong(d); });
      ws.on('close', (code, reason) => {
        log(id, 'C>S', `close ${code} ${JSON.stringify(reason.toString())}`);
        if (upClosed) return;
        if (code === 1005) up.close();
        else if (code === 1006) up.terminate();
        else up.close(code, reason);
      });
      ws.on('error', (err) => log(id, '--', `client error: ${err.message}`));
    });
  });
  up.on('message', (data, isBinary) => {
    log(id, 'S>C', show(data, isBinary));
    if (down && down.readyState === WebSocket.OPEN) down.send(data, { binary: isBinary });
  });
  up.on('ping', (d) => { log(id, 'S>C', `ping ${JSON.stringify(d.toString())}`); if (down && down.readyState === WebSocket.OPEN) down.ping(d); });
  up.on('pong', (d) => { log(id, 'S>C', `pong ${JSON.stringify(d.toString())}`); if (down && down.readyState === WebSocket.OPEN) down.pong(d); });
  up.on('close', (code, reason) => {
    upClosed = true;
    if (!down) return;
    log(id, 'S>C', `close ${code} ${JSON.stringify(reason.toString())}`);
    if (code === 1005) down.close();
    else if (code === 1006) down.terminate();
    else if (down.readyState === WebSocket.OPEN) down.close(code, reason);
  });
});
server.listen(listenPort, '127.0.0.1', () => log(0, '--', `proxy 127.0.0.1:${listenPort} -> ${upstream}`));
process.on('SIGTERM', () => process.exit(0));
