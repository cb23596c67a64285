// A WebSocket server with formats of its own, as a staging server has: a
// bearer token per client (401 otherwise), JSON pings {"type":"ping","time":T}
// answered by {"type":"pong","time":T}, a greeting {"kind":"welcome"} and
// broadcasts {"kind":"tick","meta":{"n":N}} numbered across the process (a
// restart starts again at 1), no resume. Used by the commands of docs/staging.md
// ("Tried on this machine").
//
//   node server.js [PORT [TOKENS_FILE]]     (PORT 9003; without a file, no auth)
const fs = require('fs');
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 9003);
const tokens = process.argv[3] ? fs.readFileSync(process.argv[3], 'utf8').split(/\r?\n/) : null;
let refused = 0, pongs = 0, n = 0;

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port,
  verifyClient: (info, cb) => {
    if (!tokens) return cb(true);
    const id = Number(new URL(info.req.url, 'http://x').searchParams.get('id'));
    if (Number.isInteger(id) && info.req.headers.authorization === 'Bearer ' + tokens[id]) return cb(true);
    refused++;
    cb(false, 401);
  },
});

wss.on('connection', (ws) => {
  ws.send('{"kind":"welcome"}');
  ws.on('message', (data) => {
    let m;
    try { m = JSON.parse(data); } catch { return; }
    if (m.type === 'ping') {
      pongs++;
      ws.send(JSON.stringify({ type: 'pong', time: m.time }));
    }
  });
});

setInterval(() => {
  n++;
  const msg = JSON.stringify({ kind: 'tick', meta: { n } });
  for (const c of wss.clients) c.send(msg);
}, 1000);
setInterval(() => console.log(`clients ${wss.clients.size} refused ${refused} pongs ${pongs}`), 5000);
wss.on('listening', () => console.log(`listening on 127.0.0.1:${port}`));
