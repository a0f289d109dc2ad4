// `/acp`: an ACP client (the SDK's own client over its Streamable HTTP and WebSocket transports) drives gateway
// sessions: the whole life cycle, the session as an ordinary gateway session, and what the token may see and do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, OTHER_TOKEN, type TestGateway } from '../helpers/gateway.js';
import { connectRemote } from './acp-client.js';

async function withGateway(run: (g: TestGateway) => Promise<void>, o: Parameters<typeof startTestGateway>[0] = {}): Promise<void> {
  const g = await startTestGateway(o);
  try {
    await run(g);
  } finally {
    await g.dispose();
  }
}

for (const transport of ['http', 'ws'] as const) {
  test(`${transport}: new, prompt with streamed updates, model, list, close — a gateway session with origin acp`, () =>
    withGateway(async (g) => {
      const c = await connectRemote(g.url, '/acp/demo', { transport });
      try {
        const created = await c.request('session/new', { cwd: '/home/someone/project', mcpServers: [] });
        const id = created.sessionId as string;
        assert.match(id, /^demo_/);
        const answer = await c.request('session/prompt', { sessionId: id, prompt: [{ type: 'text', text: 'hello over acp' }] });
        assert.equal(answer.stopReason, 'end_turn');
        // every update of the turn reached the client before the answer, each with its log position
        assert.equal(c.text(id), 'echo: hello over acp');
        const cursors = c.updates.filter((u) => u.sessionId === id).map((u) => u._meta?.['acp/cursor']);
        assert.ok(cursors.length >= 2 && cursors.every((p) => typeof p === 'number'));
        assert.deepEqual([...cursors].sort((a, b) => (a as number) - (b as number)), cursors, 'in log order');

        const s = await g.api('GET', `/api/v1/sessions/${id}`);
        assert.equal(s.body.origin, 'acp');
        assert.notEqual(s.body.workspace_root, '/home/someone/project', 'a path of the client machine is not a workspace here');
        const events = await g.api('GET', `/api/v1/sessions/${id}/events?type=RemoteClientCwd`);
        assert.equal(events.body.events[0].data.cwd, '/home/someone/project');
        assert.equal(events.body.events[0].data.used, false);

        await c.request('session/set_model', { sessionId: id, modelId: 'demo-smart' });
        assert.equal((await g.api('GET', `/api/v1/sessions/${id}`)).body.model, 'demo-smart');

        const listed = await c.request('session/list', {});
        assert.ok(listed.sessions.some((x: { sessionId: string }) => x.sessionId === id));

        await c.request('session/close', { sessionId: id });
        assert.equal((await g.api('GET', `/api/v1/sessions/${id}`)).body.status, 'closed');
      } finally {
        c.close();
      }
    }));
}

test('a remote session is streamable over SSE at the same time, and a REST prompt reaches the remote client', () =>
  withGateway(async (g) => {
    const c = await connectRemote(g.url);
    try {
      const id = (await c.request('session/new', { cwd: '/nowhere', mcpServers: [] })).sessionId as string;
      const r = await g.api('POST', `/api/v1/sessions/${id}/prompt`, { messages: [{ type: 'text', text: 'from rest' }] });
      assert.equal(r.status, 200);
      assert.equal(r.body.text, 'echo: from rest');
      const deadline = Date.now() + 5000;
      while (!c.text(id).includes('echo: from rest') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
      assert.equal(c.text(id), 'echo: from rest');
    } finally {
      c.close();
    }
  }));

test('a token without admin sees nothing of a session another token created; scopes gate the methods', () =>
  withGateway(
    async (g) => {
      const owner = await connectRemote(g.url);
      const other = await connectRemote(g.url, '/acp/demo', { token: 'driver-token-0123456789abcdef' });
      const reader = await connectRemote(g.url, '/acp/demo', { token: 'reader-token-0123456789abcdef' });
      try {
        const id = (await owner.request('session/new', { cwd: '/x', mcpServers: [] })).sessionId as string;
        await assert.rejects(other.request('session/prompt', { sessionId: id, prompt: [{ type: 'text', text: 'hi' }] }), (e: { code?: number }) => e.code === -32002);
        await assert.rejects(other.request('session/load', { sessionId: id, cwd: '/x', mcpServers: [] }), (e: { code?: number }) => e.code === -32002);
        const listed = await other.request('session/list', {});
        assert.equal(listed.sessions.some((x: { sessionId: string }) => x.sessionId === id), false);
        await assert.rejects(reader.request('session/new', { cwd: '/x', mcpServers: [] }), (e: { code?: number; message?: string }) => e.code === -32003 && /prompt/.test(e.message ?? ''));
      } finally {
        owner.close();
        other.close();
        reader.close();
      }
    },
    {
      tokens: [
        { name: 'reader', token: 'reader-token-0123456789abcdef', scopes: ['read'] },
        { name: 'driver', token: 'driver-token-0123456789abcdef', scopes: ['read', 'prompt'] },
      ],
    },
  ));

test('auth: no token, a wrong token and an unknown agent are refused at the door; another token cannot use a connection', () =>
  withGateway(async (g) => {
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: 1, clientCapabilities: {} } });
    const post = (path: string, headers: Record<string, string>) =>
      fetch(`${g.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: init });
    assert.equal((await post('/acp/demo', {})).status, 401);
    assert.equal((await post('/acp/demo', { authorization: 'Bearer nope' })).status, 401);
    assert.equal((await post('/acp/nope', { authorization: `Bearer ${OTHER_TOKEN}` })).status, 404);
    const ok = await post('/acp', { authorization: `Bearer ${OTHER_TOKEN}` });
    assert.equal(ok.status, 200);
    const connection = ok.headers.get('acp-connection-id')!;
    assert.ok(connection);
    // the connection is the token's: another token's request on it is answered as if it did not exist
    const stolen = await fetch(`${g.url}/acp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${(await import('../helpers/gateway.js')).TOKEN}`, 'acp-connection-id': connection },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'session/list', params: {} }),
    });
    assert.equal(stolen.status, 404);
  }));

test('bad input: malformed JSON, a batch, unknown methods, calls before initialize, oversized bodies — 4xx or JSON-RPC errors, never a 5xx', () =>
  withGateway(
    async (g) => {
      const h = { 'content-type': 'application/json', authorization: `Bearer ${OTHER_TOKEN}` };
      const send = (body: string, extra: Record<string, string> = {}) => fetch(`${g.url}/acp/demo`, { method: 'POST', headers: { ...h, ...extra }, body });
      assert.equal((await send('{nope')).status, 400);
      assert.equal((await send('[]')).status, 400);
      assert.equal((await send('"text"')).status, 400);
      // no connection yet: only initialize opens one
      assert.equal((await send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'session/list', params: {} }))).status, 400);
      assert.equal((await send('x'.repeat(300_000))).status, 413);
      const c = await connectRemote(g.url);
      try {
        await assert.rejects(c.request('session/unheard_of', {}), (e: { code?: number }) => e.code === -32601);
        await assert.rejects(c.request('session/prompt', { sessionId: 'demo_missing', prompt: [] }), (e: { code?: number }) => e.code === -32002);
      } finally {
        c.close();
      }
      assert.equal((await g.api('GET', '/health')).status, 200);
    },
    { limits: { max_body_bytes: 200_000 } },
  ));
