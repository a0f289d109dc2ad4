// The web console in a real browser (headless Chromium from Debian, driven by playwright-core) against a real
// gateway with the bundled demo agent, reached through a TCP proxy so that the test can cut the network: sign in,
// create a session, prompt and watch the answer stream, approve the permission the agent asks for (an edit with its
// diff) and see the turn finish, lose the connection mid-turn and see the transcript resume with nothing lost or
// doubled, reload, cancel, close a session, verify the audit log (intact, then tampered: the first bad position),
// export it as NDJSON, and the pages at a phone's width. Screenshots of each page go to test-output/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestGateway, TOKEN, type TestGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/poll.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { buildConsole, launchChromium, screenshot, screenshotsTaken, UNNAMED_CONTROLS } from '../helpers/browser.js';
import { LOW_CONTRAST } from '../helpers/contrast.js';
import { createLogger } from '../../src/log/logger.js';

let g: TestGateway;
let proxy: TcpProxy;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;
/** every URL the browser asked for, and every console message: the token must appear in none */
const requested: string[] = [];
const consoleMessages: string[] = [];
/** the gateway's own log, at debug level: no token in it either */
const gatewayLog: string[] = [];

before(async () => {
  buildConsole();
  browser = await launchChromium(); // first: without Chromium the test fails here, loudly
  let gatewayPort = 0;
  proxy = await startTcpProxy(() => gatewayPort);
  const proxyHost = `127.0.0.1:${proxy.port}`;
  g = await startTestGateway({
    permissions: { default: 'ask', approval_timeout_secs: 120 },
    server: { allowed_hosts: [proxyHost], allowed_origins: [`http://${proxyHost}`] },
    logger: createLogger({ level: 'debug', write: (l) => gatewayLog.push(l) }),
  });
  gatewayPort = Number(new URL(g.url).port);
  base = `http://${proxyHost}`;
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('request', (r) => requested.push(r.url()));
  page.on('console', (m) => consoleMessages.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleMessages.push(`pageerror: ${e.message}`));
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  await g?.dispose();
  const shots = screenshotsTaken();
  if (shots.length > 0) console.log(`screenshots:\n${shots.map((s) => `  ${s}`).join('\n')}`);
});

const transcript = () => page.locator('ol.transcript');
const agentTexts = () => page.locator('ol.transcript li.agent .text').allTextContents();

