// Auth on every /api route, and bad input: each gets a clear 4xx, changes nothing, and never takes the server down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { OTHER_TOKEN, TOKEN, startTestGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/poll.js';

test('auth: no token, wrong token, lower-case bearer, token in a query, other schemes → 401 JSON; open routes stay open', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const url = g.url;
  const cases: [string, Record<string, string>][] = [
    ['/api/v1/agents', {}],
    ['/api/v1/agents', { authorization: 'Bearer wrong-token-0123456789abcdef' }],
    ['/api/v1/agents', { authorization: `bearer ${TOKEN}` }],
    ['/api/v1/agents', { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }],
    ['/api/v1/agents', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ['/api/v1/agents', { authorization: `Bearer ${TOKEN}x` }],
    ['/api/v1/agents', { authorization: 'Bearer ' }],
    [`/api/v1/agents?token=${TOKEN}`, {}],
    [`/api/v1/agents?access_token=${TOKEN}`, {}],
    ['/api/v1/sessions', {}],
  ];
  for (const [path, headers] of cases) {
    const r = await fetch(url + path, { headers });
    assert.equal(r.status, 401, `${path} ${JSON.stringify(headers)}`);
    assert.equal(r.headers.get('content-type'), 'application/json');
    const body = (await r.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'unauthorized');
  }
  for (const token of [TOKEN, OTHER_TOKEN]) {
    assert.equal((await fetch(`${url}/api/v1/agents`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  }
  const bucket = await startTestGateway({ limits: { rate: { requests_per_second: 1, burst: 3 } } });
  t.after(() => bucket.dispose());
  const codes = [];
  for (let i = 0; i < 5; i++) codes.push((await bucket.api('GET', '/api/v1/agents')).status);
  assert.deepEqual(codes, [200, 200, 200, 429, 429], 'a token over its rate gets 429');
  const limited = await bucket.api('GET', '/api/v1/agents');
  assert.equal(limited.body.error.code, 'rate_limited');
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  assert.equal((await bucket.api('GET', '/api/v1/agents', undefined, { token: OTHER_TOKEN })).status, 200, 'buckets are per token');
  assert.equal((await fetch(`${url}/health`)).status, 200);
  assert.equal((await fetch(`${url}/readiness`)).status, 200);
  const write = await fetch(`${url}/api/v1/sessions`, { method: 'POST', body: '{"agent":"demo"}' });
  assert.equal(write.status, 401);
  assert.equal(g.gw.store.headPosition(), 0, 'an unauthenticated request started nothing');
});

test('bad input: invalid JSON, wrong types, oversized bodies, unknown routes, wrong methods', async (t) => {
  const g = await startTestGateway({ limits: { max_body_bytes: 4096 } });
  t.after(() => g.dispose());
  const s = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
  const id = s.body.id;
  const head = g.gw.store.headPosition();

  const badJson = await g.api('POST', `/api/v1/sessions/${id}/prompt`, undefined, { raw: '{"messages": [' });
  assert.equal(badJson.status, 400);
  assert.equal(badJson.body.error.code, 'invalid_json');

  const wrong = await g.api('POST', `/api/v1/sessions/${id}/prompt`, { messages: [{ type: 'text', text: 5 }] });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.error.code, 'invalid_request');
  assert.match(wrong.body.error.message, /messages/);

  const empty = await g.api('POST', `/api/v1/sessions/${id}/prompt`, { messages: [] });
  assert.equal(empty.status, 400);
  assert.match(empty.body.error.message, /messages/);

  const noBody = await g.api('POST', `/api/v1/sessions/${id}/prompt`);
  assert.equal(noBody.status, 400);

  const big = await g.api('POST', `/api/v1/sessions/${id}/prompt`, { messages: [{ type: 'text', text: 'x'.repeat(10_000) }] });
  assert.equal(big.status, 413);
  assert.equal(big.body.error.code, 'payload_too_large');

  const unknownSession = await g.api('POST', '/api/v1/sessions/fake_id/prompt', { messages: [{ type: 'text', text: 'x' }] });
  assert.equal(unknownSession.status, 404);
  assert.equal(unknownSession.body.error.code, 'session_not_found');
  assert.equal((await g.api('DELETE', '/api/v1/sessions/fake_id')).status, 404);
  assert.equal((await g.api('GET', '/api/v1/sessions/fake_id')).status, 404);

  const unknownRoute = await g.api('GET', '/api/v1/nothing-here');
  assert.equal(unknownRoute.status, 404);
  assert.equal(unknownRoute.body.error.code, 'not_found');
  const wrongMethod = await g.api('PUT', '/api/v1/sessions');
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.body.error.code, 'method_not_allowed');
  assert.match(wrongMethod.headers.get('allow') ?? '', /GET/);

  const image = await g.api('POST', `/api/v1/sessions/${id}/prompt`, { messages: [{ type: 'image', data: 'AAAA', mimeType: 'image/png' }] });
  assert.equal(image.status, 400);
  assert.equal(image.body.error.code, 'unsupported_content', 'the demo agent does not accept images');

  assert.equal(g.gw.store.headPosition(), head, 'no rejected request left anything in the log');
  const ok = await g.api('POST', `/api/v1/sessions/${id}/prompt`, { messages: [{ type: 'text', text: 'still fine' }] });
  assert.equal(ok.body.text, 'echo: still fine');
});

test('1 000 malformed requests get 4xx and the server still answers /health', async (t) => {
  const g = await startTestGateway({ limits: { max_body_bytes: 8192, rate: { requests_per_second: 100000, burst: 100000 } } });
  t.after(() => g.dispose());
  const s = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
  const port = Number(new URL(g.url).port);
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const bodies = [
    () => Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 300) }, () => Math.floor(rand() * 256))),
    () => Buffer.from('{"messages": [{"type": "text", "te'),
    () => Buffer.from(JSON.stringify({ messages: 'not-an-array' })),
    () => Buffer.from(JSON.stringify({ messages: [{ type: 'text', text: { nested: true } }] })),
    () => Buffer.from(JSON.stringify({ agent: ['demo'] })),
    () => Buffer.from('null'),
    () => Buffer.from('[]'),
    () => Buffer.from('"just a string"'),
    () => Buffer.from('x'.repeat(20_000)),
  ];
  const paths = [`/api/v1/sessions/${s.body.id}/prompt`, '/api/v1/sessions', `/api/v1/approvals/ap_nope`, `/api/v1/sessions/${s.body.id}/model`];
  let fourxx = 0;
  const statuses = new Map<number, number>();
  for (let i = 0; i < 1000; i++) {
    const body = bodies[i % bodies.length]!();
    const path = paths[i % paths.length]!;
    if (i % 50 === 49) {
      // raw socket, 64 KiB of headers → 431
      const status = await rawRequest(port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 400 && status < 500) fourxx++;
      continue;
    }
    const r = await fetch(g.url + path, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body });
    await r.arrayBuffer();
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    if (r.status >= 400 && r.status < 500) fourxx++;
  }
  assert.equal(fourxx, 1000, `every malformed request got a 4xx: ${JSON.stringify([...statuses])}`);
  assert.equal((await fetch(`${g.url}/health`)).status, 200);
  const ok = await g.api('POST', `/api/v1/sessions/${s.body.id}/prompt`, { messages: [{ type: 'text', text: 'alive' }] });
  assert.equal(ok.body.text, 'echo: alive');
});

