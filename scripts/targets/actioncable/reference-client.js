// The reference client: @rails/actioncable (the npm package of Rails' JS
// consumer) with its defaults (subprotocols actioncable-v1-json and
// actioncable-unsupported; ConnectionMonitor staleThreshold 6 s,
// reconnectionBackoffRate 0.15), on the ws package, subscribed to
// TicksChannel. A join is a confirm_subscription. The package is written for
// browsers: Node gets a WebSocket adapter, a page that is always visible and
// no-op window event listeners.
//
//   node reference-client.js [URL [SECONDS]]     (URL ws://127.0.0.1:9350/cable)
//   ACTIONCABLE_DEBUG=1 turns on the library's own log.
'use strict';
const WebSocket = require('ws');
globalThis.document = { visibilityState: 'visible' };
globalThis.addEventListener = () => {};
globalThis.removeEventListener = () => {};
const ActionCable = require('@rails/actioncable');
const { Reporter, clientArgs, envBool } = require('../common');

ActionCable.adapters.WebSocket = WebSocket;
ActionCable.logger.enabled = envBool('ACTIONCABLE_DEBUG', false);
const { url, secs } = clientArgs('ws://127.0.0.1:9350/cable');
const r = new Reporter('actioncable');
const consumer = ActionCable.createConsumer(url);
consumer.subscriptions.create({ channel: 'TicksChannel' }, {
  initialized() { r.event('subscription initialized'); },
  connected() { r.joined(); },
  disconnected(details) { r.event('disconnected', details); },
  rejected() { r.event('rejected'); },
  received(msg) { r.tick(msg.seq); },
});
r.runFor(secs, () => consumer.disconnect());
