// Turns: busy sessions, reads during a slow turn, cancel, timeout, an agent that dies mid-turn, restarts, and the raw
// protocol traffic in the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { says, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/poll.js';

async function session(g: TestGateway, agent = 'demo'): Promise<string> {
  const r = await g.api('POST', '/api/v1/sessions', { agent });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

test('GET answers while a slow turn runs; a second prompt is 409 session_busy; cancel ends the turn cancelled', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const id = await session(g);
  const slow = g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/slow 30'));
  await eventually(async () => (await g.api('GET', `/api/v1/sessions/${id}`)).body.status === 'prompting', 5000, 'prompting');
  const started = Date.now();
  const during = await g.api('GET', `/api/v1/sessions/${id}`);
  assert.ok(Date.now() - started < 1000, 'GET does not wait for the running prompt');
  assert.equal(during.body.status, 'prompting');
  assert.equal(during.body.current_turn.turn, 1);
  const list = await g.api('GET', '/api/v1/sessions');
  assert.equal(list.body[0].status, 'prompting');
  const status = await g.api('GET', '/api/v1/agents/status');
  assert.equal(status.body[0].status, 'busy');

  const busy = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('again'));
  assert.equal(busy.status, 409);
  assert.equal(busy.body.error.code, 'session_busy');

  const cancel = await g.api('POST', `/api/v1/sessions/${id}/cancel`);
  assert.equal(cancel.status, 200);
  assert.deepEqual(cancel.body, { cancelled: true, turn: 1 });
  const r = await slow;
  assert.equal(r.status, 200);
  assert.equal(r.body.stop_reason, 'cancelled');
  assert.equal(r.body.outcome, 'cancelled');
  assert.match(r.body.text, /slow 1\//);
  // idle again; cancelling an idle session is a no-op
  assert.deepEqual((await g.api('POST', `/api/v1/sessions/${id}/cancel`)).body, { cancelled: false, turn: null });
  assert.equal((await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('after'))).body.text, 'echo: after');
  const types = g.gw.store.readStream(`session:${id}`).map((e) => e.type);
  assert.ok(types.includes('TurnCancelRequested'));
  const cancelMsg = g.gw.store
    .readStream(`session:${id}`)
    .filter((e) => e.type === 'AcpMessage')
    .map((e) => e.data as { dir: string; msg: { method?: string } })
    .find((m) => m.dir === 'out' && m.msg.method === 'session/cancel');
  assert.ok(cancelMsg, 'session/cancel went to the agent and is in the log');
  const req = g.gw.store.readStream(`session:${id}`).find((e) => e.type === 'TurnCancelRequested')!;
  assert.equal(req.meta.principal, 'tester', 'who cancelled is recorded (the token name, never the token)');
  assert.ok(!JSON.stringify(req.meta).includes('test-token'));
});

test('DELETE during a running turn cancels it and stops the agent', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const id = await session(g);
  const slow = g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/slow 30'));
  await eventually(async () => (await g.api('GET', `/api/v1/sessions/${id}`)).body.status === 'prompting', 5000, 'prompting');
  const pid = g.gw.sessions.liveFor(g.gw.sessions.actor(id)).connection!.pid;
  assert.equal((await g.api('DELETE', `/api/v1/sessions/${id}`)).status, 204);
  const r = await slow;
  assert.ok(r.body.stop_reason === 'cancelled' || r.body.error?.code === 'session_closed', JSON.stringify(r.body));
  assert.throws(() => process.kill(pid, 0));
  assert.equal((await g.api('GET', `/api/v1/sessions/${id}`)).body.status, 'closed');
});

test('a prompt that runs past prompt_timeout_secs is cancelled and reported as prompt_timeout', async (t) => {
  const g = await startTestGateway({ server: { prompt_timeout_secs: 1 } });
  t.after(() => g.dispose());
  const id = await session(g);
  const r = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/slow 20'));
  assert.equal(r.status, 504);
  assert.equal(r.body.error.code, 'prompt_timeout');
  assert.equal(r.body.error.details.outcome, 'timeout');
  const cancel = g.gw.store.readStream(`session:${id}`).find((e) => e.type === 'TurnCancelRequested')!;
  assert.equal((cancel.data as { reason: string }).reason, 'timeout');
  // the process is restarted for the next turn, which resumes the same ACP session
  const next = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/history'));
  assert.equal(next.status, 200);
  assert.match(next.body.text, /1\. \/slow 20/);
});

test('an agent that exits mid-turn: the client gets an error within a second; the next prompt respawns it', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const id = await session(g);
  await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('remember me'));
  const started = Date.now();
  const r = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/exit 7'));
  const elapsed = Date.now() - started;
  assert.equal(r.status, 502);
  assert.equal(r.body.error.code, 'agent_exited');
  assert.match(r.body.error.message, /code 7/);
  assert.ok(elapsed < 1000, `error seen after ${elapsed} ms`);
  const detached = g.gw.store.readStream(`session:${id}`).find((e) => e.type === 'AgentDetached')!;
  assert.equal((detached.data as { code: number }).code, 7);
  assert.match((detached.data as { stderr_tail: string }).stderr_tail, /exiting mid-turn/);
  assert.equal((await g.api('GET', `/api/v1/sessions/${id}`)).body.status, 'idle');

  const again = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/history'));
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.match(again.body.text, /1\. remember me/, 'the respawned agent resumed the conversation');
  const s = (await g.api('GET', `/api/v1/sessions/${id}`)).body;
  assert.equal(s.attach.count, 2);
  assert.equal(s.attach.path, 'resume');
  const status = (await g.api('GET', '/api/v1/agents/status')).body[0];
  assert.equal(status.restarts, 1);
  assert.equal(status.last_error.code, 'agent_exited');
});

