// Posts the spool's batches to livehire, oldest first, one at a time:
// `POST /api/v1/sessions/{id}/events?format=tiktok-live-connector` as NDJSON
// with the session's ingest key. A batch leaves the spool only once livehire
// has answered it; until then it is retried with backoff (livehire counts a
// message it already has once, so a batch sent twice costs nothing). When
// nothing was sent for a while, an empty batch tells livehire the bridge is
// still there (the session's `feed`).

import { setTimeout as sleep } from 'node:timers/promises';

/** Thrown when livehire refuses the bridge for good (bad key, no such session). */
export class Refused extends Error {}

/** Thrown when the session's figures are final: nothing more can be sent. */
export class Settled extends Error {}

export class Sender {
  constructor({ base, session, key, spool, log, heartbeatMs = 15_000, timeoutMs = 15_000 }) {
    this.url = `${base.replace(/\/+$/, '')}/api/v1/sessions/${encodeURIComponent(session)}/events?format=tiktok-live-connector`;
    this.key = key;
    this.spool = spool;
    this.log = log;
    this.heartbeatMs = heartbeatMs;
    this.timeoutMs = timeoutMs;
    this.lastSentAt = 0;
    this.wake = null;
    this.stopped = false;
    this.abort = new AbortController();
    this.sent = { batches: 0, accepted: 0, duplicates: 0, rejected: 0 };
  }

  /** Something new was sealed. */
  kick() {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Stops at once: a post or a wait under way is abandoned (its batch stays spooled). */
  stop() {
    this.stopped = true;
    this.abort.abort();
    this.kick();
  }

  /** Resolves once every sealed batch has been answered. */
  async drained() {
    while (this.spool.pending().length > 0) {
      if (this.failure) throw this.failure;
      await sleep(50);
    }
  }

  /** Posts one body; the answer's status and JSON. Network errors throw. */
  async post(body) {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.key}`,
        'content-type': 'application/x-ndjson',
        'user-agent': 'livehire-tiktok-live-bridge/0.1',
      },
      body,
      signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.abort.signal]),
    });
    let json = null;
    try {
      json = await res.json();
    } catch {}
    return { status: res.status, json, retryAfter: Number(res.headers.get('retry-after')) || 0 };
  }

  /** Sends `body` until livehire answers it; the answer. */
  async deliver(body, what) {
    let wait = 500;
    for (let attempt = 1; ; attempt += 1) {
      let answer;
      try {
        answer = await this.post(body);
      } catch (e) {
        if (this.stopped) throw e;
        answer = { status: 0, retryAfter: 0, error: e.cause?.code ?? e.cause?.message ?? e.message };
      }
      const { status, json } = answer;
      if (status === 200 || status === 413) return answer;
      if (status === 409 && json?.error?.code === 'session_settled') {
        throw new Settled(json.error.message);
      }
      if ([400, 401, 403, 404, 415, 422].includes(status)) {
        throw new Refused(`livehire refused ${what}: ${status} ${JSON.stringify(json?.error ?? json)}`);
      }
      const delay = Math.max(answer.retryAfter * 1000, wait) * (0.8 + Math.random() * 0.4);
      this.log(`${what}: ${status ? `livehire answered ${status}` : `livehire unreachable (${answer.error})`}; retry ${attempt} in ${Math.round(delay)} ms`);
      await sleep(delay, undefined, { signal: this.abort.signal });
      wait = Math.min(wait * 2, 30_000);
    }
  }

  /** The loop: batches oldest first, a heartbeat when idle. Resolves when stopped. */
  async run() {
    try {
      // First contact: livehire learns the bridge is there, and a bad key or
      // session shows at once.
      await this.deliver('', 'first contact');
      this.lastSentAt = Date.now();
      while (!this.stopped) {
        const [next] = this.spool.pending();
        if (next) {
          const text = this.spool.read(next);
          const { status, json } = await this.deliver(text, next);
          if (status === 413 && this.spool.split(next)) {
            this.log(`${next}: too large for livehire; split in two`);
            continue;
          }
          if (status === 413) {
            throw new Refused(`${next}: one event is larger than livehire takes`);
          }
          this.spool.remove(next);
          this.lastSentAt = Date.now();
          this.sent.batches += 1;
          this.sent.accepted += json.accepted;
          this.sent.duplicates += json.duplicates;
          this.sent.rejected += json.rejected.length;
          const lines = text.split('\n').filter(Boolean).length;
          this.log(`${next}: ${lines} events, ${json.accepted} counted, ${json.duplicates} already there${json.rejected.length ? `, ${json.rejected.length} refused: ${json.rejected.map((r) => r.error).slice(0, 3).join('; ')}` : ''}${json.stream_end ? ', stream end recorded' : ''}`);
          continue;
        }
        const idle = Date.now() - this.lastSentAt;
        if (idle >= this.heartbeatMs) {
          await this.deliver('', 'heartbeat');
          this.lastSentAt = Date.now();
          continue;
        }
        await new Promise((resolve) => {
          const timer = setTimeout(done, this.heartbeatMs - idle);
          function done() {
            clearTimeout(timer);
            resolve();
          }
          this.wake = done;
        });
      }
    } catch (e) {
      if (!this.stopped) {
        this.failure = e;
        throw e;
      }
    }
  }
}
