// The network edge under malformed input, against a real `aintegrix serve` process: every route of the route table
// with every method, and the WebSocket upgrade, with malformed paths and escapes, odd query strings and odd headers
// (huge, duplicated, not ASCII, a malformed or missing Host, weird Content-Length), with and without a token, sent
// byte for byte over raw TCP. Whatever comes in: no answer is a 5xx, the process stays up, /health answers after.
// The inputs are fixed or drawn from a seeded generator, so every run sends the same requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoAgent, demoServerConfig, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { apiRoutes } from '../../src/gateway/routes.js';
import { buildRequest, pool, rawRequest, seeded, type RawAnswer } from './raw-http.js';

const TOKEN = 'fuzz-token-0123456789abcdef';
const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** The route table as the gateway mounts it (method and uWS pattern); the stub is only read for the list. */
function routeTable(): { method: string; path: string }[] {
  const stub = {
    config: { agents: {}, server: { metrics_public: true }, limits: {} },
    atShutdown: () => undefined,
    // the multi-agent kinds' routes are named by their services
    orchestrations: { collection: 'orchestrations', streamType: 'orchestration' },
    pipelines: { collection: 'pipelines', streamType: 'pipeline' },
  };
  return apiRoutes(stub as never, () => Promise.reject(new Error('not loaded'))).map((r) => ({ method: r.method, path: r.path }));
}

/** Path segments a client may send in place of `:id` / `:name`: malformed escapes, NUL, slashes, bytes, names. */
function segments(random: () => number): (string | Buffer)[] {
  const fixed: (string | Buffer)[] = [
    '%E0%A4%A', // truncated UTF-8 escape: decodeURIComponent throws
    '%',
    '%%',
    '%zz',
    '%00',
    'a%00b',
    '%2F',
    '%2e%2e',
    '..',
    '%C0%AF', // overlong UTF-8
    '%ED%A0%80', // a lone surrogate
    '%F4%90%80%80', // beyond U+10FFFF
    'x'.repeat(6000), // overlong
    `${'%41'.repeat(2000)}`,
    Buffer.from([0xff, 0xfe, 0x80, 0xc3]), // raw bytes that are not UTF-8
    Buffer.from('ünï😀', 'utf8'), // raw UTF-8
    '%F0%9F%98%80',
    'constructor',
    '__proto__',
    'toString',
  ];
  // Seeded random byte strings from 0x21-0xff, less `/ ? #`. Control bytes and spaces in a request line never reach
  // the gateway (uWS's parser stops reading the request), so they are sent once, apart, below.
  for (let i = 0; i < 6; i++) {
    const bytes = Array.from({ length: 1 + Math.floor(random() * 24) }, () => {
      const b = 0x21 + Math.floor(random() * (256 - 0x21));
      return b === 0x3f || b === 0x2f || b === 0x23 ? 0x25 : b;
    });
    fixed.push(Buffer.from(bytes));
  }
  return fixed;
}

const QUERIES = [
  '?%',
  '?%E0%A4%A=%E0%A4%A',
  '?after=%E0%A4%A',
  '?after=-1',
  '?after=1e999',
  `?after=${'9'.repeat(400)}`,
  '?limit=%00',
  '?=&&==&',
  '?token=%',
  `?token=${TOKEN}%`,
  '?type[]=x&type[]=y',
  '?since=%ZZ&until=nope',
  '?stream=%2F..%2F&after=0',
  '?follow=maybe',
  `?${'a=1&'.repeat(1500)}`,
];

function target(path: string, segment: string | Buffer, query = ''): Buffer {
  const parts = path.split(/(:[a-z]+)/).map((p) => (p.startsWith(':') ? segment : p));
  return Buffer.concat([...parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)), Buffer.from(query, 'latin1')]);
}

function writeConfig(dir: string): string {
  return demoServerConfig(dir, {
    token: TOKEN,
    agents: { demo: demoAgent(dir, { max_sessions: 50 }) },
    store: { durability: 'fast' },
    // the fuzz must reach the handlers, not the rate limiter
    extra: { limits: { rate: { requests_per_second: 100000, burst: 100000 } } },
  });
}

interface Sent {
  what: string;
  answer: RawAnswer;
}

