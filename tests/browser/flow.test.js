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

test('a host signs up and an agent finds it with a filter', async () => {
  const host = await person(browser);
  const agent = await person(browser);
  const zhAgent = await person(browser, { locale: 'zh-CN' });

  // The host signs up on the web with a profile, an email and a password.
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
  await assert.doesNotReject(host.page.getByRole('heading', { name: 'Invitations', exact: true }).waitFor());
  await look(host.page, 'host-home');

  // An agent registered through the API logs in once with its key.
  const registered = await api(server.base, 'POST', '/agents/register', {
    body: { name: 'Glow Labs brand agent', contact_email: 'ops@glowlabs.example' },
    expect: 201,
  });
  for (const who of [agent, zhAgent]) {
    await who.page.goto(`${server.base}/login`);
    await look(who.page, 'login');
    await who.page.locator('input[name=api_key]').fill(registered.api_key);
    await who.page.locator('form:has(input[name=api_key]) button[type=submit]').click();
    await who.page.waitForURL(/\/dashboard$/);
    await look(who.page, 'agent-home');
  }

  // Host search with a filter: the query string is a bookmark.
  await agent.page.goto(`${server.base}/dashboard/hosts`);
  await agent.page.getByLabel('Niche').fill('beauty');
  await agent.page.getByRole('button', { name: 'Search' }).click();
  await agent.page.waitForURL(/niche=beauty/);
  const row = agent.page.locator('tbody tr', { hasText: 'Mei Lin' });
  await assert.doesNotReject(row.waitFor());
  assert.match(await row.innerText(), /215,000/);
  await look(agent.page, 'hosts');
  await zhAgent.page.goto(`${server.base}/dashboard/hosts?niche=beauty`);
  await assert.doesNotReject(zhAgent.page.locator('tbody tr', { hasText: 'Mei Lin' }).waitFor());
  await look(zhAgent.page, 'hosts');
  // Nobody else matches a niche nobody has.
  await agent.page.goto(`${server.base}/dashboard/hosts?niche=gardening`);
  assert.equal(await agent.page.locator('tbody tr').count(), 0);

  for (const who of [host, agent, zhAgent]) noProblems(who);
  await Promise.all([host, agent, zhAgent].map((w) => w.context.close()));
});
