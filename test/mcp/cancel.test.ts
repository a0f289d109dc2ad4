// Cancelling over MCP: an MCP request cancellation (the SDK client's AbortSignal → notifications/cancelled) cancels
// the turn with reason `mcp`; acp_cancel cancels it like REST's cancel; a plain JSON client that hangs up does too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { callTool, connectSdkClient, sessionIdFrom, textOf } from './helpers.js';
import { eventually } from '../helpers/poll.js';

function logOf(g: TestGateway, id: string, type: string) {
  return g.gw.store
    .readStream(`session:${id}`)
    .filter((e) => e.type === type)
    .map((e) => ({ data: e.data as Record<string, unknown>, meta: e.meta }));
}

async function prompting(g: TestGateway, id: string): Promise<void> {
  await eventually(async () => (await g.api('GET', `/api/v1/sessions/${id}`)).body.status === 'prompting', 5000, 'the turn to run');
}

test('aborting acp_prompt cancels the turn (TurnCancelRequested reason mcp); the session stays usable', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const c = await connectSdkClient(g);
  t.after(() => c.close());
  const id = sessionIdFrom(textOf(await c.client.callTool({ name: 'acp_create_session', arguments: { agent: 'demo' } })));

  const aborter = new AbortController();
  const chunks: string[] = [];
  const call = c.client.callTool({ name: 'acp_prompt', arguments: { session_id: id, message: '/slow 30' } }, CallToolResultSchema, {
    signal: aborter.signal,
    onprogress: (p) => chunks.push(p.message ?? ''),
  });
  await eventually(() => chunks.length >= 2, 5000, 'progress from the slow turn');
  aborter.abort('changed my mind');
  await assert.rejects(call);

  const ended = await eventually(() => logOf(g, id, 'TurnEnded')[0], 5000, 'the turn to end');
  assert.equal(ended.data['outcome'], 'cancelled');
  assert.equal(ended.data['stop_reason'], 'cancelled');
  const requested = logOf(g, id, 'TurnCancelRequested');
  assert.equal(requested.length, 1);
  assert.equal(requested[0]!.data['reason'], 'mcp');
  assert.equal(requested[0]!.meta.principal, 'tester');

  const next = (await c.client.callTool({ name: 'acp_prompt', arguments: { session_id: id, message: 'again' } })) as CallToolResult;
  assert.equal(textOf(next), 'echo: again');
});

test('acp_cancel cancels the running turn; acp_prompt answers with the real stop reason', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const c = await connectSdkClient(g);
  t.after(() => c.close());
  const id = sessionIdFrom(textOf(await c.client.callTool({ name: 'acp_create_session', arguments: { agent: 'demo' } })));

  const idle = await c.client.callTool({ name: 'acp_cancel', arguments: { session_id: id } });
  assert.equal(textOf(idle), `Session ${id} has no running turn.`);
  const running = c.client.callTool({ name: 'acp_prompt', arguments: { session_id: id, message: '/slow 30' } });
  await prompting(g, id);
  const cancel = await c.client.callTool({ name: 'acp_cancel', arguments: { session_id: id } });
  assert.equal(textOf(cancel), `Turn 1 of session ${id} is being cancelled.`);
  assert.deepEqual(cancel.structuredContent, { cancelled: true, turn: 1 });
  const r = (await running) as CallToolResult;
  assert.equal(r.isError, undefined);
  assert.deepEqual([(r.structuredContent as { stop_reason: string }).stop_reason, (r.structuredContent as { outcome: string }).outcome], ['cancelled', 'cancelled']);
  assert.deepEqual(logOf(g, id, 'TurnCancelRequested').map((e) => e.data['reason']), ['client']);
});

test('a plain JSON client hanging up on acp_prompt cancels the turn', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const created = await callTool(g, 'acp_create_session', { agent: 'demo' });
  const id = sessionIdFrom(created.body.result.content[0].text);
  const aborter = new AbortController();
  const call = callTool(g, 'acp_prompt', { session_id: id, message: '/slow 30' }, { signal: aborter.signal });
  await prompting(g, id);
  aborter.abort();
  await assert.rejects(call);
  const ended = await eventually(() => logOf(g, id, 'TurnEnded')[0], 5000, 'the turn to end');
  assert.equal(ended.data['outcome'], 'cancelled');
  assert.deepEqual(logOf(g, id, 'TurnCancelRequested').map((e) => e.data['reason']), ['mcp']);
});
