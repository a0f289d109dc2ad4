// The MCP session registry: a session is registered once `initialize` was accepted, is kept while a request or
// stream is open, and expires after the idle limit (clock injected); at shutdown every session is closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway } from '../helpers/gateway.js';
import { createMcpServer } from '../../src/mcp/mcp-server.js';
import { McpSessionRegistry, type McpSession } from '../../src/mcp/mcp-sessions.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function initialize(session: McpSession): Promise<Response> {
  const body = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
  const r = await session.transport.handleRequest(new Request('http://localhost/mcp', { method: 'POST', headers: HEADERS, body: JSON.stringify(body) }), { parsedBody: body });
  await r.body?.cancel();
  return r;
}

async function listTools(session: McpSession, id: string): Promise<number> {
  const body = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
  const r = await session.transport.handleRequest(
    new Request('http://localhost/mcp', { method: 'POST', headers: { ...HEADERS, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' }, body: JSON.stringify(body) }),
    { parsedBody: body },
  );
  await r.body?.cancel();
  return r.status;
}

test('a session expires after the idle limit, not while a request is open', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  let clock = 1_000_000;
  const registry = new McpSessionRegistry({ createServer: (hooks) => createMcpServer(g.gw, hooks), idleMs: 1000, sweepMs: 3_600_000, now: () => clock });
  t.after(() => registry.closeAll());

  const never = await registry.open('tester');
  assert.equal(registry.size, 0, 'not registered before initialize');
  await registry.closeIfUninitialized(never);

  const s = await registry.open('tester');
  assert.equal((await initialize(s)).status, 200);
  const id = s.id!;
  assert.equal(registry.get(id), s);
  assert.equal(s.principal, 'tester');

  registry.begin(s); // e.g. an SSE stream held open
  clock += 5000;
  registry.sweep();
  assert.equal(registry.get(id), s, 'kept while a request is open');
  registry.end(s);
  clock += 999;
  registry.sweep();
  assert.equal(registry.get(id), s, 'kept within the idle limit');
  assert.equal(await listTools(s, id), 200);

  clock += 1001;
  registry.sweep();
  await new Promise((r) => setImmediate(r));
  assert.equal(registry.get(id), undefined, 'expired');
  assert.equal(registry.size, 0);
  assert.equal(await listTools(s, id), 404, 'its transport is closed');
});

test('at shutdown a sweep closes every session', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  let down = false;
  const registry = new McpSessionRegistry({ createServer: (hooks) => createMcpServer(g.gw, hooks), sweepMs: 3_600_000, shuttingDown: () => down });
  t.after(() => registry.closeAll());
  const a = await registry.open('tester');
  const b = await registry.open('other');
  await initialize(a);
  await initialize(b);
  assert.equal(registry.size, 2);
  registry.sweep();
  assert.equal(registry.size, 2);
  down = true;
  registry.sweep();
  await new Promise((r) => setImmediate(r));
  assert.equal(registry.size, 0);
});
