// claude-agent-acp behind the gateway's streaming surfaces: an SSE prompt stream that carries the tool call, the
// permission request (decided over REST while the stream is open), the agent's raw updates (its usage_update with
// "used": null as sent) and the turn's end; and MCP (official SDK client): create, a prompt whose Bash call is
// approved with acp_decide_approval, the log read with acp_session_events, cancel with acp_cancel, close.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { readSse, type SseFrame } from '../test/helpers/sse.js';
import { FAKE_TEXT_PREFIX, TOOL_RESULT_PREFIX, startFakeAnthropic, type FakeAnthropic } from './fake-anthropic.js';
import { TOKEN, eventually, startRealGateway, writeClaudeConfig, type RealGateway, type RealSetup } from './real-gateway.js';

const LONG = { timeout: 180_000 };
let fake: FakeAnthropic;
let setup: RealSetup;
let g: RealGateway;

before(async () => {
  fake = await startFakeAnthropic();
  setup = writeClaudeConfig({ agents: { claude: fake.url } });
  g = await startRealGateway(setup);
});

after(async () => {
  await g?.close();
  await fake?.close();
  setup?.dispose();
});

const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const data = (f: SseFrame) => JSON.parse(f.data) as Record<string, any>;

test('SSE prompt stream: tool call, permission decided over REST, raw updates, turn_complete', LONG, async () => {
  const created = await g.api('POST', '/api/v1/sessions', { agent: 'claude' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id: string = created.body.id;
  const detail = (await g.api('GET', `/api/v1/sessions/${id}`)).body;
  const decisions: Promise<unknown>[] = [];
  const r = await readSse(
    `${g.url}/api/v1/sessions/${id}/stream`,
    { method: 'POST', headers: auth, body: JSON.stringify({ messages: [{ type: 'text', text: 'RUN: touch made-over-sse.txt' }] }) },
    (f) => f.event === 'turn_complete' || f.event === 'error',
    (f) => {
      if (f.event === 'permission_request') decisions.push(g.api('POST', `/api/v1/approvals/${data(f).approval_id}`, { decision: 'allow_once' }));
    },
  );
  assert.equal(r.status, 200);
  await Promise.all(decisions);
  const kinds = r.frames.map((f) => (f.event === 'session_update' ? `update:${data(f).sessionUpdate}` : f.event));
  const order = ['update:tool_call', 'permission_request', 'permission_decided', 'update:usage_update', 'turn_complete'].map((k) => kinds.indexOf(k));
  assert.ok(order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]!)), `frames in order: ${kinds.join(' ')}`);
  const request = data(r.frames.find((f) => f.event === 'permission_request')!);
  assert.equal(request.tool_call.rawInput.command, 'touch made-over-sse.txt');
  assert.equal(data(r.frames.find((f) => f.event === 'permission_decided')!).option_id, 'allow');
  const completed = r.frames.filter((f) => f.event === 'session_update').map(data).find((u) => u.sessionUpdate === 'tool_call_update' && u.status === 'completed');
  assert.ok(completed, `a completed tool call: ${kinds.join(' ')}`);
  assert.ok(existsSync(join(detail.workspace_root, 'made-over-sse.txt')), 'the command ran in the workspace');
  // the update exactly as the agent sent it: schema-breaking null included, nothing added
  const usage = r.frames.map((f) => (f.event === 'session_update' ? data(f) : undefined)).find((u) => u?.sessionUpdate === 'usage_update')!;
  assert.deepEqual(usage, { sessionUpdate: 'usage_update', used: null, size: 200000, cost: { amount: usage.cost.amount, currency: 'USD' } });
  const end = data(r.frames.at(-1)!);
  assert.equal(r.frames.at(-1)!.event, 'turn_complete');
  assert.equal(end.stop_reason, 'end_turn');
  assert.match(end.text, new RegExp(`^${TOOL_RESULT_PREFIX}`));
  // chunks streamed before the end add up to the turn's text
  const streamed = r.frames
    .filter((f) => f.event === 'session_update')
    .map(data)
    .filter((u) => u.sessionUpdate === 'agent_message_chunk')
    .map((u) => u.content.text)
    .join('');
  assert.equal(streamed, end.text);
  assert.equal((await g.api('DELETE', `/api/v1/sessions/${id}`)).status, 204);
});

