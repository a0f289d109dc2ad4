// Budgets: each kind (tokens per session, cost per day, prompts per hour) at each scope (session, agent, API token)
// refuses a prompt that would start over it, on every surface that submits prompts (REST, SSE, POST /stream,
// WebSocket, MCP), and stops a running turn that reports usage past it (session/cancel, outcome budget_exceeded, an
// event naming the budget). Budgets are folds of the log: a refusal holds after a restart.
import assert from 'node:assert/strict';
import test from 'node:test';
import { OTHER_TOKEN, TOKEN, says, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { callTool, connectSdkClient, textOf } from '../mcp/helpers.js';
import { Client, wsUrl } from '../helpers/ws-client.js';

async function session(g: TestGateway, agent = 'demo'): Promise<string> {
  const r = await g.api('POST', '/api/v1/sessions', { agent });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id as string;
}

function promptRest(g: TestGateway, id: string, text: string, token = TOKEN) {
  return g.api('POST', `/api/v1/sessions/${id}/prompt`, says(text), { token });
}

function eventsOf(g: TestGateway, id: string, type: string): any[] {
  return g.gw.store.readStream(`session:${id}`, 1, 100_000).filter((e) => e.type === type).map((e) => e.data);
}

function nextUtcMidnight(): string {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)).toISOString();
}

test('max_tokens_per_session (the session default): refused once reached, on every surface, and after a restart', async (t) => {
  const budgets = { session: { max_tokens_per_session: 1000 } };
  const g = await startTestGateway({ budgets });
  let restarted: TestGateway | undefined;
  t.after(async () => {
    await restarted?.dispose();
    await g.dispose();
  });
  const id = await session(g);
  const ok = await promptRest(g, id, '/usage 400 600');
  assert.equal(ok.status, 200, 'reaching the budget is allowed; going past it is not');
  assert.equal(ok.body.outcome, 'completed');

  const refused = await promptRest(g, id, 'one more');
  assert.equal(refused.status, 429, JSON.stringify(refused.body));
  assert.equal(refused.body.error.code, 'budget_exceeded');
  assert.match(refused.body.error.message, /session max_tokens_per_session \(1000\), usage 1000; it does not reset/);
  assert.deepEqual(refused.body.error.details, {
    budget: { scope: 'session', name: null, kind: 'max_tokens_per_session', limit: 1000 },
    usage: 1000,
    resets_at: null,
  });
  assert.equal(eventsOf(g, id, 'PromptSubmitted').length, 1, 'a refused prompt is no turn');

  // the same check on every surface that submits prompts
  const sse = await fetch(`${g.url}/api/v1/sessions/${id}/stream`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(says('over sse')),
  });
  assert.equal(sse.status, 429);
  assert.equal(((await sse.json()) as any).error.code, 'budget_exceeded');
  const mcp = await callTool(g, 'acp_prompt', { session_id: id, message: 'over mcp' });
  assert.equal(mcp.body.result.isError, true);
  assert.equal(mcp.body.result.content[0].text, `Error: ${refused.body.error.message}`);
  const sdk = await connectSdkClient(g); // an SDK client checks structured content against acp_prompt's output schema
  t.after(() => sdk.close());
  const viaSdk = await sdk.client.callTool({ name: 'acp_prompt', arguments: { session_id: id, message: 'over the sdk' } });
  assert.deepEqual([viaSdk.isError, textOf(viaSdk)], [true, `Error: ${refused.body.error.message}`]);
  const ws = await Client.connect(wsUrl(g, `/api/v1/sessions/${id}/stream?token=${TOKEN}`));
  t.after(() => ws.ws.close());
  ws.send({ type: 'prompt', ...says('over ws') });
  const err = await ws.waitFor((m) => m.type === 'error');
  assert.equal(err.data.code, 'budget_exceeded');
  assert.equal(err.data.details.budget.kind, 'max_tokens_per_session');
  ws.ws.close();

  const refusals = eventsOf(g, id, 'BudgetExceeded');
  assert.equal(refusals.length, 5, 'every refusal is recorded');
  assert.deepEqual(refusals[0], { action: 'prompt_refused', turn: null, ...refused.body.error.details });

  await g.close();
  restarted = await startTestGateway({ dir: g.dir, budgets });
  const again = await promptRest(restarted, id, 'after the restart');
  assert.equal(again.status, 429, 'the budget is a fold of the log');
  assert.deepEqual(again.body.error.details, refused.body.error.details);
});

