// The bridge's spool: events wait on disk until livehire has them.
//
// Each event is appended to `open.ndjson` as it arrives (a killed bridge
// loses nothing the kernel has). Sealing renames the open file to
// `batch-<seq>.ndjson` after an fsync: a sealed batch is what the sender
// posts, oldest first, and deletes once livehire answered it. A bridge that
// starts over a spool seals what was open and sends every batch left.

import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

const OPEN = 'open.ndjson';
const BATCH = /^batch-(\d{12})(?:-(\d+))?\.ndjson$/;

function fsyncDir(dir) {
  try {
    const fd = openSync(dir, 'r');
    fsyncSync(fd);
    closeSync(fd);
  } catch {
    // Not every platform syncs a directory; the rename is still atomic.
  }
}

export class Spool {
  /** A spool in `dir` (created if missing); what a previous run left open is sealed. */
  constructor(dir) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
    this.seq = this.pending().reduce((max, f) => Math.max(max, Number(BATCH.exec(f)[1])), 0);
    this.fd = null;
    this.count = 0;
    this.bytes = 0;
    this.firstAt = 0;
    const open = join(dir, OPEN);
    if (existsSync(open) && statSync(open).size > 0) {
      this.count = readFileSync(open, 'utf8').split('\n').filter(Boolean).length;
      this.bytes = statSync(open).size;
      this.seal();
    }
  }

  /** Appends one event (a JSON line). */
  append(line) {
    if (this.fd === null) {
      this.fd = openSync(join(this.dir, OPEN), 'a');
      this.firstAt = Date.now();
    }
    const text = `${line}\n`;
    writeSync(this.fd, text);
    this.count += 1;
    this.bytes += Buffer.byteLength(text);
  }

  /** Seals the open events into the next batch; its file name, or null when none are open. */
  seal() {
    const open = join(this.dir, OPEN);
    if (this.fd !== null) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = null;
    }
    if (this.count === 0 || !existsSync(open)) return null;
    this.seq += 1;
    const name = `batch-${String(this.seq).padStart(12, '0')}.ndjson`;
    renameSync(open, join(this.dir, name));
    fsyncDir(this.dir);
    this.count = 0;
    this.bytes = 0;
    this.firstAt = 0;
    return name;
  }

  /** Sealed batches, oldest first. */
  pending() {
    return readdirSync(this.dir)
      .filter((f) => BATCH.test(f))
      .sort();
  }

  /** A sealed batch's text. */
  read(name) {
    return readFileSync(join(this.dir, name), 'utf8');
  }

  /** Forgets a batch livehire has answered. */
  remove(name) {
    unlinkSync(join(this.dir, name));
  }

  /** Replaces a batch too large to send with two halves, in its place in the order. */
  split(name) {
    const lines = this.read(name).split('\n').filter(Boolean);
    if (lines.length < 2) return false;
    const half = Math.ceil(lines.length / 2);
    const [, seq, part] = BATCH.exec(name);
    const base = `batch-${seq}-${part ?? ''}`;
    writeFileSync(join(this.dir, `${base}1.ndjson`), `${lines.slice(0, half).join('\n')}\n`);
    writeFileSync(join(this.dir, `${base}2.ndjson`), `${lines.slice(half).join('\n')}\n`);
    fsyncDir(this.dir);
    this.remove(name);
    return true;
  }
}
