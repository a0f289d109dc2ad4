// GET /metrics after a busy run (sessions, turns of every ending, an approval, SSE and WebSocket streams, client
// errors): Prometheus's own linter (`promtool check metrics`) accepts the scrape, the histograms count exactly the
// turns and requests that happened, the gauges show live state, and the folds of the log come back after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOKEN, says, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { readSse } from '../helpers/sse.js';
import { Client, wsUrl } from '../helpers/ws-client.js';
import { eventually } from '../helpers/poll.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

function total(all: Sample[], name: string, where: Record<string, string> = {}): number {
  return all
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

/** Runs promtool over a scrape; without promtool the test fails and says how to get it. */
function promtoolCheck(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    assert.fail("promtool is not installed: it comes with Debian's `prometheus` package (as root: apt-get install -y prometheus; `make test` installs it when run as root)");
  }
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

async function scrape(g: TestGateway): Promise<string> {
  const r = await fetch(`${g.url}/metrics`);
  assert.equal(r.status, 200);
  return r.text();
}

test('metrics: promtool accepts a scrape after a busy run; histograms count the turns run; folds survive a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-promtool-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const g = await startTestGateway({ dir, permissions: { default: 'ask' } });
  t.after(() => g.close());
  const auth = { authorization: `Bearer ${TOKEN}` };

  const a = (await g.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id as string;
  const b = (await g.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id as string;
  assert.equal((await g.api('POST', `/api/v1/sessions/${a}/prompt`, says('hello'))).body.outcome, 'completed');
  await g.api('POST', `/api/v1/sessions/${a}/prompt`, says('/fail')); // the agent answers an error: a failed turn

  // a turn waiting on a person: the gauges show it, then it is decided
  const asking = g.api('POST', `/api/v1/sessions/${b}/prompt`, says('/permission edit Edit a file'));
  const approval = await eventually(async () => (await g.api('GET', '/api/v1/approvals')).body[0], 10_000, 'a pending approval');
  const during = samples(await scrape(g));
  assert.equal(total(during, 'aintegrix_turns_running', { agent: 'demo' }), 1);
  assert.equal(total(during, 'aintegrix_approvals_pending', { agent: 'demo' }), 1);
  assert.ok(total(during, 'aintegrix_agent_processes', { agent: 'demo' }) >= 2);
  assert.equal((await g.api('POST', `/api/v1/approvals/${approval.approval_id}`, { decision: 'allow_once' })).status, 200);
  assert.equal((await asking).body.outcome, 'completed');

  // a cancelled turn
  const slow = g.api('POST', `/api/v1/sessions/${b}/prompt`, says('/slow 20'));
  await eventually(async () => (await g.api('GET', `/api/v1/sessions/${b}`)).body.status === 'prompting', 10_000, 'the slow turn');
  await g.api('POST', `/api/v1/sessions/${b}/cancel`);
  assert.equal((await slow).body.outcome, 'cancelled');

  // streams: SSE on a session, SSE creating one, and a WebSocket client that prompts
  const sse = await readSse(`${g.url}/api/v1/sessions/${a}/stream`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(says('sse')) }, (f) => f.event === 'turn_complete');
  assert.ok(sse.frames.some((f) => f.event === 'turn_complete'));
  const created = await readSse(`${g.url}/api/v1/stream`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ agent: 'demo', ...says('new') }) }, (f) => f.event === 'turn_complete');
  assert.ok(created.frames.some((f) => f.event === 'turn_complete'));
  const ws = await Client.connect(wsUrl(g, `/api/v1/sessions/${a}/stream`), auth);
  t.after(() => ws.ws.terminate());
  ws.send({ type: 'prompt', messages: says('ws').messages });
  await ws.waitFor((m) => m.type === 'turn_complete');
  assert.ok(total(samples(await scrape(g)), 'aintegrix_stream_clients') >= 1, 'the open WebSocket');
  ws.ws.close();

  // client errors
  assert.equal((await g.api('GET', '/api/v1/sessions/demo_00000000-0000-0000-0000-000000000000')).status, 404);
  assert.equal((await g.api('POST', '/api/v1/sessions', { agent: 42 })).status, 400);
  assert.equal((await g.api('GET', '/api/v1/sessions', undefined, { token: 'wrong' })).status, 401);
  assert.equal((await fetch(`${g.url}/no/such/route`)).status, 404);

  const text = await scrape(g);
  const check = promtoolCheck(text);
  assert.equal(check.status, 0, `promtool check metrics:\n${check.output}`);
  assert.equal(check.output.trim(), '', 'no lint findings');
  assert.doesNotMatch(text, /process_process_/);
  for (const id of [a, b]) assert.doesNotMatch(text, new RegExp(id), 'no session ids as label values');
  assert.doesNotMatch(text, new RegExp(TOKEN), 'no tokens');

  // the turns actually run, from the sessions themselves
  const sessions = (await g.api('GET', '/api/v1/sessions')).body as { id: string; turns: number }[];
  const turnsRun = sessions.reduce((n, s) => n + s.turns, 0);
  const m = samples(text);
  assert.equal(turnsRun, 7);
  assert.equal(total(m, 'aintegrix_turn_duration_seconds_count'), turnsRun, 'one turn duration per turn run');
  for (const outcome of ['completed', 'failed', 'cancelled']) {
    assert.equal(
      total(m, 'aintegrix_turn_duration_seconds_count', { outcome }),
      total(m, 'aintegrix_turns_total', { outcome }),
      `turn durations of outcome ${outcome}`,
    );
  }
  assert.equal(total(m, 'aintegrix_turn_duration_seconds_bucket', { le: '+Inf' }), turnsRun);
  assert.equal(total(m, 'aintegrix_turn_first_update_seconds_count', { agent: 'demo' }) <= turnsRun, true);
  assert.ok(total(m, 'aintegrix_turn_first_update_seconds_count', { agent: 'demo' }) >= 5, 'echo turns stream updates');
  assert.equal(total(m, 'aintegrix_approval_wait_seconds_count', { decision: 'allow_once' }), 1);
  assert.ok(total(m, 'aintegrix_store_commit_seconds_count') > 0);
  assert.equal(total(m, 'aintegrix_store_commit_events_sum'), total(m, 'aintegrix_events_appended_total'), 'every appended event in one commit');
  // request durations: one per counted request, by route template
  const routes = new Set(m.filter((s) => s.name === 'aintegrix_http_requests_total').map((s) => `${s.labels.method} ${s.labels.route}`));
  assert.ok(routes.has('GET /api/v1/sessions/:id'));
  for (const r of routes) {
    const [method, route] = r.split(' ') as [string, string];
    assert.equal(
      total(m, 'aintegrix_http_request_duration_seconds_count', { method, route }),
      total(m, 'aintegrix_http_requests_total', { method, route }),
      `durations of ${r}`,
    );
  }
  for (const name of ['aintegrix_webhook_deliveries_total', 'aintegrix_orchestrations_total', 'aintegrix_budget_refusals_total']) {
    assert.match(text, new RegExp(`# TYPE ${name} counter`));
    assert.equal(total(m, name), 0);
  }
  await g.close();

  const again = await startTestGateway({ dir });
  t.after(() => again.dispose());
  const after = samples(await scrape(again));
  assert.equal(total(after, 'aintegrix_turn_duration_seconds_count'), turnsRun, 'turn durations are a fold of the log');
  assert.equal(total(after, 'aintegrix_approval_wait_seconds_count'), 1, 'approval waits too');
  assert.equal(total(after, 'aintegrix_turns_running'), 0);
  assert.equal(promtoolCheck(await (await fetch(`${again.url}/metrics`)).text()).status, 0);
});
