// The dashboard in a real browser (Debian's Chromium): a host signs up, an
// agent logs in with its key and finds the host with a filter, and so on
// through the hiring flow. Every page visited is checked by axe-core (no
// serious or critical violation) and no page may log a console error.
//
//   LIVEHIRE_BIN=target/debug/livehire npm test   (from tests/browser)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { api, axe, launch, person, shotsDir, startServer } from './lib.js';

const BIN = process.env.LIVEHIRE_BIN || join('..', '..', 'target', 'debug', 'livehire');

let server;
let browser;
const shots = shotsDir();
const checked = new Map();

before(async () => {
  server = await startServer(BIN);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Checks the page as it stands: axe finds nothing serious, and a screenshot
 * named `name` (with the page's language) goes to the shots directory.
 */
async function look(page, name) {
  const lang = await page.evaluate(() => document.documentElement.lang);
  const violations = await axe(page);
  assert.deepEqual(violations, [], `axe on ${name} (${lang}) at ${page.url()}`);
  await page.screenshot({ path: join(shots, `${name}-${lang}.png`), fullPage: true });
  checked.set(`${name}-${lang}`, page.url());
}

/** Fails with the server's log when something went wrong on screen. */
function noProblems(who) {
  assert.deepEqual(who.problems, [], `browser problems:\n${who.problems.join('\n')}\n--- server ---\n${server.log.join('')}`);
}

/** Clicks a form's button and waits for the page it leads to (a POST that
 * redirects back to the same URL included). */
async function press(page, name) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name }).click()]);
}

/** `YYYY-MM-DDTHH:MM` for a datetime-local field, `days` from now (UTC clock). */
function local(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 16);
}

/** The text of the first element matching `selector`, trimmed. */
async function text(page, selector) {
  return (await page.locator(selector).first().innerText()).trim();
}

/** Waits until the element's text satisfies `ok` (the page's script updates it). */
async function until(page, selector, ok, what) {
  const deadline = performance.now() + 30_000; // monotonic: wall clocks step
  let last = '';
  while (performance.now() < deadline) {
    last = await text(page, selector).catch(() => '');
    if (ok(last)) return last;
    await page.waitForTimeout(200);
  }
  throw new Error(`${what}: ${selector} still shows ${JSON.stringify(last)}`);
}

