// GET /metrics: Prometheus text, the original's four counters, counters folded from the log (so they survive a
// restart), and the optional token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOKEN, says, startTestGateway } from '../helpers/gateway.js';

function value(text: string, line: string): number {
  const hit = text.split('\n').find((l) => l.startsWith(line + ' '));
  return hit ? Number(hit.slice(line.length + 1)) : NaN;
}

test('metrics: the original counters, labelled by agent, folded from the log across a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-metrics-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const g = await startTestGateway({ dir });
  const id = (await g.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id;
  await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('a'));
  await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/exit'));
  const r = await fetch(`${g.url}/metrics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /text\/plain/);
  const text = await r.text();
  for (const name of ['aintegrix_http_requests_total', 'aintegrix_sessions_created_total', 'aintegrix_prompts_total', 'aintegrix_agent_restarts_total']) {
    assert.match(text, new RegExp(`# TYPE ${name} counter`));
  }
  assert.equal(value(text, 'aintegrix_sessions_created_total{agent="demo"}'), 1);
  assert.equal(value(text, 'aintegrix_prompts_total{agent="demo"}'), 2);
  assert.equal(value(text, 'aintegrix_turns_total{agent="demo",outcome="completed"}'), 1);
  assert.equal(value(text, 'aintegrix_turns_total{agent="demo",outcome="failed"}'), 1);
  assert.equal(value(text, 'aintegrix_sessions_active{agent="demo"}'), 1);
  assert.ok(value(text, 'aintegrix_http_requests_total{method="POST",route="/api/v1/sessions/:id/prompt",status="200"}') >= 1);
  assert.doesNotMatch(text, new RegExp(id), 'no session ids as labels');
  await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('b')); // respawns the agent: a restart
  assert.equal(value(await (await fetch(`${g.url}/metrics`)).text(), 'aintegrix_agent_restarts_total{agent="demo"}'), 1);
  await g.close();

  const again = await startTestGateway({ dir, server: { metrics_public: false } });
  t.after(() => again.dispose());
  assert.equal((await fetch(`${again.url}/metrics`)).status, 401, 'metrics can require the token');
  const after = await (await fetch(`${again.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  assert.equal(value(after, 'aintegrix_prompts_total{agent="demo"}'), 3, 'counters come back from the log');
  assert.equal(value(after, 'aintegrix_agent_restarts_total{agent="demo"}'), 1);
});

test('metrics: budget refusals are counted from the BudgetExceeded events, across a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-metrics-budget-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const budgets = { session: { max_prompts_per_hour: 1 } };
  const g = await startTestGateway({ dir, budgets });
  const id = (await g.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id;
  assert.equal((await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('a'))).status, 200);
  assert.equal((await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('b'))).status, 429);
  const line = 'aintegrix_budget_refusals_total{agent="demo",scope="session",kind="max_prompts_per_hour",action="prompt_refused"}';
  assert.equal(value(await (await fetch(`${g.url}/metrics`)).text(), line), 1);
  await g.close();
  const again = await startTestGateway({ dir, budgets });
  t.after(() => again.dispose());
  assert.equal(value(await (await fetch(`${again.url}/metrics`)).text(), line), 1, 'a fold of the log');
});
