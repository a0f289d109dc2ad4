// Headless Chromium for the web console's tests: Debian's `chromium` (scripts/ensure-system-packages.sh installs it
// for `make test` when run as root), driven by playwright-core over CDP. Without it the tests fail, saying how to
// install it: they never skip. Screenshots go to test-output/screenshots/, which CI keeps.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from './paths.js';
import { CONSOLE_DIR } from '../../src/ui/console-assets.js';

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-output', 'screenshots');

/** The Chromium to run: $CHROMIUM_PATH, else Debian's. Throws (the test fails) when there is none. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `Chromium is missing (looked for ${candidates.join(', ')}): the web console's browser tests need it. ` +
        'Install it with `apt-get install -y chromium` (make test does so when run as root), or set CHROMIUM_PATH.',
    );
  }
  return found;
}

export async function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's own sandbox cannot start
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/**
 * Build the console from its sources (as `make build` does) into the folder the gateway serves it from, so the
 * browser runs what the sources say.
 */
export function buildConsole(): void {
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build-console.mjs'), '--quiet', '--out', CONSOLE_DIR], { cwd: REPO_ROOT, stdio: 'inherit' });
}

/** Open the console of the gateway at `url` and sign in with `token` (typed, then Enter): the Sessions page shows. */
export async function signedIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/ui`);
  await page.getByLabel('API token').fill(token);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Sessions', exact: true }).waitFor();
}

/**
 * Browser-side (for page.evaluate): the form controls with no accessible name (no label, aria-label or text), as
 * the start of their HTML.
 */
export const UNNAMED_CONTROLS = `[...document.querySelectorAll('input, select, textarea, button')]
  .filter((e) => !(e.labels && e.labels.length > 0) && !e.getAttribute('aria-label') && !(e.textContent || '').trim())
  .map((e) => e.outerHTML.slice(0, 80))`;

const taken: string[] = [];

/** A full-page screenshot under test-output/screenshots/NAME.png; the path is listed at the end of the run. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  taken.push(path);
  return path;
}

export function screenshotsTaken(): readonly string[] {
  return taken;
}
