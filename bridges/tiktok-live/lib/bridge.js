// The bridge: a host's TikTok LIVE room, read with tiktok-live-connector 2.x,
// forwarded to a livehire session.
//
// Every event livehire maps is appended to the spool as the library emits
// it, `{"event": name, "data": <what the library hands its listeners>}`;
// the spool is sealed into a batch every `flushMs` or when `maxEvents` /
// `maxBytes` are reached, and the sender posts batches in order with the
// session's ingest key. A dropped room is reconnected with backoff (the
// library replays the room's last seconds; livehire counts each message
// once). At the stream's end the bridge sends what is left and stops.

import { setTimeout as sleep } from 'node:timers/promises';

import * as tlc from 'tiktok-live-connector';

import { Refused, Sender, Settled } from './sender.js';
import { Spool } from './spool.js';

/** The events livehire maps (`?format=tiktok-live-connector`); others are not sent. */
export const FORWARDED = [
  'chat',
  'member',
  'roomUser',
  'like',
  'follow',
  'share',
  'social',
  'questionNew',
  'gift',
  'controlMessage',
  'streamEnd',
];

export const DEFAULTS = {
  flushMs: 1000,
  maxEvents: 1000,
  maxBytes: 1 << 20,
  heartbeatMs: 15_000,
  reconnectMs: 1000,
  reconnectMaxMs: 60_000,
};

/**
 * Runs until the stream ends and every event is with livehire, `stop()` is
 * called, or livehire refuses the bridge. Resolves to an exit code: 0 when
 * done (or stopped), 2 when refused.
 */
export function startBridge(options) {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = { ...DEFAULTS, ...given };
  const log = o.log ?? ((m) => console.error(`[bridge ${new Date().toISOString()}] ${m}`));
  const spool = new Spool(o.spoolDir);
  const left = spool.pending().length;
  if (left) log(`${left} batches from an earlier run wait in ${o.spoolDir}; sending them first`);
  const sender = new Sender({
    base: o.livehire,
    session: o.session,
    key: o.key,
    spool,
    log,
    heartbeatMs: o.heartbeatMs,
  });

  let stopping = false;
  let ended = false;
  let wakeLoop = () => {};
  const stopped = new Promise((resolve) => {
    wakeLoop = resolve;
  });
  let conn = null;
  let flushTimer = null;

  const flush = () => {
    clearTimeout(flushTimer);
    flushTimer = null;
    if (spool.seal()) sender.kick();
  };
  const add = (event, data) => {
    spool.append(JSON.stringify({ event, data }));
    if (spool.count >= o.maxEvents || spool.bytes >= o.maxBytes) flush();
    else if (!flushTimer) flushTimer = setTimeout(flush, o.flushMs);
  };

  const sending = sender.run();
  let failure = null;
  sending.catch((e) => {
    failure = e;
    stopping = true;
    wakeLoop();
  });

  async function follow() {
    let backoff = o.reconnectMs;
    while (!stopping && !ended) {
      conn = new tlc.TikTokLiveConnection(o.room, {
        processInitialData: true,
        fetchRoomInfoOnConnect: true,
        signApiKey: o.signApiKey,
      });
      for (const name of FORWARDED) {
        conn.on(name, (data) => {
          add(name, data);
          if (name === 'streamEnd') {
            ended = true;
            flush();
          }
        });
      }
      conn.on('error', (e) => log(`library: ${e.info}: ${e.exception?.message ?? e.exception}`));
      const dropped = new Promise((resolve) => conn.once('disconnected', resolve));
      try {
        const state = await conn.connect();
        log(`in @${conn.uniqueId}'s room ${state.roomId}`);
        backoff = o.reconnectMs;
        await Promise.race([dropped, stopped]);
      } catch (e) {
        log(`cannot enter @${conn.uniqueId}'s room: ${e.message}`);
      }
      if (stopping || ended) break;
      log(`room connection lost; again in ${backoff} ms`);
      await Promise.race([sleep(backoff), stopped]);
      backoff = Math.min(backoff * 2, o.reconnectMaxMs);
    }
    await conn?.disconnect().catch(() => {});
    flush();
    if (ended && !failure) {
      log('the stream ended; sending what is left');
      await Promise.race([sender.drained(), stopped]).catch(() => {});
    }
    sender.stop();
    await sending.catch(() => {});
    const s = sender.sent;
    log(`${s.batches} batches sent: ${s.accepted} events counted, ${s.duplicates} already there, ${s.rejected} refused; ${spool.pending().length} batches left in ${o.spoolDir}`);
    if (failure instanceof Settled) {
      log(`the session's figures are final: ${failure.message}`);
      return 0;
    }
    if (failure instanceof Refused) {
      log(failure.message);
      return 2;
    }
    if (failure) {
      log(`stopped: ${failure.message}`);
      return 1;
    }
    return 0;
  }

  const done = follow();
  return {
    done,
    /** Stops now; what is not sent stays in the spool for the next run. */
    stop() {
      stopping = true;
      wakeLoop();
    },
  };
}