test('without auto_restart an agent exit fails the session', async (t) => {
  const g = await startTestGateway({ agents: { demo: { auto_restart: false } } });
  t.after(() => g.dispose());
  const id = await session(g);
  const r = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/exit'));
  assert.equal(r.body.error.code, 'agent_exited');
  const s = await g.api('GET', `/api/v1/sessions/${id}`);
  assert.equal(s.body.status, 'failed');
  assert.equal((await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('x'))).status, 409);
});

test('raw traffic is recorded as sent: non-JSON lines, unknown update kinds, usage with used: null', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const id = await session(g);
  const junk = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/junk'));
  assert.equal(junk.body.text, 'echo: /junk', 'a non-JSON line does not break the connection');
  const unknown = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/unknown'));
  assert.equal(unknown.status, 200);
  const plan = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/plan'));
  assert.deepEqual(plan.body.usage.inputTokens, 1000);
  const stream = g.gw.store.readStream(`session:${id}`);
  const skipped = stream.find((e) => e.type === 'AgentOutputSkipped')!;
  assert.equal((skipped.data as { line: string }).line, 'this is not json');
  const updates = stream
    .filter((e) => e.type === 'AcpMessage')
    .map((e) => (e.data as { msg: { params?: { update?: Record<string, unknown> } } }).msg.params?.update)
    .filter((u): u is Record<string, unknown> => !!u);
  assert.ok(updates.some((u) => u.sessionUpdate === 'future_kind'), 'unknown update kinds are kept');
  const usage = updates.find((u) => u.sessionUpdate === 'usage_update' && u.used === null);
  assert.ok(usage, 'usage_update with used: null is kept exactly');
  assert.equal(usage!.size, 200000);
});

test('a turn in the log: its PromptSubmitted committed first, then the session/prompt as written to the agent, the answer and TurnEnded', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const id = await session(g);
  const before = g.gw.store.streamVersion(`session:${id}`);
  const r = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/chunks 2'));
  assert.equal(r.body.outcome, 'completed');
  const turn = g.gw.store.readStream(`session:${id}`, before + 1);
  const kinds = turn.map((e) => {
    const msg = (e.data as { dir?: string; msg?: { method?: string; result?: unknown; params?: { update?: { sessionUpdate?: string } } } }).msg;
    if (e.type !== 'AcpMessage') return e.type;
    return `${(e.data as { dir: string }).dir}:${msg?.method === 'session/update' ? msg.params?.update?.sessionUpdate : (msg?.method ?? 'result')}`;
  });
  assert.deepEqual(kinds, ['PromptSubmitted', 'out:session/prompt', 'in:agent_message_chunk', 'in:agent_message_chunk', 'in:result', 'TurnEnded']);
  // what we sent is stored as the line we wrote (serialised once), and it is a JSON-RPC request of the prompt
  const sent = turn[1]!;
  const line = JSON.parse(sent.dataText) as { dir: string; msg: { jsonrpc: string; id: unknown; method: string; params: { prompt: unknown } } };
  assert.deepEqual(sent.data, line);
  assert.equal(line.msg.jsonrpc, '2.0');
  assert.deepEqual(line.msg.params.prompt, (turn[0]!.data as { prompt: unknown }).prompt);
  // the prompt was on record before it was sent: its commit came first
  assert.ok(turn[0]!.position < sent.position);
  assert.equal((turn[5]!.data as { text: string }).text, r.body.text);
});

test('prompt_prefix and prompt_suffix wrap the prompt', async (t) => {
  const g = await startTestGateway({ agents: { demo: { prompt_prefix: 'PREFIX:', prompt_suffix: ':SUFFIX' } } });
  t.after(() => g.dispose());
  const id = await session(g);
  const r = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('middle'));
  assert.equal(r.body.text, 'echo: PREFIX:\nmiddle\n:SUFFIX');
});

test('restart back-off: consecutive crashes wait longer each time, then the gateway gives up and fails the session', async (t) => {
  const g = await startTestGateway({ restartBackoffMs: [100, 200, 400] });
  t.after(() => g.dispose());
  const id = await session(g);
  const waits: number[] = [];
  let last = Date.now();
  for (let i = 0; i < 4; i++) {
    const r = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/exit 9'));
    assert.equal(r.body.error.code, 'agent_exited', `crash ${i + 1}`);
    waits.push(Date.now() - last);
    last = Date.now();
  }
  // the 2nd, 3rd and 4th prompts each waited for the back-off before respawning
  assert.ok(waits[1]! >= 100 && waits[2]! >= 200 && waits[3]! >= 400, `waits ${waits.join(', ')}`);
  const gaveUp = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('hello?'));
  assert.equal(gaveUp.status, 503);
  assert.equal(gaveUp.body.error.code, 'agent_failed');
  assert.equal((await g.api('GET', `/api/v1/sessions/${id}`)).body.status, 'failed');
  const status = (await g.api('GET', '/api/v1/agents/status')).body[0];
  assert.equal(status.last_error.code, 'agent_failed');
  assert.equal(status.restarts, 3);
});