test('max_cost_per_day of an agent: every session of the agent is refused until the next UTC day; POST /stream too', async (t) => {
  const g = await startTestGateway({ agents: { demo: {}, other: {} }, budgets: { agents: { demo: { max_cost_per_day: { USD: 0.05 } } } } });
  t.after(() => g.dispose());
  const a = await session(g);
  assert.equal((await promptRest(g, a, '/usage 1 1 0.02 USD')).status, 200);
  assert.equal((await promptRest(g, a, '/usage 1 1 0.03 USD')).status, 200);
  assert.equal((await promptRest(g, a, '/usage 1 1 7 EUR')).status, 429, 'the day is spent; another currency changes nothing');
  const b = await session(g);
  const refused = await promptRest(g, b, 'a fresh session of the same agent');
  assert.equal(refused.status, 429);
  assert.deepEqual(refused.body.error.details, {
    budget: { scope: 'agent', name: 'demo', kind: 'max_cost_per_day', limit: 0.05, currency: 'USD' },
    usage: 0.05,
    resets_at: nextUtcMidnight(),
  });
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
  const stream = await fetch(`${g.url}/api/v1/stream`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ agent: 'demo', ...says('over') }),
  });
  assert.equal(stream.status, 429);
  const c = await session(g, 'other');
  assert.equal((await promptRest(g, c, '/usage 1 1 5 USD')).status, 200, 'another agent has its own budget (none)');
});

test('max_prompts_per_hour of an API token: its third prompt in an hour is refused, other tokens go on', async (t) => {
  const budgets = { tokens: { other: { max_prompts_per_hour: 2 } } };
  const g = await startTestGateway({ budgets });
  let restarted: TestGateway | undefined;
  t.after(async () => {
    await restarted?.dispose();
    await g.dispose();
  });
  const a = await session(g);
  const b = await session(g);
  assert.equal((await promptRest(g, a, 'one', OTHER_TOKEN)).status, 200);
  assert.equal((await promptRest(g, b, 'two', OTHER_TOKEN)).status, 200);
  const refused = await promptRest(g, a, 'three', OTHER_TOKEN);
  assert.equal(refused.status, 429);
  const first = g.gw.store.readStream(`session:${a}`, 1, 1000).find((e) => e.type === 'PromptSubmitted')!;
  assert.deepEqual(refused.body.error.details, {
    budget: { scope: 'token', name: 'other', kind: 'max_prompts_per_hour', limit: 2 },
    usage: 2,
    resets_at: new Date(first.at + 3600_000).toISOString(),
  });
  assert.equal((await promptRest(g, a, 'tester is not limited')).status, 200);
  await g.close();
  restarted = await startTestGateway({ dir: g.dir, budgets });
  assert.equal((await promptRest(restarted, b, 'four', OTHER_TOKEN)).status, 429, 'the hour is a fold of the log');
});

test('a running turn that reports usage past a budget is cancelled and ends budget_exceeded', async (t) => {
  const g = await startTestGateway({
    agents: { demo: {}, metered: {} },
    budgets: { session: { max_tokens_per_session: 1000 }, agents: { metered: { max_cost_per_day: { USD: 1 } } } },
  });
  t.after(() => g.dispose());

  await t.test('tokens: the context window holds more than the session may use', async () => {
    const id = await session(g);
    const r = await promptRest(g, id, '/usage 700 600 wait=600');
    assert.equal(r.status, 429, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'budget_exceeded');
    assert.match(r.body.error.message, /session max_tokens_per_session \(1000\)/);
    assert.deepEqual([r.body.error.details.outcome, r.body.error.details.stop_reason], ['budget_exceeded', 'cancelled']);
    const [exceeded] = eventsOf(g, id, 'BudgetExceeded');
    assert.deepEqual(exceeded, {
      action: 'turn_cancelled',
      turn: 1,
      budget: { scope: 'session', name: null, kind: 'max_tokens_per_session', limit: 1000 },
      usage: 1300,
      resets_at: null,
    });
    assert.deepEqual(eventsOf(g, id, 'TurnCancelRequested'), [{ turn: 1, reason: 'budget', budget: 'session max_tokens_per_session (1000)' }]);
    const cancel = g.gw.store
      .readStream(`session:${id}`, 1, 100_000)
      .filter((e) => e.type === 'AcpMessage' && (e.data as any).msg?.method === 'session/cancel');
    assert.equal(cancel.length, 1, 'session/cancel was sent to the agent');
    const [ended] = eventsOf(g, id, 'TurnEnded');
    assert.equal(ended.outcome, 'budget_exceeded');
    assert.equal((await promptRest(g, id, 'next')).status, 429, 'and the next prompt is refused');
  });

  await t.test('cost: the cumulative cost of the day passes the agent budget', async () => {
    const id = await session(g, 'metered');
    assert.equal((await promptRest(g, id, '/usage 1 1 0.4 USD')).status, 200);
    const r = await promptRest(g, id, '/usage 1 1 0.7 USD wait=600');
    assert.equal(r.status, 429);
    assert.equal(r.body.error.details.outcome, 'budget_exceeded');
    const exceeded = eventsOf(g, id, 'BudgetExceeded');
    assert.deepEqual(exceeded.map((e) => [e.action, e.turn, e.budget.kind, e.budget.name, e.usage]), [['turn_cancelled', 2, 'max_cost_per_day', 'metered', 1.1]]);
    const usage = await g.api('GET', `/api/v1/usage?session=${id}`);
    assert.deepEqual(usage.body.totals.cost, { USD: 1.1 }, 'the cancelled turn keeps the cost it reported');
  });
});
