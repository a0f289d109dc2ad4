// claude-agent-acp@0.23.1 behind the gateway, over REST, against the fake Anthropic API: a prompt answered by the
// fake model, a Bash tool call that asks permission (policy ask) and really runs once approved, the reject path, cancel
// of a turn stuck on a model that never answers and on one that cannot be reached, and the agent's schema-breaking
// `usage_update` ("used": null) kept in the log exactly as sent, and the turn's tokens and cost in the usage report.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FAKE_TEXT_PREFIX, TOOL_RESULT_PREFIX, startFakeAnthropic, type FakeAnthropic } from './fake-anthropic.js';
import {
  acpMessages,
  eventually,
  says,
  startRealGateway,
  updates,
  writeClaudeConfig,
  type RealGateway,
  type RealSetup,
} from './real-gateway.js';

const LONG = { timeout: 180_000 };
let fake: FakeAnthropic;
let setup: RealSetup;
let g: RealGateway;

before(async () => {
  fake = await startFakeAnthropic();
  // a second agent whose model endpoint refuses connections: the CLI keeps retrying, the turn is stuck
  setup = writeClaudeConfig({ agents: { claude: fake.url, 'claude-offline': `http://127.0.0.1:${await refusedPort()}` } });
  g = await startRealGateway(setup);
});

after(async () => {
  await g?.close();
  await fake?.close();
  setup?.dispose();
});

/** A new session, closed (DELETE: cancel, session/close, stop the agent) when the test ends: max_sessions is 3. */
async function createSession(t: TestContext, agent = 'claude'): Promise<{ id: string; workspace: string; acpId: string }> {
  const c = await g.api('POST', '/api/v1/sessions', { agent });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  t.after(async () => {
    const closed = await g.api('DELETE', `/api/v1/sessions/${c.body.id}`);
    assert.equal(closed.status, 204, JSON.stringify(closed.body));
  });
  assert.equal(c.body.agent, agent);
  const d = await g.api('GET', `/api/v1/sessions/${c.body.id}`);
  assert.equal(d.body.agent_info?.name, '@zed-industries/claude-agent-acp');
  return { id: c.body.id, workspace: d.body.workspace_root, acpId: d.body.acp_session_id };
}

function events(id: string) {
  return g.gw.store.readStream(`session:${id}`);
}

test('a prompt is answered by the fake model; the usage_update with "used": null is logged exactly as sent', LONG, async (t) => {
  const s = await createSession(t);
  const r = await g.api('POST', `/api/v1/sessions/${s.id}/prompt`, says('hello from the gateway'));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.stop_reason, 'end_turn');
  assert.equal(r.body.outcome, 'completed');
  assert.equal(r.body.text, `${FAKE_TEXT_PREFIX}hello from the gateway`);
  assert.ok(fake.requests.some((q) => q.answer === 'text' && JSON.stringify(q.body).includes('hello from the gateway')), 'the model saw the prompt');

  // claude-agent-acp sums usage fields the API may leave out: NaN → JSON null, a schema violation. The SDK client
  // drops such an update; the gateway must still have it, unchanged, in the log.
  const usageMsgs = acpMessages(events(s.id), 'in').filter((m) => m.params?.update?.sessionUpdate === 'usage_update');
  assert.equal(usageMsgs.length, 1, 'one usage_update in the turn');
  const sent = usageMsgs[0];
  assert.deepEqual(Object.keys(sent), ['jsonrpc', 'method', 'params'], 'no field added or dropped');
  assert.deepEqual(sent, {
    jsonrpc: '2.0',
    method: 'session/update',
    params: { sessionId: s.acpId, update: { sessionUpdate: 'usage_update', used: null, size: 200000, cost: { amount: sent.params.update.cost.amount, currency: 'USD' } } },
  });
  assert.ok(typeof sent.params.update.cost.amount === 'number' && sent.params.update.cost.amount > 0);
  // the stored text is the agent's line byte for byte (the SDK on the agent side writes compact JSON in this order)
  const line =
    `{"jsonrpc":"2.0","method":"session/update","params":{"sessionId":"${s.acpId}","update":{"sessionUpdate":"usage_update",` +
    `"used":null,"size":200000,"cost":{"amount":${JSON.stringify(sent.params.update.cost.amount)},"currency":"USD"}}}}`;
  const stored = events(s.id).find((e) => e.type === 'AcpMessage' && e.dataText.includes('"usage_update"'))!;
  assert.equal(stored.dataText, `{"dir":"in","msg":${line}}`);
  // and the turn's usage as clients see it keeps it too (no 0 or NaN made up)
  assert.equal(r.body.usage?.context?.used, null, JSON.stringify(r.body.usage));

  // the usage report: tokens from the PromptResponse (the fake model counts them), cost from the usage_update
  const reported = r.body.usage as { inputTokens: number; outputTokens: number; cachedReadTokens?: number };
  assert.ok(reported.inputTokens > 0 && reported.outputTokens > 0, JSON.stringify(reported));
  const usage = await g.api('GET', `/api/v1/usage?session=${s.id}`);
  assert.equal(usage.status, 200, JSON.stringify(usage.body));
  assert.deepEqual(usage.body.totals, {
    prompts: 1,
    turns: 1,
    input_tokens: reported.inputTokens,
    output_tokens: reported.outputTokens,
    cached_tokens: reported.cachedReadTokens ?? 0,
    cost: { USD: Math.round(sent.params.update.cost.amount * 1e9) / 1e9 },
    usage_reported: true,
    turns_without_usage: 0,
  });
});

