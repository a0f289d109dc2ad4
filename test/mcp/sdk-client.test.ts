// The official MCP SDK client over Streamable HTTP against a real gateway and the bundled agent: the handshake, the
// tool list, and a whole create → prompt (with progress) → approval → close flow whose session REST sees too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallToolResultSchema, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { OTHER_TOKEN, TOKEN, startTestGateway } from '../helpers/gateway.js';
import { connectSdkClient, sessionIdFrom, textOf } from './helpers.js';
import { eventually } from '../helpers/poll.js';

const TOOLS = [
  'acp_cancel',
  'acp_close_session',
  'acp_create_session',
  'acp_decide_approval',
  'acp_fork_session',
  'acp_list_agents',
  'acp_list_approvals',
  'acp_orchestrate',
  'acp_pipeline',
  'acp_prompt',
  'acp_session_events',
  'acp_usage',
];

test('initialize and tools/list: server info, a session id, the twelve tools with their input schemas', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const c = await connectSdkClient(g);
  t.after(() => c.close());
  assert.equal(c.client.getServerVersion()?.name, 'aintegrix');
  assert.equal(c.transport.protocolVersion, '2025-11-25');
  assert.match(c.transport.sessionId ?? '', /^[0-9a-f-]{36}$/);
  assert.ok(c.client.getServerCapabilities()?.tools, 'tools capability');

  const { tools } = await c.client.listTools();
  assert.deepEqual(tools.map((x) => x.name).sort(), TOOLS);
  const byName = new Map(tools.map((x) => [x.name, x]));
  const create = byName.get('acp_create_session')!;
  // agent or auto_route: neither is required alone
  assert.equal(create.inputSchema.required, undefined);
  assert.deepEqual(Object.keys(create.inputSchema.properties ?? {}).sort(), [
    'agent',
    'auto_route',
    'branch',
    'file_paths',
    'model',
    'prompt',
    'repo',
    'task_type',
    'workspace_root',
  ]);
  assert.equal((create.inputSchema as { additionalProperties?: unknown }).additionalProperties, false);
  const prompt = byName.get('acp_prompt')!;
  assert.deepEqual([...(prompt.inputSchema.required ?? [])].sort(), ['message', 'session_id']);
  assert.ok(prompt.outputSchema?.properties?.['stop_reason'], 'acp_prompt declares its structured output');
  const events = byName.get('acp_session_events')!;
  assert.equal((events.inputSchema.properties?.['limit'] as { maximum?: number }).maximum, 500);
  const decide = byName.get('acp_decide_approval')!;
  assert.deepEqual((decide.inputSchema.properties?.['decision'] as { enum?: string[] }).enum, ['allow_once', 'allow_always', 'reject_once', 'reject_always']);
  for (const tool of tools) assert.ok(tool.description && tool.description.length > 10, `${tool.name} has a description`);
});

