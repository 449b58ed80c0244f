// What the browser tests stand on: a real livehire server on a free loopback
// port over a fresh database, Debian's Chromium driven by playwright-core,
// axe-core injected into each page checked, and screenshots written where
// the run says.

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `livehire serve` over a fresh SQLite file with an admin token; resolves
 * once `/readyz` answers 200. `log` collects its output for a failure message.
 */
export async function startServer(bin) {
  const dir = mkdtempSync(join(tmpdir(), 'livehire-browser-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const adminToken = 'browser-test-admin-token-0123456789';
  const log = [];
  const child = spawn(
    bin,
    [
      'serve',
      '--addr', `127.0.0.1:${port}`,
      '--database-url', `sqlite://${join(dir, 'livehire.db')}`,
      '--admin-token', adminToken,
      '--open-registration',
      '--rate-limit', 'off',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } },
  );
  child.stdout.on('data', (d) => log.push(d.toString()));
  child.stderr.on('data', (d) => log.push(d.toString()));
  // A monotonic clock: the wall clock of a virtual machine can step.
  const deadline = performance.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`livehire exited with ${child.exitCode}:\n${log.join('')}`);
    }
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      // Not left running: the test process would wait for it forever.
      child.kill('SIGKILL');
      throw new Error(`livehire did not get ready in 30 s:\n${log.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    adminToken,
    log,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/** A JSON call to the API; throws unless the status is the one expected. */
export async function api(base, method, path, { key, body, expect = [200, 201] } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  const r = await fetch(`${base}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  const wanted = Array.isArray(expect) ? expect : [expect];
  if (!wanted.includes(r.status)) {
    throw new Error(`${method} ${path} answered ${r.status}: ${text}`);
  }
  return text ? JSON.parse(text) : null;
}

/** Launches the system Chromium (CHROMIUM overrides the path). */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/**
 * A browser context for one person, in one language, that records every
 * console error, uncaught page error and failed request of its pages.
 */
export async function person(browser, { locale = 'en-US', viewport } = {}) {
  const context = await browser.newContext({
    locale,
    viewport: viewport || { width: 1280, height: 900 },
  });
  const problems = [];
  context.on('page', (page) => watch(page, problems));
  const page = await context.newPage();
  return { context, page, problems };
}

function watch(page, problems) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error on ${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
  page.on('requestfailed', (req) => {
    // A stream the test closed by navigating away is not a failure.
    const failure = req.failure()?.errorText || '';
    if (!failure.includes('ERR_ABORTED')) {
      problems.push(`request failed on ${page.url()}: ${req.url()} ${failure}`);
    }
  });
}

/**
 * Runs axe-core on the page; returns its serious and critical violations as
 * readable lines (empty when there are none).
 */
export async function axe(page) {
  const has = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!has) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  return result
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.join(', ')})`);
}

/** Where screenshots go: SHOTS_DIR, else target/browser-shots. */
export function shotsDir() {
  const dir = process.env.SHOTS_DIR || join(process.cwd(), '..', '..', 'target', 'browser-shots');
  mkdirSync(dir, { recursive: true });
  return dir;
}
