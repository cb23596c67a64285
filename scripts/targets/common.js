// Helpers shared by the Node servers and reference clients of scripts/targets.
'use strict';
const http = require('http');

// envInt reads a whole number from the environment; a value the user set is
// validated as given (exit 2 naming the variable), never replaced by the default.
function envInt(name, def, min = 0) {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  if (!/^\d+$/.test(v) || Number(v) < min) {
    console.error(`${name}=${v}: want a whole number >= ${min}`);
    process.exit(2);
  }
  return Number(v);
}

// envBool reads 1/0/true/false from the environment.
function envBool(name, def) {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  console.error(`${name}=${v}: want 1 or 0`);
  process.exit(2);
}

// serveStats answers GET /stats on 127.0.0.1:port with JSON from get():
// {"joined":N,"connections":M,"seq":S} — the server's own count of clients
// connected and joined (subscribed to the tick stream).
function serveStats(port, get) {
  const srv = http.createServer(async (req, res) => {
    if (req.method !== 'GET' || req.url.split('?')[0] !== '/stats') {
      res.writeHead(404).end('GET /stats\n');
      return;
    }
    try {
      const body = JSON.stringify(await get());
      res.writeHead(200, { 'content-type': 'application/json' }).end(body + '\n');
    } catch (err) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end(String(err && err.message || err) + '\n');
    }
  });
  srv.listen(port, '127.0.0.1');
  return srv;
}

// log prints one line with an ISO time stamp.
function log(...args) {
  console.log(new Date().toISOString(), ...args);
}

// Reporter is what every reference client prints: one line per event, and a
// verdict at the end. The check passes when the client joined at least
// EXPECT_JOINS times (1 + the restarts it is meant to live through) and
// received ticks after its last join.
class Reporter {
  constructor(name) {
    this.name = name;
    this.t0 = Date.now();
    this.joins = 0;
    this.ticks = 0;
    this.ticksSinceJoin = 0;
    this.lastSeq = null;
    this.resets = 0;
    this.gaps = 0;
    this.expectJoins = envInt('EXPECT_JOINS', 1, 1);
  }
  event(ev, extra) {
    const ms = Date.now() - this.t0;
    console.log(`${new Date().toISOString()} +${ms}ms ${this.name} ${ev}${extra === undefined ? '' : ' ' + (typeof extra === 'string' ? extra : JSON.stringify(extra))}`);
  }
  joined(extra) {
    this.joins++;
    this.ticksSinceJoin = 0;
    this.event('joined', extra);
  }
  tick(seq, extra) {
    this.ticks++;
    this.ticksSinceJoin++;
    if (this.lastSeq !== null) {
      if (seq <= this.lastSeq) this.resets++;
      else if (seq > this.lastSeq + 1) this.gaps += seq - this.lastSeq - 1;
    }
    this.lastSeq = seq;
    if (process.env.QUIET_TICKS !== '1' || this.ticks <= 2 || this.ticksSinceJoin <= 1) this.event('tick', { seq, ...extra });
  }
  // finish prints the verdict and exits: 0 when the check passed, 1 otherwise.
  finish() {
    const ok = this.joins >= this.expectJoins && this.ticksSinceJoin > 0;
    this.event('result', { ok, joins: this.joins, expectJoins: this.expectJoins, ticks: this.ticks,
      ticksSinceLastJoin: this.ticksSinceJoin, lastSeq: this.lastSeq, seqResets: this.resets, seqGaps: this.gaps });
    process.exit(ok ? 0 : 1);
  }
  // runFor ends the client after `seconds` (the second argument, default 30).
  runFor(seconds, close) {
    setTimeout(async () => {
      try { if (close) await close(); } catch (_) { /* closing is best effort */ }
      this.finish();
    }, seconds * 1000);
  }
}

// clientArgs reads "URL [SECONDS]" from the command line.
function clientArgs(defUrl) {
  const url = process.argv[2] || defUrl;
  const secs = process.argv[3] === undefined ? 30 : Number(process.argv[3]);
  if (!(secs > 0)) {
    console.error(`SECONDS=${process.argv[3]}: want a positive number`);
    process.exit(2);
  }
  return { url, secs };
}

module.exports = { envInt, envBool, serveStats, log, Reporter, clientArgs };
