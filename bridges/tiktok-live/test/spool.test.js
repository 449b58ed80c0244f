// The spool alone: what a killed bridge left is sent by the next one, in order.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { Spool } from '../lib/spool.js';

test('events appended but never sealed (a killed bridge) become the next batch of the next run', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'livehire-spool-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const first = new Spool(dir);
  first.append('{"event":"chat","n":1}');
  first.append('{"event":"chat","n":2}');
  assert.equal(first.seal(), 'batch-000000000001.ndjson');
  first.append('{"event":"like","n":3}');
  // Killed here: the like is in open.ndjson only.
  assert.deepEqual(readdirSync(dir).sort(), ['batch-000000000001.ndjson', 'open.ndjson']);

  const next = new Spool(dir);
  assert.deepEqual(next.pending(), ['batch-000000000001.ndjson', 'batch-000000000002.ndjson']);
  assert.equal(next.read('batch-000000000002.ndjson'), '{"event":"like","n":3}\n');
  next.append('{"event":"gift","n":4}');
  assert.equal(next.seal(), 'batch-000000000003.ndjson');
  assert.equal(next.seal(), null, 'nothing open');
});

test('a batch too large for livehire is split in two, in its place', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'livehire-spool-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const s = new Spool(dir);
  for (let n = 1; n <= 3; n += 1) s.append(`{"n":${n}}`);
  s.seal();
  s.append('{"n":4}');
  s.seal();
  assert.ok(s.split('batch-000000000001.ndjson'));
  assert.deepEqual(s.pending(), [
    'batch-000000000001-1.ndjson',
    'batch-000000000001-2.ndjson',
    'batch-000000000002.ndjson',
  ]);
  assert.equal(s.read('batch-000000000001-1.ndjson'), '{"n":1}\n{"n":2}\n');
  assert.equal(s.read('batch-000000000001-2.ndjson'), '{"n":3}\n');
  assert.ok(s.split('batch-000000000001-1.ndjson'));
  assert.deepEqual(s.pending().slice(0, 3), [
    'batch-000000000001-11.ndjson',
    'batch-000000000001-12.ndjson',
    'batch-000000000001-2.ndjson',
  ]);
  assert.equal(s.split('batch-000000000001-12.ndjson'), false, 'one event cannot be split');
});
