// Usage per turn, a fold of the log: tokens and cost from the demo agent's scripted usage (usage_update with a
// cumulative cost, usage in the PromptResponse), turns of an agent that reports none, grouping by every key, time
// windows, bad query values, each session's usage, the MCP tool acp_usage, and the same figures after a restart.
import assert from 'node:assert/strict';
import test from 'node:test';
import { OTHER_TOKEN, says, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { callTool } from '../mcp/helpers.js';

async function session(g: TestGateway, agent = 'demo'): Promise<string> {
  const r = await g.api('POST', '/api/v1/sessions', { agent });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id as string;
}

async function prompt(g: TestGateway, id: string, text: string, token?: string): Promise<any> {
  const r = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says(text), token ? { token } : {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

async function usage(g: TestGateway, query: string): Promise<any> {
  const r = await g.api('GET', `/api/v1/usage${query}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

const none = { prompts: 0, turns: 0, input_tokens: 0, output_tokens: 0, cached_tokens: 0, cost: {}, usage_reported: false, turns_without_usage: 0 };

test('usage from scripted reports, from an agent that reports none, grouped, windowed, per session, over MCP, after a restart', async (t) => {
  const g = await startTestGateway({ agents: { demo: {}, mute: { flags: ['--no-usage'] } } });
  let restarted: TestGateway | undefined;
  t.after(async () => {
    await restarted?.dispose();
    await g.dispose();
  });

  const a = await session(g);
  const b = await session(g);
  const m = await session(g, 'mute');
  await prompt(g, a, '/usage 100 20 0.5 USD cached=7');
  await prompt(g, a, '/usage 200 30 0.25 USD');
  await prompt(g, b, '/usage 1000 1 3 EUR', OTHER_TOKEN);
  await prompt(g, m, '/usage 5000 5000 9 USD'); // the agent reports nothing: nothing is invented
  await prompt(g, m, 'plain echo', OTHER_TOKEN);
  await prompt(g, b, 'plain echo');

  await t.test('per session: tokens from PromptResponse.usage, cost from the cumulative usage_update', async () => {
    const r = await usage(g, `?session=${a}`);
    assert.deepEqual(r.totals, { prompts: 2, turns: 2, input_tokens: 300, output_tokens: 50, cached_tokens: 7, cost: { USD: 0.75 }, usage_reported: true, turns_without_usage: 0 });
    assert.deepEqual(r.groups, []);
    const detail = await g.api('GET', `/api/v1/sessions/${a}`);
    assert.deepEqual(detail.body.usage, r.totals, 'GET /sessions/{id} carries the same figures');
  });

  await t.test('an agent that reports nothing counts prompts and turns only, and says so', async () => {
    const r = await usage(g, '?agent=mute');
    assert.deepEqual(r.totals, { ...none, prompts: 2, turns: 2, turns_without_usage: 2 });
    const detail = await g.api('GET', `/api/v1/sessions/${m}`);
    assert.equal(detail.body.usage.usage_reported, false);
  });

  await t.test('group_by agent, model, session, token and day', async () => {
    const byAgent = await usage(g, '?group_by=agent');
    assert.deepEqual(byAgent.totals.cost, { USD: 0.75, EUR: 3 });
    assert.deepEqual(
      byAgent.groups.map((x: any) => [x.key, x.prompts, x.turns, x.input_tokens, x.turns_without_usage]),
      [
        ['demo', 4, 4, 1300, 1],
        ['mute', 2, 2, 0, 2],
      ],
    );
    const bySession = await usage(g, '?group_by=session');
    assert.deepEqual(bySession.groups.map((x: any) => [x.key, x.prompts, x.output_tokens]), [
      [a, 2, 50],
      [b, 2, 1],
      [m, 2, 0],
    ]);
    const byToken = await usage(g, '?group_by=token');
    assert.deepEqual(byToken.groups.map((x: any) => [x.key, x.prompts, x.input_tokens, x.cost]), [
      ['tester', 4, 300, { USD: 0.75 }],
      ['other', 2, 1000, { EUR: 3 }],
    ]);
    const onlyOther = await usage(g, '?token=other&agent=demo');
    assert.deepEqual([onlyOther.totals.prompts, onlyOther.totals.cost], [1, { EUR: 3 }]);
    const model = (await g.api('GET', `/api/v1/sessions/${a}`)).body.model;
    const byModel = await usage(g, '?group_by=model&agent=demo');
    assert.deepEqual(byModel.groups.map((x: any) => [x.key, x.prompts]), [[model, 4]]);
    const byDay = await usage(g, '?group_by=day');
    const days = byDay.groups.map((x: any) => x.key);
    assert.ok(days.every((d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d)), JSON.stringify(days));
    assert.equal(byDay.groups.reduce((n: number, x: any) => n + x.prompts, 0), 6);
  });

  await t.test('time windows: since/until as a date, ISO 8601 or epoch ms, at the time of each prompt', async () => {
    const prompts = g.gw.store.readStream(`session:${a}`, 1, 1000).filter((e) => e.type === 'PromptSubmitted');
    const second = prompts[1]!.at;
    const from = await usage(g, `?session=${a}&since=${second}`);
    assert.deepEqual([from.totals.prompts, from.totals.input_tokens, from.since], [1, 200, new Date(second).toISOString()]);
    const before = await usage(g, `?session=${a}&until=${encodeURIComponent(new Date(second).toISOString())}`);
    assert.deepEqual([before.totals.prompts, before.totals.input_tokens], [1, 100]);
    assert.deepEqual((await usage(g, '?until=2000-01-01')).totals, none);
    assert.deepEqual((await usage(g, '?since=2999-01-01')).totals, none);
    const today = new Date(prompts[0]!.at).toISOString().slice(0, 10);
    const all = await usage(g, `?since=${today}`);
    assert.equal(all.since, `${today}T00:00:00.000Z`);
    assert.ok(all.totals.prompts >= 2);
  });

  await t.test('bad query values are 400s naming the parameter', async () => {
    const cases: [string, RegExp][] = [
      ['?since=2026-02-30', /^query: since: /],
      ['?since=yesterday', /^query: since: /],
      ['?until=2026-05-01T10:00:00', /^query: until: .*time zone/],
      ['?since=2026-05-02&until=2026-05-01', /^query: until: must not be before since/],
      ['?group_by=week', /^query: group_by: /],
      ['?agent=', /^query: agent: /],
      ['?limit=5', /^query: limit: unknown parameter/],
      ['?agent=demo&agent=mute', /^query: agent: given more than once/],
    ];
    for (const [q, message] of cases) {
      const r = await g.api('GET', `/api/v1/usage${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.error.code, 'invalid_request', q);
      assert.match(r.body.error.message, message, q);
    }
  });

  await t.test('the MCP tool acp_usage answers what REST answers', async () => {
    const rest = await usage(g, '?group_by=token&agent=demo');
    const r = await callTool(g, 'acp_usage', { agent: 'demo', group_by: 'token' });
    assert.equal(r.body.result.isError, undefined, JSON.stringify(r.body));
    assert.deepEqual(r.body.result.structuredContent, rest);
    assert.deepEqual(JSON.parse(r.body.result.content[0].text), rest);
    const bad = await callTool(g, 'acp_usage', { since: '2026-13-01' });
    assert.equal(bad.body.result.isError, true);
    assert.match(bad.body.result.content[0].text, /^Error: since: /);
  });

  await t.test('the figures are a fold of the log: the same after a restart', async () => {
    const before = await usage(g, '?group_by=session');
    await g.close();
    restarted = await startTestGateway({ dir: g.dir, agents: { demo: {}, mute: { flags: ['--no-usage'] } } });
    assert.deepEqual(await usage(restarted, '?group_by=session'), before);
  });
});

test('GET /api/v1/usage needs the read scope', async (t) => {
  const g = await startTestGateway({ tokens: [{ name: 'prompter', token: 'prompter-token-0123456789', scopes: ['prompt'] }] });
  t.after(() => g.dispose());
  const r = await g.api('GET', '/api/v1/usage', undefined, { token: 'prompter-token-0123456789' });
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, 'insufficient_scope');
});