test('create → prompt with progress → approval while the prompt waits → events → close; REST sees the same session', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'ask' } });
  t.after(() => g.dispose());
  const c = await connectSdkClient(g);
  t.after(() => c.close());

  const agents = JSON.parse(textOf(await c.client.callTool({ name: 'acp_list_agents', arguments: {} })));
  assert.deepEqual(agents.map((a: { name: string }) => a.name), ['demo']);

  const created = await c.client.callTool({ name: 'acp_create_session', arguments: { agent: 'demo' } });
  assert.equal(created.isError, undefined);
  const id = sessionIdFrom(textOf(created));

  // the MCP session and REST share one session and one log
  const listed = await g.api('GET', '/api/v1/sessions');
  assert.deepEqual(listed.body.map((s: { id: string }) => s.id), [id]);
  const detail = await g.api('GET', `/api/v1/sessions/${id}`);
  assert.equal(detail.body.origin, 'mcp');
  // the model is the session's (the demo agent reports its current one), as REST shows it
  assert.equal(textOf(created), `Session created: ${id} (agent: demo, model: ${detail.body.model})`);
  assert.equal(detail.body.model, 'demo-fast');
  const createdEvent = g.gw.store.readStream(`session:${id}`)[0]!;
  assert.equal(createdEvent.meta.principal, 'tester');
  assert.ok(createdEvent.meta.request_id, 'the request id is recorded');

  // a prompt that streams 20 chunks: one progress notification each, in order, before the result
  const progress: { progress: number; message?: string }[] = [];
  const turn = (await c.client.callTool({ name: 'acp_prompt', arguments: { session_id: id, message: '/chunks 20' } }, CallToolResultSchema, {
    onprogress: (p) => progress.push({ progress: p.progress, message: p.message }),
  })) as CallToolResult;
  assert.equal(turn.isError, undefined);
  const text = textOf(turn);
  assert.equal(text.length, 20 * 8);
  assert.equal(progress.length, 20);
  assert.deepEqual(progress.map((p) => p.progress), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.equal(progress.map((p) => p.message).join(''), text);
  const structured = turn.structuredContent as { stop_reason: string; outcome: string; text: string; turn: number; session_id: string };
  assert.deepEqual([structured.stop_reason, structured.outcome, structured.text, structured.turn, structured.session_id], ['end_turn', 'completed', text, 1, id]);

  // a prompt that needs a permission waits; the approval is listed and decided over MCP meanwhile
  const waiting = c.client.callTool({ name: 'acp_prompt', arguments: { session_id: id, message: '/permission execute make' } });
  const pending = await eventually(async () => {
    const r = await c.client.callTool({ name: 'acp_list_approvals', arguments: { session_id: id } });
    const list = (r.structuredContent as { approvals: { approval_id: string; tool_call: { title: string } }[] }).approvals;
    return list.length === 1 ? list[0] : undefined;
  }, 5000, 'a pending approval');
  assert.equal(pending.tool_call.title, 'make');
  assert.deepEqual(JSON.parse(textOf(await c.client.callTool({ name: 'acp_list_approvals', arguments: {} }))).length, 1);
  const decided = await c.client.callTool({ name: 'acp_decide_approval', arguments: { approval_id: pending.approval_id, decision: 'allow_once', reason: 'ok' } });
  assert.equal(decided.isError, undefined);
  assert.match(textOf(decided), /decided: allow_once \(option: allow\)/);
  assert.equal(textOf(await waiting), 'permission: selected allow');
  const decision = g.gw.store.readStream(`session:${id}`).find((e) => e.type === 'PermissionDecided')!;
  assert.deepEqual([(decision.data as { decided_by: string }).decided_by, decision.meta.principal], ['tester', 'tester']);
  const again = await c.client.callTool({ name: 'acp_decide_approval', arguments: { approval_id: pending.approval_id, decision: 'reject_once' } });
  assert.equal(again.isError, true);
  assert.match(textOf(again), /^Error: approval '.+' is no longer pending$/);

  // the log, paged after a cursor and by type
  const ends = (await c.client.callTool({ name: 'acp_session_events', arguments: { session_id: id, type: 'TurnEnded' } })).structuredContent as {
    events: { type: string; position: number; data: { turn: number } }[];
    next_after: number;
    has_more: boolean;
  };
  assert.deepEqual(ends.events.map((e) => [e.type, e.data.turn]), [['TurnEnded', 1], ['TurnEnded', 2]]);
  assert.equal(ends.next_after, ends.events[1]!.position);
  const first = (await c.client.callTool({ name: 'acp_session_events', arguments: { session_id: id, limit: 2 } })).structuredContent as {
    events: { type: string; position: number }[];
    next_after: number;
    has_more: boolean;
  };
  assert.deepEqual(first.events.map((e) => e.type), ['SessionCreated', first.events[1]!.type]);
  assert.equal(first.has_more, true);
  const next = (await c.client.callTool({ name: 'acp_session_events', arguments: { session_id: id, after: first.next_after, limit: 1 } })).structuredContent as {
    events: { position: number }[];
  };
  assert.ok(next.events[0]!.position > first.next_after);
  const all = g.gw.store.readStream(`session:${id}`);
  assert.equal(next.events[0]!.position, all[2]!.position);

  const closed = await c.client.callTool({ name: 'acp_close_session', arguments: { session_id: id } });
  assert.equal(textOf(closed), `Session ${id} closed.`);
  assert.equal((await g.api('GET', `/api/v1/sessions/${id}`)).body.status, 'closed');
  const late = await c.client.callTool({ name: 'acp_prompt', arguments: { session_id: id, message: 'hello' } });
  assert.equal(late.isError, true);
  assert.match(textOf(late), /^Error: session '.+' is closed$/);
});

