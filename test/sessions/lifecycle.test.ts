// Sessions end to end over REST with the bundled agent: create, prompt, list, read, close; models; capacity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { says, startTestGateway } from '../helpers/gateway.js';
import { DEMO_AGENT_ENTRY } from '../helpers/paths.js';
import { writeFileSync } from 'node:fs';
import { eventually } from '../helpers/poll.js';

test('create → prompt → get → list → delete, with the agent process stopped at the end', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());

  const created = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
  assert.equal(created.status, 201);
  assert.deepEqual(Object.keys(created.body).sort(), ['agent', 'id', 'model', 'status']);
  assert.equal(created.body.agent, 'demo');
  assert.equal(created.body.status, 'idle');
  assert.equal(created.body.model, 'demo-fast', 'the model the agent reported');
  const id: string = created.body.id;
  assert.match(id, /^demo_[0-9a-f-]{36}$/);

  const p = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('hello gateway'));
  assert.equal(p.status, 200);
  assert.equal(p.body.stop_reason, 'end_turn');
  assert.equal(p.body.text, 'echo: hello gateway');
  assert.equal(p.body.turn, 1);
  const ended = g.gw.store.readAll(p.body.position - 1, 1)[0]!;
  assert.equal(ended.type, 'TurnEnded', 'position is the log position of the turn end');

  // the {role, content} form of API.txt
  const p2 = await g.api('POST', `/api/v1/sessions/${id}/prompt`, { messages: [{ role: 'user', content: [{ type: 'text', text: 'second' }] }] });
  assert.equal(p2.body.text, 'echo: second');

  const one = await g.api('GET', `/api/v1/sessions/${id}`);
  assert.equal(one.status, 200);
  assert.equal(one.body.status, 'idle');
  assert.equal(one.body.turns, 2);
  assert.equal(one.body.attach.path, 'new');
  assert.equal(one.body.capabilities.loadSession, true);
  assert.deepEqual(one.body.pending_approvals, []);

  const list = await g.api('GET', '/api/v1/sessions');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.map((s: { id: string }) => s.id), [id]);

  const live = g.gw.sessions.liveFor(g.gw.sessions.actor(id));
  const pid = live.connection!.pid;
  assert.doesNotThrow(() => process.kill(pid, 0));
  const del = await g.api('DELETE', `/api/v1/sessions/${id}`);
  assert.equal(del.status, 204);
  assert.throws(() => process.kill(pid, 0), 'the agent process is gone after DELETE');
  const after = await g.api('GET', `/api/v1/sessions/${id}`);
  assert.equal(after.body.status, 'closed');
  const again = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('x'));
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'session_closed');

  // every message in and out of the session is in its stream, raw
  const stream = g.gw.store.readStream(`session:${id}`);
  const raw = stream.filter((e) => e.type === 'AcpMessage').map((e) => e.data as { dir: string; msg: { method?: string } });
  assert.ok(raw.some((m) => m.dir === 'out' && m.msg.method === 'initialize'));
  assert.ok(raw.some((m) => m.dir === 'out' && m.msg.method === 'session/new'));
  assert.ok(raw.some((m) => m.dir === 'in' && m.msg.method === 'session/update'));
  assert.equal(stream.filter((e) => e.type === 'TurnEnded').length, 2);
  assert.equal(stream.at(-1)!.type === 'SessionClosed' || stream.some((e) => e.type === 'SessionClosed'), true);
  assert.equal(g.gw.store.verifyChain().ok, true);
});

test('create errors: unknown agent, missing agent, no route, bad repo, bad workspace, unknown fields', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const cases: [unknown, number, string][] = [
    [{ agent: 'nope' }, 404, 'agent_not_found'],
    [{}, 400, 'missing_agent'],
    [{ auto_route: true, prompt: 'fix the React component' }, 400, 'no_route'],
    [{ auto_route: true }, 400, 'invalid_request'],
    [{ agent: 'demo', repo: '-org/repo' }, 400, 'invalid_repo'],
    [{ agent: 'demo', workspace_root: 'relative/dir' }, 400, 'invalid_request'],
    [{ agent: 'demo', workspace_root: join(g.dir, 'data-workspaces', 'not-here') }, 400, 'invalid_workspace'],
    [{ agent: 'demo', workspace_root: '/definitely/not/here' }, 400, 'workspace_not_allowed'],
    [{ agent: 'demo', colour: 'blue' }, 400, 'invalid_request'],
    [{ agent: 42 }, 400, 'invalid_request'],
  ];
  for (const [body, status, code] of cases) {
    const r = await g.api('POST', '/api/v1/sessions', body);
    assert.equal(r.status, status, JSON.stringify(body));
    assert.equal(r.body.error.code, code, JSON.stringify(body));
    assert.equal(typeof r.body.error.message, 'string');
  }
  assert.match((await g.api('POST', '/api/v1/sessions', { agent: 42 })).body.error.message, /agent/);
  assert.deepEqual((await g.api('GET', '/api/v1/sessions')).body, [], 'nothing was created by a rejected request');
  assert.equal(g.gw.store.headPosition(), 0, 'nothing was logged for a rejected request');
});