test('a Bash tool call asks permission; approved over REST it really runs in the session workspace', LONG, async (t) => {
  const s = await createSession(t);
  const turn = g.api('POST', `/api/v1/sessions/${s.id}/prompt`, says('RUN: touch made-by-claude.txt'));
  const approval = await eventually(async () => (await g.api('GET', `/api/v1/approvals?session_id=${s.id}`)).body[0], 60_000, 'a pending approval');
  assert.equal(approval.method, 'session/request_permission');
  assert.equal(approval.tool_call.kind, 'execute');
  assert.equal(approval.tool_call.rawInput.command, 'touch made-by-claude.txt');
  assert.deepEqual(
    approval.options.map((o: { optionId: string; kind: string }) => [o.optionId, o.kind]),
    [['allow_always', 'allow_always'], ['allow', 'allow_once'], ['reject', 'reject_once']],
  );
  const detail = await g.api('GET', `/api/v1/sessions/${s.id}`);
  assert.equal(detail.body.status, 'awaiting_permission');
  assert.equal(existsSync(join(s.workspace, 'made-by-claude.txt')), false, 'nothing ran before the decision');

  const d = await g.api('POST', `/api/v1/approvals/${approval.approval_id}`, { decision: 'allow_once' });
  assert.equal(d.status, 200, JSON.stringify(d.body));
  assert.equal(d.body.option_id, 'allow', 'the agent-offered allow_once option');
  const r = await turn;
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.stop_reason, 'end_turn');
  assert.ok(existsSync(join(s.workspace, 'made-by-claude.txt')), 'the command ran in the workspace');
  assert.match(r.body.text, new RegExp(`${TOOL_RESULT_PREFIX}.*completed with no output`), 'the model got the tool result');

  const answer = acpMessages(events(s.id), 'out').find((m) => m.id !== undefined && m.result?.outcome?.optionId === 'allow');
  assert.ok(answer, 'the permission request was answered with the allow option');
  const statuses = updates(events(s.id), 'tool_call_update').map((u) => u.status).filter(Boolean);
  assert.ok(statuses.includes('completed'), `tool call completed: ${statuses.join(', ')}`);
  const decided = events(s.id).find((e) => e.type === 'PermissionDecided')!;
  assert.equal((decided.data as { decided_by: string }).decided_by, 'tester');
});

test('in its bwrap sandbox the agent\'s Bash sees neither the data dir nor the gateway\'s /proc', LONG, async (t) => {
  const s = await createSession(t);
  const spawned = g.gw.store.iterate({ type: 'AgentProcessSpawned' });
  assert.ok([...spawned].every((e) => (e.data as { sandbox?: string }).sandbox === 'bwrap'), 'every claude process ran in the sandbox');
  const command = `ls ${setup.dataDir}; cat /proc/${process.pid}/environ; echo checked`;
  const turn = g.api('POST', `/api/v1/sessions/${s.id}/prompt`, says(`RUN: ${command}`));
  const approval = await eventually(async () => (await g.api('GET', `/api/v1/approvals?session_id=${s.id}`)).body[0], 60_000, 'a pending approval');
  assert.equal((await g.api('POST', `/api/v1/approvals/${approval.approval_id}`, { decision: 'allow_once' })).status, 200);
  const r = await turn;
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.match(r.body.text, new RegExp(`${TOOL_RESULT_PREFIX}`), 'the model got the tool result');
  assert.match(r.body.text, /checked/, 'the command ran');
  assert.match(r.body.text, new RegExp(`ls: cannot access '${setup.dataDir}': No such file or directory`));
  assert.match(r.body.text, new RegExp(`/proc/${process.pid}/environ: No such file or directory`));
  assert.doesNotMatch(r.body.text, /aintegrix\.db|real-test-token/);
});