test('tool failures are isError results; an unknown tool or bad arguments are JSON-RPC errors', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const c = await connectSdkClient(g);
  t.after(() => c.close());

  const unknownAgent = await c.client.callTool({ name: 'acp_create_session', arguments: { agent: 'nope' } });
  assert.equal(unknownAgent.isError, true);
  assert.equal(textOf(unknownAgent), `Error: agent 'nope' not found. Available: ["demo"]`);
  const unknownSession = await c.client.callTool({ name: 'acp_prompt', arguments: { session_id: 'fake_session_id', message: 'hi' } });
  assert.equal(unknownSession.isError, true);
  assert.equal(textOf(unknownSession), "Error: session 'fake_session_id' not found");
  const relative = await c.client.callTool({ name: 'acp_create_session', arguments: { agent: 'demo', workspace_root: 'myorg/project' } });
  assert.equal(relative.isError, true);
  assert.match(textOf(relative), /must be an absolute path/);

  await assert.rejects(c.client.callTool({ name: 'acp_nope', arguments: {} }), (e: unknown) => {
    assert.ok(e instanceof McpError);
    assert.equal(e.code, -32602);
    assert.match(e.message, /unknown tool: acp_nope/);
    return true;
  });
  for (const args of [{}, { session_id: 'x' }, { session_id: 'x', message: 42 }, { session_id: 'x', message: 'hi', extra: true }]) {
    await assert.rejects(c.client.callTool({ name: 'acp_prompt', arguments: args }), (e: unknown) => {
      assert.ok(e instanceof McpError, String(e));
      assert.equal(e.code, -32602);
      assert.match(e.message, /invalid arguments for acp_prompt/);
      return true;
    });
  }
  await assert.rejects(c.client.callTool({ name: 'acp_session_events', arguments: { session_id: 'x', limit: 501 } }), McpError);
  // the session is still usable after the errors
  assert.equal(JSON.parse(textOf(await c.client.callTool({ name: 'acp_list_agents', arguments: {} })))[0].name, 'demo');
});

test('MCP sessions: DELETE ends one, another token cannot use it, an unknown id is 404', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const c = await connectSdkClient(g);
  t.after(() => c.close());
  const sessionId = c.transport.sessionId!;
  const headers = (token: string) => ({
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-session-id': sessionId,
    'mcp-protocol-version': '2025-11-25',
  });
  const list = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' });
  const foreign = await fetch(`${g.url}/mcp`, { method: 'POST', headers: headers(OTHER_TOKEN), body: list });
  assert.equal(foreign.status, 404);
  assert.equal(((await foreign.json()) as { error: { code: number } }).error.code, -32001);
  const foreignDelete = await fetch(`${g.url}/mcp`, { method: 'DELETE', headers: headers(OTHER_TOKEN) });
  assert.equal(foreignDelete.status, 404);
  await foreignDelete.arrayBuffer();

  await c.transport.terminateSession();
  const after = await fetch(`${g.url}/mcp`, { method: 'POST', headers: headers(TOKEN), body: list });
  assert.equal(after.status, 404);
  await after.arrayBuffer();
  const noId = await fetch(`${g.url}/mcp`, { method: 'GET', headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' } });
  assert.equal(noId.status, 400);
  assert.equal(((await noId.json()) as { error: { code: number } }).error.code, -32000);
});

test('raw Streamable HTTP: initialize answers as SSE with a session id, the GET stream opens at once and ends with DELETE', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const base = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await fetch(`${g.url}/mcp`, {
    method: 'POST',
    headers: base,
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
  });
  assert.equal(init.status, 200);
  assert.equal(init.headers.get('content-type'), 'text/event-stream');
  const sessionId = init.headers.get('mcp-session-id')!;
  assert.match(sessionId, /^[0-9a-f-]{36}$/);
  const sse = await init.text();
  const data = sse.split('\n').find((l) => l.startsWith('data: '))!;
  const result = JSON.parse(data.slice(6)).result;
  assert.equal(result.protocolVersion, '2025-06-18', 'a supported requested version is kept');
  assert.equal(result.serverInfo.name, 'aintegrix');

  const session = { ...base, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' };
  const note = await fetch(`${g.url}/mcp`, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  assert.equal(note.status, 202);
  await note.arrayBuffer();

  const aborter = new AbortController();
  t.after(() => aborter.abort());
  const stream = await Promise.race([
    fetch(`${g.url}/mcp`, { method: 'GET', headers: { ...session, accept: 'text/event-stream' }, signal: aborter.signal }),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('GET stream headers did not arrive within 1 s')), 1000)),
  ]);
  assert.equal(stream.status, 200);
  assert.equal(stream.headers.get('content-type'), 'text/event-stream');
  const reader = stream.body!.getReader();
  const opened = new TextDecoder().decode((await reader.read()).value);
  assert.ok(opened.startsWith(':'), 'an SSE comment opens the stream');

  const del = await fetch(`${g.url}/mcp`, { method: 'DELETE', headers: session });
  assert.equal(del.status, 200);
  await del.arrayBuffer();
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
  }
  const gone = await fetch(`${g.url}/mcp`, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
  assert.equal(gone.status, 404);
  await gone.arrayBuffer();
});