async function prompt(text: string): Promise<void> {
  await page.getByLabel('Prompt', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

let sessionId = '';

/** every page, the lists of orchestrations and pipelines (empty here) too */
const PAGES = () => ['#/sessions', `#/sessions/${encodeURIComponent(sessionId)}`, '#/approvals', '#/audit', '#/orchestrations', '#/pipelines'];

async function open(hash: string): Promise<void> {
  await page.goto(`${base}/ui${hash}`);
  await page.locator('main h1').waitFor();
  if (hash.startsWith('#/sessions/')) await transcript().locator('li.turn-end').first().waitFor();
}

test('sign in with the token: kept in session storage, never in a URL', async () => {
  const r = await page.goto(`${base}/ui`);
  assert.equal(r!.status(), 200);
  assert.match(r!.headers()['content-security-policy']!, /script-src 'self'/);
  await page.getByRole('heading', { name: 'aintegrix console' }).waitFor();
  await screenshot(page, '01-sign-in');
  // a wrong token is refused with a message; the form works from the keyboard alone
  await page.getByLabel('API token').fill('not-the-token-0123456789');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
  await page.getByLabel('API token').fill(TOKEN);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Sessions', exact: true }).waitFor();
  // (browser-side expressions are strings: the tests compile without the DOM's types)
  assert.equal(await page.evaluate("sessionStorage.getItem('aintegrix.token')"), TOKEN);
  assert.equal(await page.evaluate('localStorage.length'), 0);
  assert.ok(!page.url().includes(TOKEN));
});

test('create a session, prompt it and watch the answer stream in', async () => {
  await page.getByRole('button', { name: 'Create session' }).click();
  await page.waitForURL(/#\/sessions\/.+/);
  sessionId = decodeURIComponent(page.url().split('#/sessions/')[1]!);
  await page.locator('[data-stream-state="live"]').waitFor();
  await prompt('hello from the console');
  await transcript().locator('li.agent', { hasText: 'echo: hello from the console' }).waitFor();
  await transcript().locator('li.turn-end', { hasText: 'Turn 1 completed (end_turn)' }).waitFor();
  assert.ok((await transcript().locator('li.prompt').first().textContent())!.includes('hello from the console'));
  await screenshot(page, '02-session');
});

test('approve the edit the agent asks permission for, on the approvals page; the turn finishes', async () => {
  await prompt('/edit notes.txt hello from the agent');
  const request = transcript().locator('li.permission');
  await request.waitFor();
  await request.locator('.diff .add', { hasText: 'hello from the agent' }).waitFor();
  // every page's navigation counts the requests waiting for a person
  await page.locator('nav a[href="#/approvals"] .count', { hasText: '1' }).waitFor({ timeout: 10_000 });
  await page.getByRole('link', { name: 'Approvals' }).click();
  const card = page.locator('li.card.approval');
  await card.waitFor();
  assert.equal(await card.count(), 1);
  assert.ok((await card.textContent())!.includes('Edit notes.txt'));
  await card.locator('.diff .add', { hasText: 'hello from the agent' }).waitFor();
  // the agent's options, each offered as a decision
  for (const name of ['Allow once', 'Allow always', 'Reject']) await card.getByRole('button', { name, exact: true }).waitFor();
  await screenshot(page, '03-approvals-pending');
  await card.getByRole('button', { name: 'Allow once', exact: true }).click();
  await page.getByText('No agent is waiting for a decision.').waitFor();
  // decided: with who and when
  const row = page.locator('table.decided tbody tr').first();
  await row.filter({ hasText: 'allow once' }).filter({ hasText: 'tester' }).waitFor({ timeout: 15_000 });
  await screenshot(page, '04-approvals-decided');
  await page.goBack();
  await transcript().locator('li.turn-end', { hasText: 'Turn 2 completed' }).waitFor();
  await transcript().locator('li.agent', { hasText: 'permission: selected allow' }).waitFor();
  await transcript().locator('li.permission .decided', { hasText: 'allow once' }).waitFor();
});

test('a dropped connection mid-turn: the transcript resumes from its cursor, nothing lost or doubled', async () => {
  await prompt('/slow 4');
  await transcript().locator('li.agent', { hasText: 'slow 3/40' }).waitFor();
  proxy.hold(); // the network goes: every connection dropped, new ones refused
  await page.locator('[data-stream-state="reconnecting"]').waitFor();
  await screenshot(page, '05-session-reconnecting');
  // the turn goes on at the gateway meanwhile
  await eventually(async () => (await g.api('GET', `/api/v1/sessions/${sessionId}`)).body.last_turn?.turn === 3, 20_000, 'turn 3 to end');
  proxy.release();
  await page.locator('[data-stream-state="live"]').waitFor({ timeout: 20_000 });
  await transcript().locator('li.turn-end', { hasText: 'Turn 3 completed' }).waitFor();
  await assertTranscriptMatchesLog();
  await screenshot(page, '06-session-resumed');
});

test('a reload reads the same transcript again from the log', async () => {
  const before = await agentTexts();
  await page.reload();
  await transcript().locator('li.turn-end', { hasText: 'Turn 3 completed' }).waitFor();
  assert.deepEqual(await agentTexts(), before);
  await assertTranscriptMatchesLog();
});

test('cancel a running turn', async () => {
  await prompt('/slow 60');
  await transcript().locator('li.agent', { hasText: 'slow 2/600' }).waitFor();
  await page.getByRole('button', { name: 'Cancel turn' }).click();
  await transcript().locator('li.turn-end', { hasText: 'Turn 4 cancelled' }).waitFor();
});

test('the sessions list is live: status, turns, pending approvals; close a session', async () => {
  const other = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
  assert.equal(other.status, 201);
  await page.getByRole('link', { name: 'Sessions' }).click();
  const row = page.locator(`tr[data-session="${sessionId}"]`);
  await row.filter({ hasText: 'idle' }).waitFor();
  assert.equal((await row.locator('td[data-label="Turns"]').textContent())!.trim(), '4');
  // a prompt made elsewhere shows up without a reload: a pending approval on the other session
  void g.api('POST', `/api/v1/sessions/${other.body.id}/prompt`, { messages: [{ type: 'text', text: '/bash git status' }] });
  const otherRow = page.locator(`tr[data-session="${other.body.id}"]`);
  await otherRow.locator('td[data-label="Pending approvals"]', { hasText: '1' }).waitFor({ timeout: 15_000 });
  await otherRow.filter({ hasText: 'awaiting permission' }).waitFor();
  await screenshot(page, '07-sessions');
  await otherRow.getByRole('button', { name: `Close session ${other.body.id}` }).click();
  await otherRow.waitFor({ state: 'detached' });
  assert.equal((await g.api('GET', `/api/v1/sessions/${other.body.id}`)).body.status, 'closed');
});

test('audit: filter the log, export it as NDJSON, verify it (intact, then tampered)', async () => {
  await page.getByRole('link', { name: 'Audit' }).click();
  await page.getByLabel('Session').fill(sessionId);
  await page.getByLabel('Type').fill('PromptSubmitted');
  await page.getByRole('button', { name: 'Show events' }).click();
  await page.locator('table.events tbody tr').nth(3).waitFor();
  assert.equal(await page.locator('table.events tbody tr').count(), 4);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export NDJSON' }).click()]);
  const lines = readFileSync((await download.path())!, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 4);
  assert.deepEqual(lines.map((l) => l.data.turn), [1, 2, 3, 4]);
  assert.ok(lines.every((l) => l.stream === `session:${sessionId}` && /^[0-9a-f]{64}$/.test(l.hash)));

  await page.getByRole('button', { name: 'Verify log' }).click();
  await page.locator('[data-verify="ok"]').waitFor({ timeout: 30_000 });
  assert.match((await page.locator('[data-verify="ok"]').textContent())!, /Intact: \d+ events checked/);
  await screenshot(page, '08-audit');

  // someone with the database file rewrites what the agent said: verify names the first bad position
  const event = (await g.api('GET', `/api/v1/sessions/${sessionId}/events?type=PromptSubmitted&limit=1`)).body.events[0];
  const db = new Database(g.gw.config.store.path);
  db.prepare('UPDATE events SET data = replace(data, ?, ?) WHERE position = ?').run('hello from the console', 'hello from someone else', event.position);
  db.close();
  await page.getByRole('button', { name: 'Verify log' }).click();
  await page.locator('[data-verify="bad"]').waitFor({ timeout: 30_000 });
  assert.equal(Number(await page.locator('[data-first-bad]').textContent()), event.position);
  await screenshot(page, '09-audit-tampered');
});

test('thoughts, plans and usage: in the transcript, the session and the live list', async () => {
  const created = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
  const id = created.body.id as string;
  await page.goto(`${base}/ui#/sessions/${encodeURIComponent(id)}`);
  await page.locator('[data-stream-state="live"]').waitFor();
  await prompt('/think the console');
  await transcript().locator('li.thought', { hasText: 'thinking about: the console' }).waitFor();
  await transcript().locator('li.turn-end', { hasText: 'Turn 1 completed' }).waitFor();
  await prompt('/plan');
  await transcript().locator('li.plan li').nth(2).waitFor();
  await transcript().locator('li.turn-end', { hasText: 'Turn 2 completed' }).waitFor();
  await page.locator('.facts dd', { hasText: / in \/ \d+ out/ }).waitFor({ timeout: 10_000 });
  await screenshot(page, '10-session-plan');
  await page.getByRole('link', { name: 'Sessions' }).click();
  await page.locator(`tr[data-session="${id}"] td[data-label="Usage"]`, { hasText: / in \/ \d+ out/ }).waitFor();
  // closed from its own page: the prompt box goes, the transcript stays
  await page.goto(`${base}/ui#/sessions/${encodeURIComponent(id)}`);
  await page.getByRole('button', { name: 'Close session' }).click();
  await transcript().locator('li.notice', { hasText: 'session closed' }).waitFor();
  await page.getByText('it takes no more prompts').waitFor();
  assert.equal(await page.getByLabel('Prompt', { exact: true }).count(), 0);
});

test('usable at a phone width: no sideways scrolling, every page', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  const names = ['11-phone-sessions', '12-phone-session', '13-phone-approvals', '14-phone-audit', '16-phone-orchestrations', '17-phone-pipelines'];
  for (const [i, hash] of PAGES().entries()) {
    const name = names[i]!;
    await open(hash);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    assert.ok(overflow <= 0, `${hash} scrolls sideways by ${overflow}px`);
    await screenshot(page, name);
  }
});

test('contrast: every text at least WCAG AA against its background, on every page, in light and dark schemes', async () => {
  await page.setViewportSize({ width: 1280, height: 900 });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const hash of PAGES()) {
      await open(hash);
      if (hash === '#/audit') {
        await page.getByRole('button', { name: 'Show events' }).click();
        await page.locator('table.events tbody tr').first().waitFor();
      }
      assert.deepEqual(await page.evaluate<string[]>(LOW_CONTRAST), [], `${scheme} ${hash}`);
    }
    if (scheme === 'dark') await screenshot(page, '15-dark-audit');
  }
  await page.emulateMedia({ colorScheme: 'light' });
});