test('the hiring flow end to end in the browser', async (t) => {
  const host = await person(browser);
  const agent = await person(browser);
  const zhAgent = await person(browser, { locale: 'zh-CN' });
  const phoneHost = await person(browser, { viewport: { width: 390, height: 844 } });
  let agentKey;
  let hostKey;
  let taskUrl;
  let sessionUrl;

  await t.test('a host signs up on the web', async () => {
    await host.page.goto(`${server.base}/signup`);
    await look(host.page, 'signup');
    await host.page.getByLabel('Email').fill('mei@example.com');
    await host.page.getByLabel('Password').fill('correct horse battery');
    await host.page.getByLabel('Display name').fill('Mei Lin');
    await host.page.getByLabel('TikTok handle').fill('@meilin.live');
    await host.page.getByLabel('Followers').fill('215,000');
    await host.page.getByLabel('Niches').fill('beauty, skincare');
    await host.page.getByLabel('Skills').fill('live_streaming, product_demo');
    await host.page.getByRole('button', { name: 'Create account' }).click();
    await host.page.waitForURL(/\/dashboard$/);
    await host.page.getByRole('heading', { name: 'Invitations', exact: true }).waitFor();
    await look(host.page, 'host-home');
    // The host's API key, from its settings page, drives the simulated stream later.
    await host.page.goto(`${server.base}/dashboard/settings`);
    await host.page.getByRole('button', { name: /new API key/i }).click();
    hostKey = await text(host.page, 'p.key');
    assert.match(hostKey, /^ph_(sk|hk)_/);
  });

  await t.test('an agent logs in with its key and finds the host with a filter', async () => {
    const registered = await api(server.base, 'POST', '/agents/register', {
      body: { name: 'Glow Labs brand agent', contact_email: 'ops@glowlabs.example' },
      expect: 201,
    });
    agentKey = registered.api_key;
    for (const who of [agent, zhAgent]) {
      await who.page.goto(`${server.base}/login`);
      await look(who.page, 'login');
      await who.page.locator('input[name=api_key]').fill(agentKey);
      await who.page.locator('form:has(input[name=api_key]) button[type=submit]').click();
      await who.page.waitForURL(/\/dashboard$/);
    }
    await agent.page.goto(`${server.base}/dashboard/hosts`);
    await agent.page.getByLabel('Niche').fill('beauty');
    await agent.page.getByRole('button', { name: 'Search' }).click();
    await agent.page.waitForURL(/niche=beauty/);
    const row = agent.page.locator('tbody tr', { hasText: 'Mei Lin' });
    await row.waitFor();
    assert.match(await row.innerText(), /215,000/);
    await look(agent.page, 'hosts');
    await zhAgent.page.goto(`${server.base}/dashboard/hosts?niche=beauty`);
    await zhAgent.page.locator('tbody tr', { hasText: 'Mei Lin' }).waitFor();
    await look(zhAgent.page, 'hosts');
    await agent.page.goto(`${server.base}/dashboard/hosts?niche=gardening`);
    assert.equal(await agent.page.locator('tbody tr').count(), 0);
  });

  await t.test('the agent posts a task and invites the host from its profile', async () => {
    await agent.page.goto(`${server.base}/dashboard/tasks/new`);
    const f = (name) => agent.page.locator(`[name=${name}]`);
    await f('title').fill('Spring skincare launch live');
    await f('description').fill('Two hours on the new Vitamin C line, with a flash sale.');
    await f('products').fill('Vitamin C Serum | 199 | 139 | 500\nNight Cream | 249 | 189 | 300');
    await f('time_zone').selectOption('Asia/Shanghai');
    await f('scheduled_time').fill(local(1));
    await f('duration_hours').fill('2');
    await f('deadline').fill(local(10));
    await f('currency').selectOption('CNY');
    await f('compensation').fill('1500');
    await f('commission_percent').fill('8');
    await f('gmv_bonuses').fill('50000 = 800');
    await look(agent.page, 'task-new');
    await agent.page.getByRole('button', { name: 'Post the task' }).click();
    await agent.page.waitForURL(/\/dashboard\/tasks\/ph_task_/);
    taskUrl = agent.page.url().split('#')[0];
    const body = await agent.page.locator('main').innerText();
    assert.match(body, /8% of GMV/);
    assert.match(body, /¥800\.00 when GMV reaches ¥50,000\.00/);
    assert.match(body, /Asia\/Shanghai/);
    // Escrow needs money in the wallet: deposits arrive through the API.
    await api(server.base, 'POST', '/wallet/deposits', {
      key: agentKey, body: { amount: 10000, currency: 'CNY' }, expect: [200, 201],
    });

    await agent.page.goto(`${server.base}/dashboard/hosts?niche=beauty`);
    await agent.page.locator('tbody tr', { hasText: 'Mei Lin' }).getByRole('link').first().click();
    await agent.page.waitForURL(/\/dashboard\/hosts\/ph_profile_/);
    await look(agent.page, 'host-profile');
    await agent.page.getByRole('button', { name: 'Invite' }).click();
    await agent.page.waitForURL(/\/dashboard\/tasks\/ph_task_/);
    assert.match(await agent.page.locator('main').innerText(), /Mei Lin/);
  });

  await t.test('the host accepts and is assigned', async () => {
    await host.page.goto(`${server.base}/dashboard`);
    await host.page.getByRole('link', { name: 'Spring skincare launch live' }).first().click();
    await host.page.waitForURL(/\/dashboard\/tasks\/ph_task_/);
    await look(host.page, 'task-host-invited');
    await press(host.page, 'Accept the invitation');
    const id = taskUrl.split('/').pop();
    const task = await api(server.base, 'GET', `/tasks/${id}`, { key: agentKey });
    assert.equal(task.status, 'assigned');
    assert.equal(task.sessions.length, 1);
    sessionUrl = `${server.base}/dashboard/sessions/${task.sessions[0].id}`;
    await agent.page.goto(taskUrl);
    await look(agent.page, 'task-agent');
    await zhAgent.page.goto(taskUrl);
    await look(zhAgent.page, 'task-agent');
    await phoneHost.context.addCookies(await host.context.cookies());
    await phoneHost.page.goto(taskUrl);
    await look(phoneHost.page, 'task-host-phone');
  });

  await t.test('a live session moves the monitor on screen, and a flash sale sells out', async () => {
    // The host goes live from its session page.
    await host.page.goto(sessionUrl);
    await press(host.page, 'Go live');
    await host.page.getByRole('button', { name: 'End the session' }).waitFor();
    await agent.page.goto(sessionUrl);
    await agent.page.locator('[data-chart="concurrent_viewers"] canvas').first().waitFor();
    const before = await text(agent.page, '[data-metric="concurrent_viewers"]');
    const sessionId = sessionUrl.split('/').pop();
    const now = Date.now();
    const events = [];
    for (let i = 0; i < 40; i++) events.push({ type: 'viewer_join', ts: now + i, viewer_id: `v${i}` });
    // Products posted without ids are prod_001, prod_002, … by position.
    events.push({ type: 'order', ts: now + 100, order_id: 'o1', viewer_id: 'v1', product_id: 'prod_001', quantity: 2, amount: 278, currency: 'CNY' });
    const ingested = await api(server.base, 'POST', `/sessions/${sessionId}/events`, { key: hostKey, body: events, expect: [200, 202] });
    assert.equal(ingested.accepted, 41, JSON.stringify(ingested));
    // Viewers and GMV change on screen without a reload.
    await until(agent.page, '[data-metric="concurrent_viewers"]', (v) => v === '40', 'viewers');
    assert.notEqual(before, '40');
    await until(agent.page, '[data-metric="gmv"]', (v) => v.includes('278.00'), 'GMV');
    await look(agent.page, 'session-live');
    await zhAgent.page.goto(sessionUrl);
    await look(zhAgent.page, 'session-live');

    // A flash sale of 3 units from the panel; three buyers take them.
    await agent.page.locator('[name=price]').fill('99');
    await agent.page.locator('[name=stock]').fill('3');
    await agent.page.locator('[name=duration_minutes]').fill('10');
    await press(agent.page, 'Start the flash sale');
    const saleId = await agent.page.locator('tr[data-sale]').first().getAttribute('data-sale');
    assert.match(saleId, /^ph_/);
    await until(agent.page, `tr[data-sale="${saleId}"] [data-field="remaining"]`, (v) => v === '3', 'stock');
    for (const buyer of ['b1', 'b2', 'b3']) {
      await api(server.base, 'POST', `/flash-sales/${saleId}/orders`, {
        key: agentKey, body: { buyer_id: buyer, quantity: 1 }, expect: 201,
      });
    }
    await until(agent.page, `tr[data-sale="${saleId}"] [data-field="remaining"]`, (v) => v === '0', 'stock after the sale');
    await until(agent.page, `tr[data-sale="${saleId}"] [data-countdown]`, (v) => v === 'Sold out', 'sold out');
    await look(agent.page, 'session-sold-out');

    // The live monitor lists it as live.
    await agent.page.goto(`${server.base}/dashboard/tiktok-live`);
    assert.match(await agent.page.locator('main').innerText(), /Spring skincare launch live/);
    await look(agent.page, 'live-monitor');
    await zhAgent.page.goto(`${server.base}/dashboard/tiktok-live`);
    await look(zhAgent.page, 'live-monitor');

    await host.page.goto(sessionUrl);
    await press(host.page, 'End the session');
  });

  await t.test('the host submits, the agent approves and rates with a tip', async () => {
    await host.page.goto(taskUrl);
    await host.page.locator('[name=total_gmv]').fill('575');
    await press(host.page, 'Submit results');
    await agent.page.goto(taskUrl);
    await look(agent.page, 'task-review');
    await press(agent.page, 'Approve and pay');
    const id = taskUrl.split('/').pop();
    const task = await api(server.base, 'GET', `/tasks/${id}`, { key: agentKey });
    assert.equal(task.status, 'approved');
    await agent.page.locator('[name=review_text]').fill('Clear demos, sold out on time.');
    await agent.page.locator('[name=tip_amount]').fill('200');
    await press(agent.page, 'Rate the host');
    const earnings = await api(server.base, 'GET', '/earnings', { key: hostKey });
    const cny = earnings.balances.find((b) => b.currency === 'CNY');
    // The base 1,500, 8% of the verified GMV and the 200 tip. Verified is what
    // sold through the flash sale's checkout (3 × 99 = 297: 23.76); the
    // 278.00 order the host's own feed reported, and the 575 it submitted,
    // pay nothing on their word.
    assert.equal(Number(cny.total), 1723.76, JSON.stringify(earnings));
    await host.page.goto(`${server.base}/dashboard/wallet`);
    await look(host.page, 'host-wallet');
    await agent.page.goto(`${server.base}/dashboard/wallet`);
    await look(agent.page, 'wallet');
    await agent.page.goto(`${server.base}/dashboard`);
    await look(agent.page, 'agent-home');
    await zhAgent.page.goto(`${server.base}/dashboard`);
    await look(zhAgent.page, 'agent-home');
  });

  for (const who of [host, agent, zhAgent, phoneHost]) noProblems(who);
  await Promise.all([host, agent, zhAgent, phoneHost].map((w) => w.context.close()));
});
