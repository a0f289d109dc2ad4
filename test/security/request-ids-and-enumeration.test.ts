// Request ids are the gateway's: a client's `x-request-id` was stored as the request id, so two clients (or one, on
// purpose) could make distinct requests share an id in the audit log. It is now kept apart as `client_request_id`.
// And without a token, every path under /api, /mcp and /acp answers 401 before routing: an unknown route and a
// known one (or a known path with the wrong method) are indistinguishable, so routes cannot be enumerated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import WebSocket from 'ws';
import { TOKEN, startTestGateway } from '../helpers/gateway.js';
import { postRaw } from '../mcp/helpers.js';

test('x-request-id: never our request id, recorded apart as client_request_id (REST and MCP); ours stay unique', async (t) => {
  const g = await startTestGateway({ agents: { demo: { max_sessions: 10 } } });
  t.after(() => g.dispose());
  const create = (clientId?: string) =>
    fetch(`${g.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...(clientId !== undefined ? { 'x-request-id': clientId } : {}) },
      body: JSON.stringify({ agent: 'demo' }),
    });
  const created = async (r: Response) => {
    assert.equal(r.status, 201);
    const id = ((await r.json()) as { id: string }).id;
    const e = (await g.api('GET', `/api/v1/sessions/${id}/events?type=SessionCreated`)).body.events[0];
    return { header: r.headers.get('x-request-id'), meta: e.meta as Record<string, unknown> };
  };
  // two requests carrying the same client id: two distinct request ids in the log, the client's id on both
  const a = await created(await create('same-id'));
  const b = await created(await create('same-id'));
  assert.notEqual(a.meta.request_id, 'same-id');
  assert.notEqual(a.meta.request_id, b.meta.request_id, 'request ids are unique whatever the client sends');
  assert.equal(a.header, a.meta.request_id, 'x-request-id answers with our id');
  assert.deepEqual([a.meta.client_request_id, b.meta.client_request_id], ['same-id', 'same-id']);
  // a client id that collides with one of ours is just the client's
  const c = await created(await create(String(a.meta.request_id)));
  assert.notEqual(c.meta.request_id, a.meta.request_id);
  assert.equal(c.meta.client_request_id, a.meta.request_id);
  // none, or one that does not look like an id: nothing recorded
  assert.equal('client_request_id' in (await created(await create())).meta, false);
  assert.equal('client_request_id' in (await created(await create('x'.repeat(65)))).meta, false);
  assert.equal('client_request_id' in (await created(await create('a b;c'))).meta, false);

  // MCP: the same, through the tool's event meta
  const mcp = await postRaw(g, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'acp_create_session', arguments: { agent: 'demo' } } }), {
    headers: { 'x-request-id': 'mcp-client-7' },
  });
  const sid = (mcp.body.result.structuredContent as { id: string }).id;
  const meta = (await g.api('GET', `/api/v1/sessions/${sid}/events?type=SessionCreated`)).body.events[0].meta;
  assert.equal(meta.client_request_id, 'mcp-client-7');
  assert.notEqual(meta.request_id, 'mcp-client-7');

  // WebSocket: the upgrade's x-request-id, on the commands sent over the socket
  const ws = new WebSocket(`${g.url.replace('http', 'ws')}/api/v1/sessions/${sid}/stream?token=${TOKEN}`, { headers: { 'x-request-id': 'ws-client-1' } });
  t.after(() => ws.close());
  await once(ws, 'open');
  const acked = new Promise<void>((resolve) =>
    ws.on('message', (m) => {
      if ((JSON.parse(String(m)) as { type: string }).type === 'ack') resolve();
    }),
  );
  ws.send(JSON.stringify({ type: 'prompt', messages: [{ type: 'text', text: 'over the socket' }] }));
  await acked;
  const submitted = (await g.api('GET', `/api/v1/sessions/${sid}/events?type=PromptSubmitted`)).body.events[0].meta;
  assert.equal(submitted.client_request_id, 'ws-client-1');
  assert.match(submitted.request_id, /^ws-/);
});

test('without a token, /api/*, /mcp and /acp answer 401 before routing: unknown routes and wrong methods look like known ones', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const anonymous = async (method: string, path: string) => {
    const r = await fetch(g.url + path, { method });
    const text = await r.text();
    return [r.status, text ? (JSON.parse(text) as { error?: { code: string } }).error?.code : undefined, r.headers.get('www-authenticate')];
  };
  for (const [method, path] of [
    ['GET', '/api/v1/agents'], // a route
    ['GET', '/api/v1/no-such-route'], // none
    ['GET', '/api/v2/anything'],
    ['GET', '/api'],
    ['GET', '/api/'],
    ['DELETE', '/api/v1/agents'], // a known path, a method it does not have
    ['PUT', '/api/v1/sessions/x/prompt'],
    ['POST', '/api/v1/usage'], // a planned route (501 with a token)
    ['GET', '/mcp'],
    ['PUT', '/mcp'],
    ['GET', '/mcp/anything'],
    ['POST', '/acp'],
    ['GET', '/acp/whatever'],
    ['GET', '/API/v1/agents'],
  ]) {
    assert.deepEqual(await anonymous(method!, path!), [401, 'unauthorized', 'Bearer'], `${method} ${path}`);
  }
  // with a token the routing answers as before
  assert.equal((await g.api('GET', '/api/v1/no-such-route')).status, 404);
  assert.equal((await g.api('DELETE', '/api/v1/agents')).status, 405);
  // a static read answers the same bytes each time (prepared once), with a request id of its own each time
  const lists = await Promise.all([1, 2, 3].map(() => fetch(`${g.url}/api/v1/agents`, { headers: { authorization: `Bearer ${TOKEN}` } })));
  const ids = new Set(lists.map((r) => r.headers.get('x-request-id')));
  assert.equal(ids.size, 3, 'one request id per request');
  for (const r of lists) {
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.ok(Array.isArray(await r.json()));
  }
  // the open routes stay open, and a path outside the API is still a plain 404
  for (const path of ['/health', '/readiness', '/metrics']) assert.equal((await fetch(g.url + path)).status, 200, path);
  assert.equal((await fetch(`${g.url}/favicon.ico`)).status, 404);
});
