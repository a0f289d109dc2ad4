// The console's pipelines page in a real browser: a pipeline of two steps on the bundled demo agent started from the
// form (with the keyboard alone), its run page with both steps in order, their answers and sessions; the live list;
// a bad template refused with the gateway's message; the page at a phone's width, its contrast and control names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, TOKEN, type TestGateway } from '../helpers/gateway.js';
import { buildConsole, launchChromium, screenshot, signedIn, UNNAMED_CONTROLS } from '../helpers/browser.js';
import { LOW_CONTRAST } from '../helpers/contrast.js';

let g: TestGateway;
let browser: Browser;
let page: Page;
const requested: string[] = [];
const messages: string[] = [];

before(async () => {
  buildConsole();
  browser = await launchChromium();
  g = await startTestGateway();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on('request', (r) => requested.push(r.url()));
  page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
  await signedIn(page, g.url, TOKEN);
});

after(async () => {
  await browser?.close();
  await g?.dispose();
});

test('a pipeline of two steps from the form: its run page shows both steps in order with their answers and sessions', async () => {
  await page.getByRole('link', { name: 'Pipelines' }).click();
  await page.getByRole('heading', { name: 'Pipelines', exact: true }).waitFor();
  // the keyboard alone: type into the fields, Tab to the button, Enter
  await page.getByLabel('Steps').focus();
  await page.keyboard.type('demo');
  await page.keyboard.press('Enter');
  await page.keyboard.type('demo: second {{previous}}');
  await page.getByLabel('Input').focus();
  await page.keyboard.type('hello');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate('document.activeElement.textContent'), 'Run');
  await page.keyboard.press('Enter');

  await page.waitForURL(/#\/pipelines\/.+/, { timeout: 60_000 });
  const id = decodeURIComponent(new URL(page.url()).hash.replace('#/pipelines/', ''));
  const steps = page.locator('ol.steps li.step');
  await page.locator('ol.steps li.step[data-step="2"] .badge-completed').waitFor({ timeout: 60_000 });
  assert.equal(await steps.count(), 2);
  assert.deepEqual(await steps.locator('h3').allTextContents(), ['Step 1 · demo', 'Step 2 · demo']);
  assert.deepEqual(await steps.locator('.text').allTextContents(), ['echo: hello', 'echo: second echo: hello']);
  assert.match((await page.locator('dl.facts').textContent())!, /completed.*2 \/ 2/s);

  // each step's session, linked: it holds the step's turn
  const run = (await g.api('GET', `/api/v1/pipelines/${id}`)).body as { results: { session_id: string }[] };
  for (const [i, r] of run.results.entries()) {
    assert.equal(await steps.nth(i).getByRole('link', { name: `session ${r.session_id}` }).count(), 1);
  }
  await screenshot(page, '22-pipeline');
  assert.deepEqual(await page.evaluate<string[]>(LOW_CONTRAST), []);

  await steps.nth(1).getByRole('link', { name: /^session / }).click();
  await page.locator('ol.transcript li.agent .text', { hasText: 'echo: second echo: hello' }).waitFor();

  // the list: the run, its status and its steps
  await page.getByRole('link', { name: 'Pipelines' }).click();
  const row = page.locator(`table.pipelines tr[data-pipeline="${id}"]`);
  await row.waitFor();
  assert.match((await row.textContent())!, /completed.*2 \/ 2: demo → demo/s);
  await screenshot(page, '23-pipelines');
});

test('a bad template is refused with the gateway\'s message, and no run starts', async () => {
  const before = ((await g.api('GET', '/api/v1/pipelines')).body as unknown[]).length;
  await page.getByLabel('Steps').fill('demo\ndemo: {{steps.3.text}}');
  await page.getByLabel('Input').fill('x');
  await page.getByRole('button', { name: 'Run' }).click();
  const alert = page.locator('form.create [role="alert"]');
  await alert.waitFor();
  assert.match((await alert.textContent())!, /unknown placeholder '\{\{steps\.3\.text\}\}'.*\(unknown_placeholder\)/);
  assert.equal(((await g.api('GET', '/api/v1/pipelines')).body as unknown[]).length, before);
});

test('the pipelines pages at a phone width, with named controls and no token in any URL or message', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  const id = ((await g.api('GET', '/api/v1/pipelines')).body as { id: string }[])[0]!.id;
  for (const [hash, name] of [
    ['#/pipelines', '24-phone-pipelines'],
    [`#/pipelines/${encodeURIComponent(id)}`, '25-phone-pipeline'],
  ] as const) {
    await page.goto(`${g.url}/ui${hash}`);
    await page.locator('main h1').waitFor();
    if (hash.includes(id)) await page.locator('ol.steps li.step').nth(1).waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    assert.ok(overflow <= 0, `${hash} scrolls sideways by ${overflow}px`);
    await screenshot(page, name);
  }
  await page.goto(`${g.url}/ui#/pipelines`);
  await page.getByLabel('Steps').waitFor();
  assert.deepEqual(await page.evaluate<string[]>(UNNAMED_CONTROLS), []);
  assert.deepEqual(messages.filter((m) => /Content Security Policy|pageerror/i.test(m)), []);
  assert.deepEqual(requested.filter((u) => u.includes(TOKEN)), []);
  assert.deepEqual(messages.filter((m) => m.includes(TOKEN)), []);
});

test('a running pipeline whose step is slow is cancelled with the Cancel button: the run is deleted, the button gone', async () => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${g.url}/ui#/pipelines`);
  await page.getByLabel('Steps').fill('demo: /slow 120');
  await page.getByLabel('Input').fill('x');
  await page.getByRole('button', { name: 'Run' }).click();
  await page.waitForURL(/#\/pipelines\/.+/, { timeout: 60_000 });
  const id = decodeURIComponent(new URL(page.url()).hash.replace('#/pipelines/', ''));
  const cancel = page.getByRole('button', { name: 'Cancel' });
  await cancel.waitFor({ timeout: 30_000 });
  await cancel.click();
  await page.locator('dl.facts', { hasText: '(deleted)' }).waitFor({ timeout: 30_000 });
  assert.equal(await cancel.count(), 0);
  assert.equal(((await g.api('GET', `/api/v1/pipelines/${id}`)).body as { deleted?: boolean }).deleted, true);
  await screenshot(page, '26-pipeline-cancelled');
});

test('the reviews page: its empty state from the nav, an unknown review\'s error, at a phone width too', async () => {
  await page.goto(`${g.url}/ui#/sessions`);
  await page.getByRole('link', { name: 'Reviews' }).click();
  await page.getByRole('heading', { name: 'Reviews', exact: true }).waitFor();
  await page.getByText('No reviews yet').waitFor();
  assert.equal(await page.locator('table.reviews tbody tr').count(), 0);
  await screenshot(page, '27-reviews-empty');
  await page.goto(`${g.url}/ui#/reviews/rv_nope`);
  await page.locator('main [role="alert"]', { hasText: 'review_not_found' }).waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${g.url}/ui#/reviews`);
  await page.getByText('No reviews yet').waitFor();
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  assert.ok(overflow <= 0, `#/reviews scrolls sideways by ${overflow}px`);
  assert.deepEqual(await page.evaluate<string[]>(LOW_CONTRAST), []);
  await screenshot(page, '28-phone-reviews');
});
