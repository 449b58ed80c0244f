#!/usr/bin/env node
// Forwards a host's TikTok LIVE room to a livehire session.
//
//   LIVEHIRE_INGEST_KEY=ph_ik_… node bridge.js --room @host_handle \
//     --livehire http://127.0.0.1:8080 --session ph_sess_…
//
// The ingest key comes from the session's agent: POST
// /api/v1/sessions/{id}/ingest-keys (events it sends count as verified).
// tiktok-live-connector needs a signing service to open a room's WebSocket:
// set SIGN_API_KEY (and SIGN_API_URL for a service other than Euler Stream).
// See the README's section on the bridge.

import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { DEFAULTS, startBridge } from './lib/bridge.js';

const HELP = `usage: node bridge.js --room @handle --livehire URL --session ph_sess_… [options]

  --room        the host's TikTok @handle (or https://www.tiktok.com/@handle/live)
  --livehire    livehire's base URL                  (env LIVEHIRE_URL)
  --session     the session to feed, ph_sess_…        (env LIVEHIRE_SESSION_ID)
  --key         the session's ingest key, ph_ik_…     (env LIVEHIRE_INGEST_KEY; prefer the env:
                a flag shows in the process list)
  --spool       where unsent events wait              (default ./spool/<session>)
  --flush-ms    send at least this often              (default ${DEFAULTS.flushMs})
  --max-events  or once this many events wait         (default ${DEFAULTS.maxEvents})
  --max-bytes   or once this many bytes wait          (default ${DEFAULTS.maxBytes})
  --heartbeat-ms  tell livehire the bridge is there when idle this long (default ${DEFAULTS.heartbeatMs})
  --sign-api-key  the signing service's key           (env SIGN_API_KEY)

Stops at the stream's end once livehire has every event. Unsent events stay
in the spool; run the bridge again with the same spool to send them.`;

const { values: a } = parseArgs({
  options: {
    room: { type: 'string' },
    livehire: { type: 'string', default: process.env.LIVEHIRE_URL },
    session: { type: 'string', default: process.env.LIVEHIRE_SESSION_ID },
    key: { type: 'string', default: process.env.LIVEHIRE_INGEST_KEY },
    spool: { type: 'string' },
    'flush-ms': { type: 'string' },
    'max-events': { type: 'string' },
    'max-bytes': { type: 'string' },
    'heartbeat-ms': { type: 'string' },
    'sign-api-key': { type: 'string', default: process.env.SIGN_API_KEY },
    help: { type: 'boolean', short: 'h' },
  },
});

if (a.help) {
  console.log(HELP);
  process.exit(0);
}
const missing = ['room', 'livehire', 'session', 'key'].filter((k) => !a[k]);
if (missing.length) {
  console.error(`missing: ${missing.map((k) => `--${k}`).join(', ')}\n\n${HELP}`);
  process.exit(64);
}
if (!a.key.startsWith('ph_ik_')) {
  console.error('the key must be the session\'s ingest key (ph_ik_…): POST /api/v1/sessions/{id}/ingest-keys');
  process.exit(64);
}
const number = (name) => {
  if (a[name] === undefined) return undefined;
  const n = Number(a[name]);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`--${name}: a whole number above 0, got ${a[name]}`);
    process.exit(64);
  }
  return n;
};

const bridge = startBridge({
  room: a.room,
  livehire: a.livehire,
  session: a.session,
  key: a.key,
  spoolDir: a.spool ?? join('spool', a.session),
  flushMs: number('flush-ms'),
  maxEvents: number('max-events'),
  maxBytes: number('max-bytes'),
  heartbeatMs: number('heartbeat-ms'),
  signApiKey: a['sign-api-key'],
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => bridge.stop());
// Nothing is left to wait for (the library may hold idle sockets open).
process.exit(await bridge.done);
