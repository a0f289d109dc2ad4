// Host and Origin allow-lists on every route, the WebSocket upgrade and /mcp: what a hostile web page can send to a
// gateway on loopback (DNS rebinding: `Host: rebind.evil`; a cross-site request or WebSocket: `Origin:
// http://evil.example`) is refused with 403 before the token is even looked at; a malformed Host is a 400, never a
// 500; a request without Origin (curl, SDKs) goes through. The lists are configurable (`server.allowed_hosts`,
// `server.allowed_origins`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { TOKEN, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { loadConfigText } from '../../src/config/index.js';
import { ConfigError } from '../../src/config/errors.js';
import { buildRequest, rawRequest } from './raw-http.js';

const AUTH: [string, string] = ['Authorization', `Bearer ${TOKEN}`];
const MCP_INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

function portOf(g: TestGateway): number {
  return Number(new URL(g.url).port);
}

/** One raw request: the status and, for an error, the code of the JSON body. */
async function ask(g: TestGateway, method: string, path: string, headers: [string, string][], body?: string) {
  const withLength: [string, string][] = body === undefined ? headers : [...headers, ['Content-Type', 'application/json'], ['Content-Length', String(Buffer.byteLength(body))]];
  const a = await rawRequest(portOf(g), buildRequest(method, path, [...withLength, ['Connection', 'close']], body));
  return a.status;
}

/** The error code of a fetch answer (fetch sets Host itself, so only Origin is varied this way). */
async function fetchCode(g: TestGateway, path: string, init: RequestInit): Promise<[number, string | undefined]> {
  const r = await fetch(g.url + path, init);
  const text = await r.text();
  return [r.status, text.startsWith('{') ? (JSON.parse(text) as { error?: { code: string } }).error?.code : undefined];
}

function wsStatus(url: string, options: WebSocket.ClientOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.on('error', (e) => reject(e));
  });
}

test('loopback by default: the gateway\'s own names pass, any other Host is 403 on every kind of route, malformed ones 400', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const port = portOf(g);
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
    assert.equal(await ask(g, 'GET', '/api/v1/agents', [['Host', host], AUTH]), 200, host);
    assert.equal(await ask(g, 'GET', '/health', [['Host', host]]), 200, host);
  }
  // DNS rebinding: the attacker's name resolves to 127.0.0.1, the browser sends it as Host; a valid token changes nothing
  for (const host of [`rebind.evil:${port}`, 'rebind.evil', `127.0.0.1:${port + 1}`, `localhost.evil.example:${port}`, '127.0.0.1']) {
    for (const [method, path, body] of [
      ['GET', '/api/v1/agents', undefined],
      ['POST', '/api/v1/sessions', '{"agent":"demo"}'],
      ['GET', '/health', undefined],
      ['GET', '/metrics', undefined],
      ['POST', '/mcp', MCP_INIT],
      ['GET', '/no/such/route', undefined],
    ] as const) {
      assert.equal(await ask(g, method, path, [['Host', host], AUTH], body), 403, `${host} ${method} ${path}`);
    }
  }
  const forbidden = await rawRequest(port, buildRequest('GET', '/api/v1/agents', [['Host', 'rebind.evil'], AUTH, ['Connection', 'close']]));
  assert.match(forbidden.head, /content-type: application\/json/i);
  // malformed, repeated: 400 invalid_host, never a 500
  for (const host of ['a b', '[::1', 'user@localhost', 'localhost/x', ':::', '%E0%A4%A', 'localhost:99999999', 'é.example']) {
    assert.equal(await ask(g, 'GET', '/api/v1/agents', [['Host', host], AUTH]), 400, host);
    assert.equal(await ask(g, 'POST', '/mcp', [['Host', host], AUTH], MCP_INIT), 400, host);
  }
  assert.equal(await ask(g, 'GET', '/api/v1/agents', [['Host', `127.0.0.1:${port}`], ['Host', 'rebind.evil'], AUTH]), 400, 'two Host headers');
  // the WebSocket upgrade checks Host too, before the token
  const upgrade: [string, string][] = [['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='], ['Sec-WebSocket-Version', '13'], AUTH];
  const wsRebind = await rawRequest(port, buildRequest('GET', '/api/v1/sessions/x/stream', [['Host', `rebind.evil:${port}`], ...upgrade]));
  assert.equal(wsRebind.status, 403);
  const wsBad = await rawRequest(port, buildRequest('GET', '/api/v1/sessions/x/stream', [['Host', 'a b'], ...upgrade]));
  assert.equal(wsBad.status, 400);
  assert.deepEqual((await g.api('GET', '/api/v1/sessions')).body, [], 'nothing was created');
});

