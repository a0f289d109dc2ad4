// The console's orchestrations page in a real browser: a jury run started from the form, its candidates side by
// side with their answers and sessions, the winner and the judge's verdict.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, TOKEN, type TestGateway } from '../helpers/gateway.js';
import { buildConsole, launchChromium, screenshot, signedIn } from '../helpers/browser.js';
import { LOW_CONTRAST } from '../helpers/contrast.js';

let g: TestGateway;
let browser: Browser;
let page: Page;

before(async () => {
  buildConsole();
  browser = await launchChromium();
  g = await startTestGateway({
    agents: {
      demo: {},
      alpha: { prompt_prefix: 'alpha says' },
      beta: { prompt_prefix: 'beta says' },
      'judge-beta': { prompt_prefix: '/verdict prefer=beta' },
    },
  });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signedIn(page, g.url, TOKEN);
});

after(async () => {
  await browser?.close();
  await g?.dispose();
});

test('a jury run from the form: candidates side by side, the winner, the verdict', async () => {
  await page.getByRole('link', { name: 'Orchestrations' }).click();
  await page.getByLabel('Agents').fill('alpha beta');
  await page.getByLabel('Strategy').selectOption('jury');
  await page.getByLabel('Judge').selectOption('judge-beta');
  await page.getByLabel('Prompt').fill('write a haiku');
  await page.getByRole('button', { name: 'Run' }).click();
  await page.waitForURL(/#\/orchestrations\/.+/, { timeout: 60_000 });
  const candidates = page.locator('section.candidate');
  await candidates.nth(1).waitFor();
  assert.equal(await candidates.count(), 2);
  const [a, b] = [await candidates.nth(0).boundingBox(), await candidates.nth(1).boundingBox()];
  assert.equal(Math.round(a!.y), Math.round(b!.y), 'side by side: the same row');
  assert.ok(a!.x < b!.x);
  const winner = page.locator('section.candidate.winner');
  await winner.waitFor();
  assert.match((await winner.textContent())!, /beta/);
  assert.match((await page.locator('section.verdict').textContent())!, /Winner/);
  for (const c of await candidates.all()) assert.ok(await c.getByRole('link', { name: /session / }).count());
  await screenshot(page, '20-orchestration');
  assert.deepEqual(await page.evaluate<string[]>(LOW_CONTRAST), []);
  // at a phone's width the candidates stack, with no sideways scrolling
  await page.setViewportSize({ width: 390, height: 844 });
  const [a2, b2] = [await candidates.nth(0).boundingBox(), await candidates.nth(1).boundingBox()];
  assert.ok(b2!.y > a2!.y);
  assert.ok((await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')) <= 0);
  await screenshot(page, '20-phone-orchestration');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole('link', { name: 'Orchestrations' }).click();
  await page.locator('table.orchestrations tbody tr').first().filter({ hasText: 'jury' }).waitFor();
  await screenshot(page, '21-orchestrations');
});

test('a running orchestration whose candidate is slow is cancelled with the Cancel button', async () => {
  const waiting = new AbortController();
  const started = fetch(`${g.url}/api/v1/orchestrate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ agents: ['demo'], strategy: 'parallel', messages: [{ type: 'text', text: '/slow 120' }] }),
    signal: waiting.signal,
  }).catch(() => undefined);
  let id: string | undefined;
  for (let i = 0; i < 200 && !id; i++) {
    id = ((await g.api('GET', '/api/v1/orchestrations')).body as { id: string; status: string }[]).find((o) => o.status === 'running')?.id;
    if (!id) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(id, 'a running orchestration');
  await page.goto(`${g.url}/ui#/orchestrations/${encodeURIComponent(id)}`);
  const cancel = page.getByRole('button', { name: 'Cancel' });
  await cancel.waitFor({ timeout: 30_000 });
  await cancel.click();
  // deleted, it is gone (404): the page goes back to the list, where it is no more
  await page.waitForURL(/#\/orchestrations$/, { timeout: 30_000 });
  await page.getByRole('heading', { name: 'Orchestrations', exact: true }).waitFor();
  assert.equal(((await g.api('GET', `/api/v1/orchestrations/${id}`)).status), 404);
  assert.equal(await page.locator(`[data-orchestration="${id}"]`).count(), 0);
  waiting.abort();
  await started;
  await screenshot(page, '17-orchestration-cancelled');
});
