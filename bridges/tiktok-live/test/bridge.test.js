// The bridge, offline, against the real livehire binary.
//
// An offline TikTok room on 127.0.0.1 pushes the room of issue 15 as TikTok
// would (gzipped push frames built with the library's own protobuf classes);
// the bridge runs unchanged as its own process, the library inside it routed
// to that room (test/offline-preload.js). Mid-stream livehire is killed with
// SIGKILL and restarted, the room drops the connection and replays its last
// messages on every re-entry, and the bridge itself is killed and started
// again over its spool. Afterwards the session's figures must be exact: no
// event lost, none counted twice, and the session ends by itself after the
// stream's end.
//
// LIVEHIRE_BIN names the binary (default: target/debug/livehire).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { OfflineRoom } from '../lib/offline.js';
import { frameV2, issue15Room } from '../lib/room.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const bin = process.env.LIVEHIRE_BIN ?? join(repo, 'target', 'debug', 'livehire');

async function freePort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

async function until(what, check, timeoutMs = 20_000) {
  const deadline = performance.now() + timeoutMs; // monotonic: wall clocks step
  for (;;) {
    const value = await check();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A child process whose output is kept, for a failing test to show. */
function run(cmd, args, opts, log) {
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => log.push(String(d)));
  child.stderr.on('data', (d) => log.push(String(d)));
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

async function kill9(child) {
  child.kill('SIGKILL');
  return child.exited;
}

function startLivehire(db, port, log) {
  const child = run(
    bin,
    ['serve', '--addr', `127.0.0.1:${port}`, '--database-url', db, '--stream-end-grace-seconds', '2'],
    { env: { ...process.env, LIVEHIRE_LOG: 'warn' } },
    log,
  );
  return child;
}

async function api(base, method, path, key, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  return { status: res.status, json };
}

async function healthy(base) {
  return until('livehire to answer', () =>
    fetch(`${base}/healthz`).then((r) => r.ok, () => false),
  );
}

/** An agent, a host, a task assigned to the host, its session live and the agent's ingest key. */
async function liveSession(base) {
  const must = async (what, p, status = 201) => {
    const r = await p;
    assert.equal(r.status, status, `${what}: ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const agent = await must('agent', api(base, 'POST', '/api/v1/agents/register', null, { name: 'Bridge test brand' }));
  const host = await must('host', api(base, 'POST', '/api/v1/humans/register', null, {
    name: 'Glow Labs Live',
    platform: 'tiktok',
    tiktok_handle: '@glowlabs.live',
  }));
  const soon = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const task = await must('task', api(base, 'POST', '/api/v1/tasks', agent.api_key, {
    title: 'Serum launch live',
    description: 'Two hours on TikTok LIVE, fed to livehire by the bridge',
    category: 'tiktok_live_commerce',
    platform: 'tiktok',
    compensation: 500,
    currency: 'CNY',
    deadline: soon,
    live_session_details: { scheduled_time: soon, duration_hours: 2 },
  }));
  await must('deposit', api(base, 'POST', '/api/v1/wallet/deposits', agent.api_key, { amount: 1000, currency: 'CNY' }));
  await must('invitation', api(base, 'POST', `/api/v1/tasks/${task.id}/invitations`, agent.api_key, { human_id: host.human_id }));
  await must('accept', api(base, 'POST', `/api/v1/tasks/${task.id}/accept`, host.api_key, {}), 200);
  const session = task.sessions[0].id;
  await must('start', api(base, 'POST', `/api/v1/sessions/${session}/start`, agent.api_key, {}), 200);
  const key = await must('ingest key', api(base, 'POST', `/api/v1/sessions/${session}/ingest-keys`, agent.api_key, {}));
  return { agentKey: agent.api_key, session, ingestKey: key.api_key };
}

function startBridge(room, base, s, spool, log) {
  return run(
    process.execPath,
    [
      '--import', join(here, 'offline-preload.js'),
      join(here, '..', 'bridge.js'),
      '--room', '@glowlabs.live',
      '--livehire', base,
      '--session', s.session,
      '--spool', spool,
      '--flush-ms', '200',
      '--heartbeat-ms', '2000',
    ],
    { env: { ...process.env, LIVEHIRE_INGEST_KEY: s.ingestKey, TIKTOK_LIVE_OFFLINE_ROOM: room.base } },
    log,
  );
}

/** Everything in the spool, open and sealed. */
function spooled(dir) {
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('');
}

test('the bridge feeds a session through a SIGKILL of livehire, room drops and its own restart, and every figure is exact', { timeout: 120_000 }, async (t) => {
  assert.ok(existsSync(bin), `no livehire binary at ${bin}: cargo build -p livehire-cli, or set LIVEHIRE_BIN`);
  const dir = mkdtempSync(join(tmpdir(), 'livehire-bridge-'));
  const db = `sqlite://${join(dir, 'livehire.db')}`;
  const spool = join(dir, 'spool');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const logs = { livehire: [], bridge: [] };
  const room = await OfflineRoom.start();
  let server = startLivehire(db, port, logs.livehire);
  let bridge = null;
  t.after(async () => {
    bridge?.kill('SIGKILL');
    server?.kill('SIGKILL');
    await room.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const show = () => `\n--- bridge ---\n${logs.bridge.join('')}\n--- livehire ---\n${logs.livehire.join('')}`;
  const metrics = async (s) => {
    const r = await api(base, 'GET', `/api/v1/sessions/${s.session}/metrics`, s.agentKey);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    return r.json;
  };
  try {
    await healthy(base);
    const s = await liveSession(base);

    bridge = startBridge(room, base, s, spool, logs.bridge);
    await room.waitForEntry(0);
    // The room's messages are stamped from 16 s ago (within the session's
    // clock-skew allowance), so its stream's end is a second ago.
    const t0 = Date.now() - 16_000;
    const steps = issue15Room(t0);
    let seq = 0;
    const push = async (from, to) => {
      for (const step of steps.slice(from, to)) {
        seq += 1;
        room.push(frameV2([step], { seq }));
        await sleep(20);
      }
    };

    // Both up: the room count, two joins, two chats reach livehire.
    await push(0, 5);
    await until('the first chats in livehire', async () => (await metrics(s)).chat_messages === 2);

    // livehire is killed; the question, likes, follow and share wait in the spool.
    await kill9(server);
    await push(5, 10);
    await until('the share in the spool', () => spooled(spool).includes(steps[9].msgId));

    // The room drops the bridge; on re-entry TikTok sends its last 3 messages again.
    room.replay = 3;
    room.drop();
    await room.waitForEntry(1);

    // The bridge is killed too, and started again over its spool; it enters
    // the room again (another replay).
    await kill9(bridge);
    bridge = startBridge(room, base, s, spool, logs.bridge);
    await room.waitForEntry(2);

    // livehire comes back on the same file.
    server = startLivehire(db, port, logs.livehire);
    await healthy(base);

    // The Rose streak, the Doughnut, and the stream's end.
    await push(10, 16);
    const waited = new AbortController();
    const exit = await Promise.race([
      bridge.exited,
      sleep(60_000, 'still running', { signal: waited.signal }).catch(() => {}),
    ]);
    waited.abort();
    assert.deepEqual(exit, { code: 0, signal: null }, 'the bridge stops at the stream\'s end');
    bridge = null;
    assert.deepEqual(readdirSync(spool), [], 'nothing left in the spool');

    const m = await metrics(s);
    assert.equal(m.unique_viewers, 2);
    assert.equal(m.peak_concurrent_viewers, 812);
    assert.equal(m.chat_messages, 2);
    assert.equal(m.questions, 1);
    assert.equal(m.likes, 21);
    assert.equal(m.follows, 1);
    assert.equal(m.shares, 1);
    assert.equal(m.gifts_value, 33);
    assert.equal(m.sources.verified.chat_messages, 2, 'the ingest key counts as verified');
    assert.deepEqual(
      { source: m.feed.source, format: m.feed.format },
      { source: 'ingest_key', format: 'tiktok-live-connector' },
    );
    const streamEnd = new Date(t0 + 15_000).toISOString();
    assert.equal(m.stream_ended_at, streamEnd);

    // Two seconds' grace later the session ends by itself, at the stream's end.
    const ended = await until('the session to end', async () => {
      const v = await metrics(s);
      return v.status === 'ended' && v;
    });
    assert.equal(ended.concurrent_viewers, 0);
    assert.equal(ended.likes, 21);
    assert.equal(ended.gifts_value, 33);
    const session = await api(base, 'GET', `/api/v1/sessions/${s.session}`, s.agentKey);
    assert.equal(session.json.ended_at, streamEnd);
    if (process.env.BRIDGE_TEST_LOGS) console.log(show());
  } catch (e) {
    e.message += show();
    throw e;
  }
});
