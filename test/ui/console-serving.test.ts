// How the gateway serves the web console: /ui without a token, a strict CSP (no inline script), correct content
// types, hashed assets cached for good and the page revalidated (ETag, 304), the Host/Origin checks as everywhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { buildConsole } from '../helpers/browser.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { CONSOLE_CSP } from '../../src/ui/console-routes.js';

let g: TestGateway;

before(async () => {
  buildConsole();
  g = await startTestGateway();
});
after(() => g.dispose());

test('the page: no token needed, HTML, a strict CSP, revalidated on every load', async () => {
  for (const path of ['/ui', '/ui/']) {
    const r = await fetch(`${g.url}${path}`);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(r.headers.get('content-security-policy'), CONSOLE_CSP);
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    const html = await r.text();
    // every script is a file of the gateway's: no inline script, which the CSP would refuse anyway
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
    assert.match(html, /<script type="module" src="\/ui\/assets\/app-[A-Z0-9]+\.js"><\/script>/);
    const again = await fetch(`${g.url}${path}`, { headers: { 'if-none-match': r.headers.get('etag')! } });
    assert.equal(again.status, 304);
  }
  assert.match(CONSOLE_CSP, /script-src 'self'(;|$)/);
  assert.doesNotMatch(CONSOLE_CSP, /unsafe-inline|unsafe-eval/);
  assert.match(CONSOLE_CSP, /connect-src 'self'/);
  assert.match(CONSOLE_CSP, /form-action 'none'/);
});

test('the assets: their content types, cached for good; an unknown one is 404', async () => {
  const html = await (await fetch(`${g.url}/ui`)).text();
  const js = html.match(/src="(\/ui\/assets\/[^"]+\.js)"/)![1]!;
  const css = html.match(/href="(\/ui\/assets\/[^"]+\.css)"/)![1]!;
  const rj = await fetch(`${g.url}${js}`);
  assert.equal(rj.status, 200);
  assert.equal(rj.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(rj.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.ok((await rj.text()).length > 1000);
  const rc = await fetch(`${g.url}${css}`);
  assert.equal(rc.headers.get('content-type'), 'text/css; charset=utf-8');
  const missing = await fetch(`${g.url}/ui/assets/app-NOPE.js`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'not_found');
  const traversal = await fetch(`${g.url}/ui/assets/..%2f..%2fpackage.json`);
  assert.equal(traversal.status, 404);
});

test('the Host and Origin allow-lists hold for the console too', async () => {
  const { request } = await import('node:http');
  const status = (headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const u = new URL(`${g.url}/ui`);
      request({ host: u.hostname, port: u.port, path: '/ui', headers }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      })
        .on('error', reject)
        .end();
    });
  assert.equal(await status({ host: 'evil.example' }), 403);
  assert.equal(await status({ host: new URL(g.url).host, origin: 'http://evil.example' }), 403);
  assert.equal(await status({ host: new URL(g.url).host }), 200);
});

test("the console's type-check reads no Node types: the client's types come from modules of schemas only", () => {
  // A type-only import of a server module would still pull the server (and @types/node, whose globals would then
  // type-check in browser code) into the console's tsconfig, which gives it the DOM's types only.
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const files = execFileSync(process.execPath, [tsc, '-p', 'src/ui/client/tsconfig.json', '--listFilesOnly'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  assert.ok(files.some((f) => f.endsWith('src/client/client.ts')), 'the console type-checks the client it uses');
  assert.deepEqual(files.filter((f) => f.includes('/@types/node/')), []);
});