test('POST /api/v1/stream creates a claude session and streams its first turn', LONG, async () => {
  const r = await readSse(
    `${g.url}/api/v1/stream`,
    { method: 'POST', headers: auth, body: JSON.stringify({ agent: 'claude', messages: [{ type: 'text', text: 'hello over one call' }] }) },
    (f) => f.event === 'turn_complete' || f.event === 'error',
  );
  assert.equal(r.status, 200);
  assert.equal(r.frames[0]!.event, 'session_created');
  const id = data(r.frames[0]!).session_id as string;
  assert.equal(r.frames.at(-1)!.event, 'turn_complete', r.frames.map((f) => f.event).join(' '));
  assert.equal(data(r.frames.at(-1)!).text, `${FAKE_TEXT_PREFIX}hello over one call`);
  assert.equal((await g.api('DELETE', `/api/v1/sessions/${id}`)).status, 204);
});

test('MCP: create, prompt with an approval decided over MCP, the log, cancel, close', LONG, async (t) => {
  const client = new Client({ name: 'aintegrix-real-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${g.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
  t.after(() => client.close());
  const call = async (name: string, args: Record<string, unknown>) => {
    const res = await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 });
    assert.ok(!res.isError, `${name}: ${JSON.stringify(res.content)}`);
    return res;
  };

  const created = await call('acp_create_session', { agent: 'claude' });
  const id = (created.structuredContent as { id: string }).id;
  assert.match((created.content as { text: string }[])[0]!.text, new RegExp(`^Session created: ${id} \\(agent: claude, `));

  const prompt = call('acp_prompt', { session_id: id, message: 'RUN: touch made-over-mcp.txt' });
  const approval = await eventually(
    async () => ((await call('acp_list_approvals', { session_id: id })).structuredContent as { approvals: { approval_id: string; tool_call: any }[] }).approvals[0],
    60_000,
    'a pending approval over MCP',
  );
  assert.equal(approval.tool_call.rawInput.command, 'touch made-over-mcp.txt');
  await call('acp_decide_approval', { approval_id: approval.approval_id, decision: 'allow_once' });
  const turn = (await prompt).structuredContent as { stop_reason: string; text: string };
  assert.equal(turn.stop_reason, 'end_turn');
  assert.match(turn.text, new RegExp(`^${TOOL_RESULT_PREFIX}`));
  const workspace = (await g.api('GET', `/api/v1/sessions/${id}`)).body.workspace_root;
  assert.ok(existsSync(join(workspace, 'made-over-mcp.txt')), 'the command ran in the workspace');

  const page = (await call('acp_session_events', { session_id: id, type: 'AcpMessage', limit: 500 })).structuredContent as {
    events: { data: { dir: string; msg: any } }[];
  };
  const usage = page.events.map((e) => e.data.msg?.params?.update).find((u) => u?.sessionUpdate === 'usage_update');
  assert.ok(usage && 'used' in usage && usage.used === null, `usage_update as sent: ${JSON.stringify(usage)}`);

  const stuck = call('acp_prompt', { session_id: id, message: 'HANG over MCP' });
  await eventually(() => fake.openHangs() > 0, 60_000, 'the model request to hang');
  await call('acp_cancel', { session_id: id });
  assert.equal(((await stuck).structuredContent as { stop_reason: string }).stop_reason, 'cancelled');
  await call('acp_close_session', { session_id: id });
  assert.equal((await g.api('GET', `/api/v1/sessions/${id}`)).body.status, 'closed');
});
