// Token scopes on MCP: tools/list shows every tool to every token; a call without the tool's scope is an isError
// result naming the scope (`Error: insufficient scope: needs 'approve'`), and the scopes held are recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { says, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { connectSdkClient, rpc, sessionIdFrom, textOf } from '../mcp/helpers.js';
import { ADMIN, APPROVER, PROMPTER, READER, SCOPED_TOKENS, metaOf } from './scope-tokens.js';
import { gatewayTools } from '../../src/mcp/mcp-server.js';
import { eventually } from '../helpers/poll.js';

interface ToolAnswer {
  isError: boolean;
  text: string;
}

async function call(g: TestGateway, token: string, name: string, args: Record<string, unknown>): Promise<ToolAnswer> {
  const r = await rpc(g, 'tools/call', { name, arguments: args }, { token });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const result = r.body.result;
  assert.ok(result, `${name}: a tool result, not a JSON-RPC error: ${JSON.stringify(r.body)}`);
  return { isError: result.isError === true, text: textOf(result) };
}

function assertToolRefused(a: ToolAnswer, scope: string, what: string): void {
  assert.deepEqual(a, { isError: true, text: `Error: insufficient scope: needs '${scope}'` }, what);
}

test('MCP: each tool needs its scope; tools/list lists every tool; refusals change nothing', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'ask' }, tokens: SCOPED_TOKENS });
  t.after(() => g.dispose());

  const listed = await rpc(g, 'tools/list', {}, { token: READER });
  assert.equal(listed.body.result.tools.length, gatewayTools(g.gw).length, 'a read-only token still sees every tool');

  // read: lists and reads, nothing else
  assert.equal((await call(g, READER, 'acp_list_agents', {})).isError, false);
  const head = g.gw.store.headPosition();
  assertToolRefused(await call(g, READER, 'acp_create_session', { agent: 'demo' }), 'prompt', 'read: create');
  assert.equal(g.gw.store.headPosition(), head, 'a refused create started nothing');

  // prompt: creates and prompts, but reads no log and decides nothing
  const id = sessionIdFrom((await call(g, PROMPTER, 'acp_create_session', { agent: 'demo' })).text);
  assert.deepEqual(await call(g, PROMPTER, 'acp_prompt', { session_id: id, message: 'hello' }), { isError: false, text: 'echo: hello' });
  assertToolRefused(await call(g, PROMPTER, 'acp_session_events', { session_id: id }), 'read', 'prompt: events');
  assertToolRefused(await call(g, PROMPTER, 'acp_list_approvals', {}), 'read', 'prompt: list approvals');
  assertToolRefused(await call(g, PROMPTER, 'acp_usage', {}), 'read', 'prompt: usage');
  assert.equal((await call(g, READER, 'acp_usage', {})).isError, false);
  for (const [name, args] of [
    ['acp_prompt', { session_id: id, message: 'no' }],
    ['acp_cancel', { session_id: id }],
    ['acp_fork_session', { session_id: id }],
    ['acp_close_session', { session_id: id }],
    ['acp_orchestrate', { agents: ['demo'], strategy: 'parallel', message: 'no' }],
    ['acp_pipeline', { steps: [{ agent: 'demo' }], message: 'no' }],
  ] as const) {
    assertToolRefused(await call(g, READER, name, args), 'prompt', `read: ${name}`);
    assertToolRefused(await call(g, APPROVER, name, args), 'prompt', `approve: ${name}`);
  }
  assert.equal((await call(g, READER, 'acp_session_events', { session_id: id })).isError, false);

  const turn = call(g, PROMPTER, 'acp_prompt', { session_id: id, message: '/permission execute make build' });
  const pending = await eventually(async () => {
    const a = await call(g, READER, 'acp_list_approvals', {});
    return (JSON.parse(a.text) as { approval_id: string }[])[0];
  }, 5000, 'a pending approval');
  const decision = { approval_id: pending.approval_id, decision: 'allow_once' };
  assertToolRefused(await call(g, PROMPTER, 'acp_decide_approval', decision), 'approve', 'prompt: decide');
  assertToolRefused(await call(g, READER, 'acp_decide_approval', decision), 'approve', 'read: decide');
  assert.equal((await call(g, APPROVER, 'acp_decide_approval', decision)).isError, false);
  assert.equal((await turn).text, 'permission: selected allow');

  // admin: every tool
  assert.equal((await call(g, ADMIN, 'acp_prompt', { session_id: id, message: 'from admin' })).text, 'echo: from admin');
  assert.equal((await call(g, ADMIN, 'acp_session_events', { session_id: id })).isError, false);
  assert.equal((await call(g, ADMIN, 'acp_close_session', { session_id: id })).text, `Session ${id} closed.`);

  assert.deepEqual(metaOf(g, id, 'SessionCreated').map((m) => [m.principal, m.scopes]), [['prompter', ['prompt']]]);
  assert.deepEqual(
    metaOf(g, id, 'PromptSubmitted').map((m) => [m.principal, m.scopes]),
    [['prompter', ['prompt']], ['prompter', ['prompt']], ['admin', ['admin']]],
  );
  assert.deepEqual(metaOf(g, id, 'PermissionDecided').filter((m) => m.principal === 'approver').map((m) => m.scopes), [['approve']]);
});

test('MCP: a session-mode client (SDK, SSE answers) is held to its token\'s scopes too', async (t) => {
  const g = await startTestGateway({ tokens: SCOPED_TOKENS });
  t.after(() => g.dispose());
  const c = await connectSdkClient(g, READER);
  t.after(() => c.close());
  assert.equal((await c.client.listTools()).tools.length, gatewayTools(g.gw).length);
  const refused = await c.client.callTool({ name: 'acp_create_session', arguments: { agent: 'demo' } });
  assert.equal(refused.isError, true);
  assert.equal(textOf(refused), "Error: insufficient scope: needs 'prompt'");
  const id = (await g.api('POST', '/api/v1/sessions', { agent: 'demo' }, { token: ADMIN })).body.id;
  await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('logged'), { token: ADMIN });
  const page = await c.client.callTool({ name: 'acp_session_events', arguments: { session_id: id } });
  assert.equal(page.isError, undefined);
  assert.ok((page.structuredContent as { events: unknown[] }).events.length > 0);
});