test('malformed paths, queries and headers on every route and on the WebSocket upgrade: no 5xx, the process stays up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-fuzz-'));
  let server: ServerProcess | undefined;
  t.after(() => {
    server?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  // with a webhook secret, so the webhook route (open to callers without a token) meets the fuzz too, not a 503
  server = await startServerProcess(['--config', writeConfig(dir)], { AINTEGRIX_WEBHOOK_SECRET: 'fuzz-webhook-secret-0123456789' });
  const port = Number(new URL(server.url).port);
  const host = `127.0.0.1:${port}`;
  const random = seeded(16);
  const routes = routeTable();
  assert.ok(routes.length >= 20, `the route table has ${routes.length} routes`);
  const segs = segments(random);
  const auth: [string, string][][] = [[], [['Authorization', `Bearer ${TOKEN}`]]];
  const tasks: (() => Promise<Sent>)[] = [];
  const send = (what: string, bytes: Buffer) => tasks.push(async () => ({ what, answer: await rawRequest(port, bytes) }));
  const upgrade = (extra: [string, string][] = []): [string, string][] => [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', WS_KEY],
    ['Sec-WebSocket-Version', '13'],
    ...extra,
  ];

  // 1. every route, every method of the table, each malformed segment, with and without a token
  for (const r of routes) {
    const withParam = r.path.includes(':');
    for (const seg of withParam ? segs : ['']) {
      for (const a of auth) {
        const headers: [string, string][] = [['Host', host], ['Connection', 'close'], ['Content-Length', '2'], ...a];
        send(`${r.method} ${r.path} [${String(seg).slice(0, 20)}] auth=${a.length > 0}`, buildRequest(r.method, target(r.path, seg), headers, '{}'));
      }
    }
    // and odd query strings on each route, with a token (without one they stop at auth)
    for (const q of QUERIES) {
      const headers: [string, string][] = [['Host', host], ['Connection', 'close'], ['Content-Length', '2'], ...auth[1]!];
      send(`${r.method} ${r.path}${q.slice(0, 30)}`, buildRequest(r.method, target(r.path, 'x', q), headers, '{}'));
    }
  }
  // 2. the WebSocket upgrade: each segment and query, with and without a token (header or ?token=)
  for (const seg of segs) {
    for (const a of auth) send(`WS [${String(seg).slice(0, 20)}] auth=${a.length > 0}`, buildRequest('GET', target('/api/v1/sessions/:id/stream', seg), [['Host', host], ...upgrade(a)]));
    send(`WS [${String(seg).slice(0, 20)}] ?token`, buildRequest('GET', target('/api/v1/sessions/:id/stream', seg, `?token=${TOKEN}`), [['Host', host], ...upgrade()]));
  }
  for (const q of QUERIES) {
    send(`WS ${q.slice(0, 30)}`, buildRequest('GET', target('/api/v1/sessions/:id/stream', 'x', q), [['Host', host], ...upgrade(auth[1])]));
  }
  // 3. odd headers, on a protected route, the upgrade, /mcp and /health
  const oddHeaders: [string, [string, string][]][] = [
    ['huge header', [['Host', host], ['X-Big', 'a'.repeat(64 * 1024)]]],
    ['many headers', [['Host', host], ...Array.from({ length: 200 }, (_, i): [string, string] => [`X-H${i}`, 'v'])]],
    ['duplicated Host', [['Host', host], ['Host', 'evil.example']]],
    ['duplicated Authorization', [['Host', host], ['Authorization', 'Bearer nope'], ['Authorization', `Bearer ${TOKEN}`]]],
    ['non-ASCII header value', [['Host', host], ['X-Name', '\xff\xfe\xe9\x80']]],
    ['non-ASCII Authorization', [['Host', host], ['Authorization', 'Bearer \xff\xfe\xe9']]],
    ['non-ASCII Host', [['Host', '\xe9vil\xff:1']]],
    ['empty Host', [['Host', '']]],
    ['missing Host', []],
    ['Host with spaces', [['Host', 'a b c']]],
    ['Host with a path', [['Host', 'localhost/../x']]],
    ['Host bracket', [['Host', '[::1']]],
    ['Host colons', [['Host', ':::']]],
    ['Host bad port', [['Host', 'localhost:99999999999']]],
    ['Host userinfo', [['Host', 'user@localhost']]],
    ['Host %', [['Host', '%E0%A4%A']]],
    ['Content-Length -1', [['Host', host], ['Content-Length', '-1']]],
    ['Content-Length abc', [['Host', host], ['Content-Length', 'abc']]],
    ['Content-Length huge', [['Host', host], ['Content-Length', '99999999999999999999999']]],
    ['Content-Length twice', [['Host', host], ['Content-Length', '2'], ['Content-Length', '5']]],
    ['Content-Length and chunked', [['Host', host], ['Content-Length', '2'], ['Transfer-Encoding', 'chunked']]],
    ['bad chunked', [['Host', host], ['Transfer-Encoding', 'chunked']]],
    ['Origin odd', [['Host', host], ['Origin', '%E0%A4%A']]],
    ['Origin null', [['Host', host], ['Origin', 'null']]],
    ['Mcp-Session-Id odd', [['Host', host], ['Mcp-Session-Id', '%E0%A4%A\xff']]],
    ['x-request-id odd', [['Host', host], ['X-Request-Id', '\xff'.repeat(100)]]],
    ['Accept SSE', [['Host', host], ['Accept', 'text/event-stream']]],
    ['Last-Event-ID odd', [['Host', host], ['Accept', 'text/event-stream'], ['Last-Event-ID', '%E0\xff']]],
  ];
  const headerTargets: [string, string][] = [
    ['POST', '/api/v1/sessions'],
    ['GET', '/api/v1/sessions/x/events'],
    ['POST', '/mcp'],
    ['GET', '/mcp'],
    ['GET', '/health'],
    ['GET', '/nowhere/%E0%A4%A'],
  ];
  for (const [name, headers] of oddHeaders) {
    for (const a of auth) {
      for (const [method, path] of headerTargets) {
        send(`${name} ${method} ${path} auth=${a.length > 0}`, buildRequest(method, path, [...headers, ['Connection', 'close'], ...a], '{}'));
      }
      send(`${name} WS auth=${a.length > 0}`, buildRequest('GET', '/api/v1/sessions/%E0%A4%A/stream', [...headers, ...upgrade(a)]));
    }
  }
  // 4. odd upgrade headers
  for (const [name, extra] of [
    ['no key', [['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Version', '13']]],
    ['bad version', [['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Key', WS_KEY], ['Sec-WebSocket-Version', '99']]],
    ['odd protocol', upgrade([['Sec-WebSocket-Protocol', '\xff, , ,']])],
    ['odd extensions', upgrade([['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits=99; \xff']])],
  ] as [string, [string, string][]][]) {
    send(`WS ${name}`, buildRequest('GET', '/api/v1/sessions/x/stream', [['Host', host], ...extra, ...auth[1]!]));
  }

  // 5. control bytes in the request line: uWS reads no further (no answer, the connection waits); nothing breaks
  for (const b of [0x00, 0x01, 0x7f]) {
    tasks.push(async () => ({ what: `raw byte ${b}`, answer: await rawRequest(port, buildRequest('GET', target('/api/v1/sessions/:id', Buffer.from([0x41, b])), [['Host', host]]), 500) }));
  }

  assert.ok(tasks.length < 3000, `bounded: ${tasks.length} requests`);
  const sent = await pool(tasks, 8);

  const fivexx = sent.filter((s) => s.answer.status !== undefined && s.answer.status >= 500 && s.answer.status !== 501);
  assert.deepEqual(
    fivexx.map((s) => `${s.what} → ${s.answer.status}`),
    [],
    'no malformed request gets a 5xx (501 is the planned routes answering as documented)',
  );
  assert.equal(server.child.exitCode, null, `the gateway is alive\n${server.stderr().slice(-3000)}`);
  assert.equal(server.child.signalCode, null);
  assert.equal((await fetch(`${server.url}/health`)).status, 200, '/health answers after the fuzz');
  const answered = sent.filter((s) => s.answer.status !== undefined).length;
  assert.ok(answered > sent.length * 0.9, `most requests got an answer (${answered} of ${sent.length})`);
  assert.doesNotMatch(server.stderr(), /request handler threw|uWS callback threw|fatal/, 'no handler threw');
  // the upgrade that used to end the process, once more, now that everything else went through
  const crash = await rawRequest(port, buildRequest('GET', '/api/v1/sessions/%E0%A4%A/stream', [['Host', host], ...upgrade()]));
  assert.equal(crash.status, 401, 'the anonymous upgrade is refused before its path is parsed');
  const authed = await rawRequest(port, buildRequest('GET', '/api/v1/sessions/%E0%A4%A/stream', [['Host', host], ...upgrade(auth[1])]));
  assert.equal(authed.status, 400);
  assert.equal((await fetch(`${server.url}/health`)).status, 200);
  assert.equal(await server.stop(), 0, 'and it still shuts down cleanly');
});