test('accessible markup on every page: every control has a name, one main landmark; no CSP violation, no token in any URL, message or log line', async () => {
  for (const hash of PAGES()) {
    await open(hash);
    assert.deepEqual(await page.evaluate<string[]>(UNNAMED_CONTROLS), [], hash);
    assert.equal(await page.locator('main').count(), 1, hash);
  }
  assert.deepEqual(consoleMessages.filter((m) => /Content Security Policy|pageerror/i.test(m)), []);
  assert.deepEqual(requested.filter((u) => u.includes(TOKEN)), []);
  assert.deepEqual(consoleMessages.filter((m) => m.includes(TOKEN)), []);
  assert.ok(gatewayLog.length > 0);
  assert.deepEqual(gatewayLog.filter((l) => l.includes(TOKEN) || l.includes('not-the-token-0123456789')), []);
});

/** The transcript holds each event of the session's log once: its count and cursor are the log's. */
async function assertTranscriptMatchesLog(): Promise<void> {
  const events = (await g.api('GET', `/api/v1/sessions/${sessionId}/events?limit=1000`)).body.events as { position: number; type: string; data: any }[];
  const last = events[events.length - 1]!.position;
  await page.locator(`ol.transcript[data-position="${last}"]`).waitFor();
  assert.equal(Number(await transcript().getAttribute('data-count')), events.length);
  // the slow turn's text: every chunk once, in order
  const slow = (await agentTexts()).find((t) => t.startsWith('slow 1/40'))!;
  const expected = Array.from({ length: 40 }, (_, i) => `slow ${i + 1}/40\n`).join('');
  assert.equal(slow, expected);
  const ended = events.find((e) => e.type === 'TurnEnded' && e.data.turn === 3)!;
  assert.equal(ended.data.text, expected);
}