test('a rejected Bash call fails the tool call and the turn still ends', LONG, async (t) => {
  const s = await createSession(t);
  const turn = g.api('POST', `/api/v1/sessions/${s.id}/prompt`, says('RUN: touch must-not-exist.txt'));
  const approval = await eventually(async () => (await g.api('GET', `/api/v1/approvals?session_id=${s.id}`)).body[0], 60_000, 'a pending approval');
  const d = await g.api('POST', `/api/v1/approvals/${approval.approval_id}`, { decision: 'reject_once', reason: 'not today' });
  assert.equal(d.status, 200, JSON.stringify(d.body));
  assert.equal(d.body.option_id, 'reject');
  const r = await turn;
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.stop_reason, 'end_turn');
  assert.equal(r.body.outcome, 'completed');
  assert.equal(existsSync(join(s.workspace, 'must-not-exist.txt')), false, 'the command never ran');
  assert.match(r.body.text, new RegExp(`${TOOL_RESULT_PREFIX}\\[error\\] User refused permission`));
  const failed = updates(events(s.id), 'tool_call_update').find((u) => u.status === 'failed');
  assert.ok(failed, 'a tool_call_update with status failed is in the log');
  assert.equal(failed.toolCallId, approval.tool_call.toolCallId);
  assert.equal((await g.api('GET', `/api/v1/sessions/${s.id}`)).body.status, 'idle');
});

test('cancel of a turn stuck on a model that never answers returns cancelled; the session goes on', LONG, async (t) => {
  const s = await createSession(t);
  const turn = g.api('POST', `/api/v1/sessions/${s.id}/prompt`, says('HANG until cancelled'));
  await eventually(() => fake.openHangs() > 0, 60_000, 'the model request to hang');
  const c = await g.api('POST', `/api/v1/sessions/${s.id}/cancel`);
  assert.equal(c.status, 200, JSON.stringify(c.body));
  const r = await turn;
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.stop_reason, 'cancelled');
  assert.equal(r.body.outcome, 'cancelled');
  const reply = acpMessages(events(s.id), 'in').find((m) => m.result?.stopReason === 'cancelled');
  assert.ok(reply, 'the agent itself answered the prompt with cancelled (not the gateway giving up)');
  await eventually(() => fake.openHangs() === 0, 10_000, 'the agent to drop the stuck model request');

  // claude-agent-acp 0.23.1 answers the first prompt after a cancel at once with end_turn and no text (it consumes
  // the interrupted query's result), and the model's answer to it arrives in the next turn. What the gateway must
  // guarantee: every turn ends and the conversation continues.
  const first = await g.api('POST', `/api/v1/sessions/${s.id}/prompt`, says('first after the cancel'));
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.outcome, 'completed');
  const second = await g.api('POST', `/api/v1/sessions/${s.id}/prompt`, says('second after the cancel'));
  assert.equal(second.status, 200, JSON.stringify(second.body));
  assert.match(`${first.body.text}${second.body.text}`, new RegExp(`${FAKE_TEXT_PREFIX}second after the cancel`));
});

test('cancel of a turn stuck on an unreachable model returns cancelled', LONG, async (t) => {
  const s = await createSession(t, 'claude-offline');
  const turn = g.api('POST', `/api/v1/sessions/${s.id}/prompt`, says('nobody is listening'));
  // the CLI retries the refused connection; wait until the turn is surely under way in the agent
  await eventually(async () => (await g.api('GET', `/api/v1/sessions/${s.id}`)).body.status === 'prompting', 10_000, 'prompting');
  await new Promise((r) => setTimeout(r, 2000));
  const c = await g.api('POST', `/api/v1/sessions/${s.id}/cancel`);
  assert.equal(c.status, 200, JSON.stringify(c.body));
  const r = await turn;
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.stop_reason, 'cancelled');
  assert.ok(acpMessages(events(s.id), 'in').some((m) => m.result?.stopReason === 'cancelled'), 'answered by the agent');
});

function refusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