test('the requested model is applied through the agent; an unknown model is a 400', async (t) => {
  const g = await startTestGateway({
    agents: { demo: {}, legacy: { flags: ['--no-config-options'] }, fixed: { flags: ['--no-config-options', '--no-set-model'], default_model: 'house' } },
  });
  t.after(() => g.dispose());
  for (const agent of ['demo', 'legacy']) {
    const s = await g.api('POST', '/api/v1/sessions', { agent, model: 'demo-smart' });
    assert.equal(s.status, 201);
    assert.equal(s.body.model, 'demo-smart');
    const m = await g.api('POST', `/api/v1/sessions/${s.body.id}/prompt`, says('/model'));
    assert.match(m.body.text, /demo-smart/, `${agent}: the agent itself runs the requested model`);
    const raw = g.gw.store.readStream(`session:${s.body.id}`).map((e) => e.data as { msg?: { method?: string } });
    const method = agent === 'demo' ? 'session/set_config_option' : 'session/set_model';
    assert.ok(raw.some((d) => d.msg?.method === method), `${agent} used ${method}`);
    const changed = await g.api('POST', `/api/v1/sessions/${s.body.id}/model`, { model: 'demo-fast' });
    assert.equal(changed.status, 200);
    assert.deepEqual([changed.body.status, changed.body.model], ['ok', 'demo-fast']);
    assert.match((await g.api('POST', `/api/v1/sessions/${s.body.id}/prompt`, says('/model'))).body.text, /demo-fast/);
    const bad = await g.api('POST', `/api/v1/sessions/${s.body.id}/model`, { model: 'gpt-17' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'unknown_model');
  }
  const unknown = await g.api('POST', '/api/v1/sessions', { agent: 'demo', model: 'gpt-17' });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.error.code, 'unknown_model');
  assert.match(unknown.body.error.message, /demo-fast/);

  const noSelection = await g.api('POST', '/api/v1/sessions', { agent: 'fixed', model: 'other' });
  assert.equal(noSelection.status, 400);
  assert.equal(noSelection.body.error.code, 'model_not_supported');
  const fixedDefault = await g.api('POST', '/api/v1/sessions', { agent: 'fixed' });
  assert.equal(fixedDefault.body.model, 'house');

  const models = await g.api('GET', '/api/v1/agents/demo/models');
  assert.equal(models.status, 200);
  assert.deepEqual(models.body.reported.available, ['demo-fast', 'demo-smart']);
  assert.equal((await g.api('GET', '/api/v1/agents/nope/models')).body.error.code, 'agent_not_found');
});

test('a session whose agent is still starting takes one place, not two', async (t) => {
  // the agent starts only once the gate file exists, so the first session stays in its attach while the second is made
  const gateDir = mkdtempSync(join(tmpdir(), 'aix-gate-'));
  const gate = join(gateDir, 'open');
  t.after(() => rmSync(gateDir, { recursive: true, force: true }));
  const gated = {
    command: '/bin/sh',
    args: ['-c', `while [ ! -e '${gate}' ]; do sleep 0.05; done; exec '${process.execPath}' '${DEMO_AGENT_ENTRY}'`],
    max_sessions: 2,
  };
  const g = await startTestGateway({ agents: { gated } });
  t.after(() => g.dispose());
  const first = g.api('POST', '/api/v1/sessions', { agent: 'gated' });
  await eventually(async () => ((await g.api('GET', '/api/v1/sessions')).body as unknown[]).length === 1, 10_000, 'the first session exists');
  const second = g.api('POST', '/api/v1/sessions', { agent: 'gated' });
  await eventually(async () => ((await g.api('GET', '/api/v1/sessions')).body as unknown[]).length === 2, 10_000, 'the second session was admitted');
  writeFileSync(gate, '');
  assert.deepEqual([(await first).status, (await second).status], [201, 201]);
  assert.equal((await g.api('POST', '/api/v1/sessions', { agent: 'gated' })).body.error?.code, 'max_sessions_reached');
});

test('max_sessions is enforced atomically under concurrent creates', async (t) => {
  const g = await startTestGateway({ agents: { demo: { max_sessions: 2 } } });
  t.after(() => g.dispose());
  const results = await Promise.all(Array.from({ length: 6 }, () => g.api('POST', '/api/v1/sessions', { agent: 'demo' })));
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [201, 201, 429, 429, 429, 429]);
  for (const r of results.filter((x) => x.status === 429)) assert.equal(r.body.error.code, 'max_sessions_reached');
  const status = await g.api('GET', '/api/v1/agents/status');
  assert.deepEqual(
    status.body.map((a: Record<string, unknown>) => [a.name, a.status, a.active_sessions, a.max_sessions]),
    [['demo', 'idle', 2, 2]],
  );
  // closing one frees a slot
  const first = results.find((r) => r.status === 201)!;
  assert.equal((await g.api('DELETE', `/api/v1/sessions/${first.body.id}`)).status, 204);
  assert.equal((await g.api('POST', '/api/v1/sessions', { agent: 'demo' })).status, 201);
});

test('a given workspace_root is used as the session cwd', async (t) => {
  const ws = mkdtempSync(join(tmpdir(), 'aix-ws-'));
  const g = await startTestGateway({ workspaces: { allowed_roots: [ws] } });
  t.after(async () => {
    await g.dispose();
    rmSync(ws, { recursive: true, force: true });
  });
  const s = await g.api('POST', '/api/v1/sessions', { agent: 'demo', workspace_root: ws });
  assert.equal(s.status, 201);
  const w = await g.api('POST', `/api/v1/sessions/${s.body.id}/prompt`, says('/write notes.txt written by the agent'));
  assert.match(w.body.text, /wrote/);
  const { readFileSync } = await import('node:fs');
  assert.equal(readFileSync(join(ws, 'notes.txt'), 'utf8'), 'written by the agent');
  const got = await g.api('GET', `/api/v1/sessions/${s.body.id}`);
  assert.equal(got.body.workspace_root, ws);
  await eventually(() => true);
});