test('Origin: none or the gateway\'s own passes; any other origin, or "null", is 403 forbidden_origin on REST, /mcp and the WebSocket', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const port = portOf(g);
  const headers = (origin?: string) => ({ authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...(origin ? { origin } : {}) });
  // no Origin: curl, SDKs, servers
  assert.deepEqual(await fetchCode(g, '/api/v1/agents', { headers: headers() }), [200, undefined]);
  for (const own of [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`]) {
    assert.deepEqual(await fetchCode(g, '/api/v1/agents', { headers: headers(own) }), [200, undefined], own);
  }
  for (const origin of ['http://evil.example', `http://localhost:${port + 1}`, `https://localhost:${port}`, 'null', 'file://', 'http://evil.example/path']) {
    assert.deepEqual(await fetchCode(g, '/api/v1/agents', { headers: headers(origin) }), [403, 'forbidden_origin'], origin);
    // the repro: /mcp accepted a foreign Origin (the MCP spec requires servers to validate it)
    assert.deepEqual(await fetchCode(g, '/mcp', { method: 'POST', headers: headers(origin), body: MCP_INIT }), [403, 'forbidden_origin'], `/mcp ${origin}`);
    assert.deepEqual(
      await fetchCode(g, '/api/v1/sessions', { method: 'POST', headers: headers(origin), body: '{"agent":"demo"}' }),
      [403, 'forbidden_origin'],
      `POST /sessions ${origin}`,
    );
  }
  assert.deepEqual((await g.api('GET', '/api/v1/sessions')).body, [], 'no session was created from a foreign origin');
  // a WebSocket has no CORS: the upgrade is where a hostile page gets in, and where it is refused
  const id = (await g.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id as string;
  const url = `ws://127.0.0.1:${port}/api/v1/sessions/${id}/stream?token=${TOKEN}`;
  assert.equal(await wsStatus(url, { origin: 'http://evil.example' }), 403);
  assert.equal(await wsStatus(url, { origin: `http://localhost:${port}` }), 101);
  assert.equal(await wsStatus(url, {}), 101, 'no Origin: not a browser');
});

test('server.allowed_hosts and server.allowed_origins add names; "*" accepts any; bad entries are config errors', async (t) => {
  const g = await startTestGateway({ server: { allowed_hosts: ['gw.example.com', 'GW2.example.com:8443'], allowed_origins: ['https://UI.example.com/'] } });
  t.after(() => g.dispose());
  const port = portOf(g);
  assert.equal(await ask(g, 'GET', '/api/v1/agents', [['Host', 'gw.example.com'], AUTH]), 200);
  assert.equal(await ask(g, 'GET', '/api/v1/agents', [['Host', 'gw2.example.com:8443'], AUTH]), 200);
  assert.equal(await ask(g, 'GET', '/api/v1/agents', [['Host', 'gw2.example.com'], AUTH]), 403, 'an entry with a port matches that port');
  assert.equal(await ask(g, 'GET', '/api/v1/agents', [['Host', `127.0.0.1:${port}`], AUTH]), 200, 'loopback still passes');
  assert.equal(await ask(g, 'GET', '/api/v1/agents', [['Host', `127.0.0.1:${port}`], ['Origin', 'https://ui.example.com'], AUTH]), 200);
  assert.equal(await ask(g, 'GET', '/api/v1/agents', [['Host', `127.0.0.1:${port}`], ['Origin', 'https://ui.example.com:443'], AUTH]), 200);
  assert.equal(await ask(g, 'GET', '/api/v1/agents', [['Host', `127.0.0.1:${port}`], ['Origin', 'http://ui.example.com'], AUTH]), 403);
  // the same lists, exact, for the MCP SDK's own DNS-rebinding check
  const sdk = g.gw.hostOrigin.sdkOptions();
  assert.equal(sdk.enableDnsRebindingProtection, true);
  assert.ok(sdk.allowedHosts?.includes('gw.example.com') && sdk.allowedHosts.includes(`localhost:${port}`));
  assert.ok(sdk.allowedOrigins?.includes('https://ui.example.com'));

  const open = await startTestGateway({ server: { allowed_hosts: ['*'], allowed_origins: ['*'] } });
  t.after(() => open.dispose());
  assert.equal(await ask(open, 'GET', '/api/v1/agents', [['Host', 'anything.example:1'], ['Origin', 'http://evil.example'], AUTH]), 200);
  assert.equal(await ask(open, 'GET', '/api/v1/agents', [['Host', 'a b'], AUTH]), 400, 'a malformed Host is still refused');

  for (const [key, value] of [
    ['allowed_hosts', 'http://gw.example.com'],
    ['allowed_hosts', 'gw.example.com/path'],
    ['allowed_origins', 'ui.example.com'],
    ['allowed_origins', 'https://ui.example.com/app'],
  ]) {
    assert.throws(
      () => loadConfigText(`server:\n  ${key}: ["${value}"]\n`, 'c.yaml', {}),
      (e: unknown) => e instanceof ConfigError && new RegExp(`server\\.${key}`).test(String((e as Error).message)),
      `${key}: ${value}`,
    );
  }
});
