// Plain JSON clients (the original's curl and Python examples: only `Content-Type: application/json`, no Accept
// negotiation, no session) get plain JSON answers; auth and malformed JSON-RPC are refused without harming the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OTHER_TOKEN, startTestGateway } from '../helpers/gateway.js';
import { callTool, postRaw, rpc, sessionIdFrom } from './helpers.js';
import { gatewayTools } from '../../src/mcp/mcp-server.js';

test('initialize, tools/list and tools/call as plain JSON: the original client flow', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());

  const init = await rpc(g, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'python', version: '1' } });
  assert.equal(init.status, 200);
  assert.equal(init.contentType, 'application/json');
  assert.equal(init.sessionHeader, null, 'plain clients get no MCP session');
  assert.equal(init.body.result.protocolVersion, '2025-11-25');
  assert.equal(init.body.result.serverInfo.name, 'aintegrix');
  assert.ok(init.body.result.capabilities.tools);
  // the original's clients sent initialize with whatever params they had
  const bare = await rpc(g, 'initialize');
  assert.equal(bare.status, 200);
  assert.equal(bare.body.result.protocolVersion, '2025-11-25');
  // a notification is accepted, with a JSON body for clients that parse every answer
  const note = await postRaw(g, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  assert.deepEqual([note.status, note.body], [202, {}]);

  const list = await rpc(g, 'tools/list');
  assert.equal(list.body.result.tools.length, gatewayTools(g.gw).length);

  const agents = await callTool(g, 'acp_list_agents', {});
  assert.equal(agents.contentType, 'application/json');
  const listed = JSON.parse(agents.body.result.content[0].text);
  assert.deepEqual(listed.map((a: { name: string }) => a.name), ['demo']);

  const created = await callTool(g, 'acp_create_session', { agent: 'demo', model: 'demo-smart' });
  const text: string = created.body.result.content[0].text;
  const id = sessionIdFrom(text);
  assert.equal(text, `Session created: ${id} (agent: demo, model: demo-smart)`);
  assert.equal((await g.api('GET', `/api/v1/sessions/${id}`)).body.origin, 'mcp');

  const answer = await callTool(g, 'acp_prompt', { session_id: id, message: 'What is 2+2?' });
  assert.equal(answer.status, 200);
  assert.equal(answer.contentType, 'application/json');
  assert.equal(answer.body.result.content[0].text, 'echo: What is 2+2?');
  assert.equal(answer.body.result.structuredContent.stop_reason, 'end_turn');
  // a progress token is harmless without a stream: the answer comes as JSON all the same
  const withToken = await rpc(g, 'tools/call', { name: 'acp_prompt', arguments: { session_id: id, message: '/chunks 3' }, _meta: { progressToken: 'p1' } });
  assert.equal(withToken.body.result.content[0].text.length, 24);

  const missing = await callTool(g, 'acp_prompt', { session_id: 'fake_session_id', message: 'hi' });
  assert.equal(missing.body.result.isError, true);
  assert.match(missing.body.result.content[0].text, /not found/);
  const closed = await callTool(g, 'acp_close_session', { session_id: id });
  assert.equal(closed.body.result.content[0].text, `Session ${id} closed.`);
});

test('unknown tool, bad arguments and unknown methods are JSON-RPC errors', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const unknown = await callTool(g, 'acp_nope', {});
  assert.equal(unknown.status, 200);
  assert.equal(unknown.body.error.code, -32602);
  assert.match(unknown.body.error.message, /unknown tool: acp_nope/);
  assert.equal(unknown.body.result, undefined);
  const bad = await callTool(g, 'acp_create_session', { agent: 7 });
  assert.equal(bad.body.error.code, -32602);
  assert.match(bad.body.error.message, /invalid arguments for acp_create_session: agent/);
  const extra = await callTool(g, 'acp_create_session', { agent: 'demo', colour: 'blue' });
  assert.equal(extra.body.error.code, -32602);
  const method = await rpc(g, 'resources/list');
  assert.equal(method.body.error.code, -32601);
});

test('auth: no token or a wrong token is 401 in the API error shape', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  for (const token of [null, 'wrong-token-0123456789']) {
    const r = await rpc(g, 'tools/list', undefined, { token });
    assert.equal(r.status, 401);
    assert.equal(r.contentType, 'application/json');
    assert.equal(r.body.error.code, 'unauthorized');
  }
  const get = await fetch(`${g.url}/mcp`, { headers: { accept: 'text/event-stream' } });
  assert.equal(get.status, 401);
  await get.arrayBuffer();
  // another configured token is fine for plain requests
  assert.equal((await rpc(g, 'tools/list', undefined, { token: OTHER_TOKEN })).status, 200);
});

test('malformed JSON-RPC is an error response and the server stays up', async (t) => {
  const g = await startTestGateway({ limits: { max_body_bytes: 4096 } });
  t.after(() => g.dispose());
  const invalid = await postRaw(g, '{"jsonrpc": "2.0", "id": 1, "method": ');
  assert.equal(invalid.status, 400);
  assert.deepEqual(invalid.body, { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: Invalid JSON' }, id: null });
  const batch = await postRaw(g, JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }]));
  assert.equal(batch.status, 400);
  assert.equal(batch.body.error.code, -32600);
  const empty = await postRaw(g, '[]');
  assert.equal(empty.status, 400);
  const noMethod = await postRaw(g, JSON.stringify({ jsonrpc: '2.0', id: 1 }));
  assert.equal(noMethod.status, 400);
  assert.equal(typeof noMethod.body.error.code, 'number');
  const notRpc = await postRaw(g, '42');
  assert.equal(notRpc.status, 400);
  assert.equal(typeof notRpc.body.error.code, 'number');
  const nothing = await postRaw(g, '');
  assert.equal(nothing.status, 400);
  const tooBig = await postRaw(g, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { pad: 'x'.repeat(8000) } }));
  assert.equal(tooBig.status, 413);
  const unknownSession = await postRaw(g, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), {
    headers: { 'mcp-session-id': 'no-such-session', accept: 'application/json, text/event-stream' },
  });
  assert.equal(unknownSession.status, 404);
  assert.equal(unknownSession.body.error.code, -32001);

  assert.equal((await g.api('GET', '/health')).status, 200);
  assert.equal((await rpc(g, 'tools/list')).body.result.tools.length, gatewayTools(g.gw).length);
});