test('clients that leave mid-body and mid-turn: the server stays up, the turn ends, the session goes on', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const s = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
  const id = s.body.id as string;
  const port = Number(new URL(g.url).port);
  const leave = (text: string, afterMs: number) =>
    new Promise<void>((resolve) => {
      const sock = net.connect(port, '127.0.0.1', () => {
        sock.write(text);
        setTimeout(() => {
          sock.destroy();
          resolve();
        }, afterMs);
      });
      sock.on('error', () => undefined);
    });
  const head = (len: number) => `POST /api/v1/sessions/${id}/prompt HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${len}\r\n\r\n`;
  // half a body, then gone: the body reader is abandoned, nothing is appended
  await leave(head(1000) + '{"messages": [', 100);
  // a whole prompt (a slow turn), then gone while it runs: the turn still ends, in the log
  const body = JSON.stringify({ messages: [{ type: 'text', text: '/slow 0.5' }] });
  await leave(head(Buffer.byteLength(body)) + body, 150);
  assert.equal((await fetch(`${g.url}/health`)).status, 200);
  const turns = await eventually(async () => {
    const r = await g.api('GET', `/api/v1/sessions/${id}/events?limit=1000`);
    const ended = (r.body.events as Array<{ type: string }>).filter((e) => e.type === 'TurnEnded');
    return ended.length === 1 ? ended : null;
  }, 10_000, 'the abandoned turn to end');
  assert.equal(turns.length, 1);
  const next = await g.api('POST', `/api/v1/sessions/${id}/prompt`, { messages: [{ type: 'text', text: 'still here' }] });
  assert.equal(next.status, 200);
  assert.equal(next.body.text, 'echo: still here');
  assert.equal(next.body.turn, 2, 'the half body appended no prompt');
});

/** Send raw bytes; the status code of the answer, or 400 ("refused") when the server closed without answering. */
function rawRequest(port: number, text: string): Promise<number> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(text));
    let data = '';
    sock.on('data', (b) => {
      data += b;
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) {
        sock.destroy();
        resolve(Number(m[1]));
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => resolve(/^HTTP\/1\.1 (\d{3})/.exec(data) ? Number(/^HTTP\/1\.1 (\d{3})/.exec(data)![1]) : 400));
  });
}
