// POST /api/v1/orchestrate with parallel and race against a real gateway and bundled demo agents: results in request
// order with their sessions (ordinary sessions, origin orchestration), best-of-N with one agent, the race won by the
// first end_turn with every loser cancelled, closed and its agent process gone, a race nobody wins, the SSE answer,
// list / get / events / delete, and every refusal before anything starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSse } from '../helpers/sse.js';
import { startTestGateway, TOKEN } from '../helpers/gateway.js';
import { eventually } from '../helpers/poll.js';
import { AGENTS, agentPids, alive, orchestrate, orchestrationEvents, task } from './helpers.js';

test('parallel: every candidate runs, results in request order, each an ordinary session of origin orchestration', async (t) => {
  const g = await startTestGateway({ agents: AGENTS });
  t.after(() => g.dispose());
  const o = await orchestrate(g, { agents: ['alpha', 'beta', 'demo', 'demo'], strategy: 'parallel' });
  assert.equal(o.strategy, 'parallel');
  assert.equal(o.status, 'completed');
  assert.equal(typeof o.duration_ms, 'number');
  assert.deepEqual(o.results.map((r: any) => r.agent), ['alpha', 'beta', 'demo', 'demo']);
  assert.deepEqual([...o.results.map((r: any) => r.label)].sort(), ['A', 'B', 'C', 'D']);
  assert.match(o.results[0].text, /^echo: alpha says\nwrite a haiku/);
  assert.match(o.results[1].text, /^echo: beta says/);
  for (const r of o.results) {
    assert.equal(r.status, 'completed');
    assert.equal(r.stop_reason, 'end_turn');
    assert.ok('usage' in r);
  }
  assert.equal(new Set(o.results.map((r: any) => r.session_id)).size, 4, 'best-of-N: one session per candidate');
  const sessions = (await g.api('GET', '/api/v1/sessions')).body as any[];
  for (const r of o.results) {
    const s = sessions.find((x) => x.id === r.session_id);
    assert.ok(s, 'listed in GET /sessions');
    assert.equal(s.origin, 'orchestration');
  }
  // the actor's own stream: started (labels, seed, label order), each candidate's end, the end
  const started = orchestrationEvents(g, o.id, 'OrchestrationStarted')[0]!.data as any;
  assert.equal(typeof started.seed, 'number');
  assert.deepEqual(started.label_order, o.results.map((r: any) => r.label));
  assert.equal(orchestrationEvents(g, o.id, 'CandidateEnded').length, 4);
  assert.equal((orchestrationEvents(g, o.id, 'OrchestrationEnded')[0]!.data as any).status, 'completed');

  const list = await g.api('GET', '/api/v1/orchestrations');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.map((x: any) => x.id), [o.id]);
  const got = await g.api('GET', `/api/v1/orchestrations/${o.id}`);
  assert.deepEqual(got.body, o);
  const page = await g.api('GET', `/api/v1/orchestrations/${o.id}/events?limit=2`);
  assert.deepEqual(page.body.events.map((e: any) => e.type), ['OrchestrationStarted', 'CandidateStarted']);
  const rest = await g.api('GET', `/api/v1/orchestrations/${o.id}/events?after=${page.body.next_after}`);
  assert.equal(rest.body.events.at(-1).type, 'OrchestrationEnded');
  const sse = await readSse(`${g.url}/api/v1/orchestrations/${o.id}/events?follow=false`, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' } });
  assert.equal(sse.frames.length, 10);
  assert.deepEqual(sse.frames.map((f) => f.id), orchestrationEvents(g, o.id).map((e) => e.position));

  // delete: its sessions are closed, and it is gone
  assert.equal((await g.api('DELETE', `/api/v1/orchestrations/${o.id}`)).status, 204);
  assert.equal((await g.api('GET', `/api/v1/orchestrations/${o.id}`)).status, 404);
  for (const r of o.results) assert.equal((await g.api('GET', `/api/v1/sessions/${r.session_id}`)).body.status, 'closed');
});

test('race: the first end_turn wins; every loser gets session/cancel, is closed, ends cancelled, and no agent process is left', async (t) => {
  const g = await startTestGateway({ agents: AGENTS });
  t.after(() => g.dispose());
  // the winner streams for 3 s before its end_turn, so the others are surely running by then
  const o = await orchestrate(g, { agents: ['slowpoke', 'failing', 'steady', 'slowpoke'], strategy: 'race' });
  assert.equal(o.status, 'completed');
  assert.equal(o.winner.agent, 'steady');
  assert.equal(o.winner.label, o.results[2].label);
  assert.deepEqual(o.results.map((r: any) => r.status), ['cancelled', 'failed', 'completed', 'cancelled']);
  assert.equal(o.results[1].error.code !== undefined, true);
  for (const i of [0, 1, 3]) {
    const id = o.results[i].session_id;
    assert.equal((await g.api('GET', `/api/v1/sessions/${id}`)).body.status, 'closed');
    const pids = agentPids(g, id);
    assert.ok(pids.length > 0);
    for (const pid of pids) assert.equal(alive(pid), false, `loser ${id}'s agent process ${pid} is gone`);
  }
  // the losers' running turns were asked to cancel (session/cancel went out)
  for (const i of [0, 3]) {
    const sent = g.gw.store.readStream(`session:${o.results[i].session_id}`).filter((e) => e.type === 'AcpMessage' && (e.data as any).msg?.method === 'session/cancel');
    assert.equal(sent.length, 1);
  }
  const won = orchestrationEvents(g, o.id, 'RaceWon')[0]!.data as any;
  assert.equal(won.label, o.winner.label);
  assert.deepEqual([...won.cancelled].sort(), [o.results[0].label, o.results[3].label].sort());
  // every candidate ran in a session step: the winner's is closed too once its answer is recorded
  assert.equal((await g.api('GET', `/api/v1/sessions/${o.winner.session_id}`)).body.status, 'closed');
});

test('race that nobody wins: failed, with every candidate error', async (t) => {
  const g = await startTestGateway({ agents: AGENTS });
  t.after(() => g.dispose());
  const o = await orchestrate(g, { agents: ['failing', 'failing'], strategy: 'race' });
  assert.equal(o.status, 'failed');
  assert.equal(o.winner, undefined);
  assert.match(o.reason, /demo failure.*demo failure/);
});

test('SSE: orchestration_started, candidate_update, candidate_complete, orchestration_complete, each with its log position', async (t) => {
  const g = await startTestGateway({ agents: AGENTS });
  t.after(() => g.dispose());
  const r = await readSse(`${g.url}/api/v1/orchestrate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream', 'content-type': 'application/json' },
    body: JSON.stringify({ ...task(), agents: ['alpha', 'beta'], strategy: 'parallel' }),
  });
  assert.equal(r.status, 200);
  assert.equal(r.ended, true);
  const names = r.frames.map((f) => f.event);
  assert.equal(names[0], 'orchestration_started');
  assert.equal(names.at(-1), 'orchestration_complete');
  assert.equal(names.filter((n) => n === 'candidate_complete').length, 2);
  const updates = r.frames.filter((f) => f.event === 'candidate_update').map((f) => JSON.parse(f.data));
  assert.ok(updates.some((u) => u.agent === 'alpha' && u.update?.sessionUpdate === 'agent_message_chunk'));
  const ids = r.frames.map((f) => f.id!);
  assert.ok(ids.every((id) => Number.isInteger(id)));
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i]! >= ids[i - 1]!, 'log order');
  const done = JSON.parse(r.frames.at(-1)!.data);
  assert.equal(done.status, 'completed');
  assert.equal(done.results.length, 2);
  // a chunk's frame id is the position of its AcpMessage in the candidate's session log
  const chunk = r.frames.find((f) => f.event === 'candidate_update' && JSON.parse(f.data).update?.sessionUpdate === 'agent_message_chunk')!;
  const logged = g.gw.store.readAll(chunk.id! - 1, 1)[0]!;
  assert.equal(logged.type, 'AcpMessage');
});

test('admission is all or nothing: unknown agents, too few or too many candidates, no judge, capacity; nothing starts', async (t) => {
  const g = await startTestGateway({ agents: { ...AGENTS, capped: { max_sessions: 1 } }, limits: { max_candidates: 3, max_sessions_total: 6 } });
  t.after(() => g.dispose());
  const refused = async (body: Record<string, unknown>, status: number, code: string, message?: RegExp) => {
    const r = await g.api('POST', '/api/v1/orchestrate', { ...task(), ...body });
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.error.code, code);
    if (message) assert.match(r.body.error.message, message);
  };
  await refused({ agents: ['alpha', 'nobody'], strategy: 'parallel' }, 400, 'agent_not_found', /'nobody'/);
  await refused({ agents: ['alpha', 'beta'], strategy: 'jury', judge: 'nobody' }, 400, 'agent_not_found', /'nobody'/);
  await refused({ agents: ['alpha'], strategy: 'race' }, 400, 'invalid_request', /at least two/);
  await refused({ agents: ['alpha'], strategy: 'jury', judge: 'judge-beta' }, 400, 'invalid_request', /at least two/);
  await refused({ agents: ['alpha', 'beta'], strategy: 'jury' }, 400, 'judge_required');
  await refused({ agents: ['alpha', 'beta'], strategy: 'parallel', judge: 'judge-beta' }, 400, 'invalid_request');
  await refused({ agents: ['alpha', 'beta', 'demo', 'demo'], strategy: 'parallel' }, 400, 'too_many_candidates', /max_candidates is 3/);
  await refused({ agents: ['capped', 'capped'], strategy: 'parallel' }, 429, 'max_sessions_reached', /'capped'/);
  await refused({ agents: [], strategy: 'parallel' }, 400, 'invalid_request');
  await refused({ agents: ['alpha'], strategy: 'sideways' }, 400, 'invalid_request');
  await refused({ agents: ['alpha'], strategy: 'parallel', extra: 1 }, 400, 'invalid_request');
  await refused({ agents: ['alpha'], strategy: 'parallel', workspace_root: '/etc' }, 400, 'workspace_not_allowed');
  const noMessages = await g.api('POST', '/api/v1/orchestrate', { agents: ['alpha'], strategy: 'parallel' });
  assert.equal(noMessages.status, 400);
  // the total: four open sessions leave room for two
  for (const agent of ['demo', 'demo', 'delta', 'delta']) {
    const r = await g.api('POST', '/api/v1/sessions', { agent });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  await refused({ agents: ['alpha', 'beta', 'gamma'], strategy: 'parallel' }, 429, 'max_sessions_reached', /room for 2/);
  // nothing was started by any of them
  assert.equal((await g.api('GET', '/api/v1/sessions')).body.length, 4);
  assert.deepEqual((await g.api('GET', '/api/v1/orchestrations')).body, []);
  assert.equal([...g.gw.store.iterate({ type: 'OrchestrationStarted' })].length, 0);
  assert.equal((await g.api('GET', '/api/v1/orchestrations/nope')).status, 404);
  assert.equal((await g.api('DELETE', '/api/v1/orchestrations/nope')).status, 404);
  assert.equal((await g.api('POST', '/api/v1/orchestrations/nope/resume')).status, 404);
  assert.equal((await g.api('POST', '/api/v1/orchestrate', task(), { token: null })).status, 401);
});

test('delete while candidates run: cancelled, sessions closed, no agent process left', async (t) => {
  const g = await startTestGateway({ agents: AGENTS });
  t.after(() => g.dispose());
  const pending = g.api('POST', '/api/v1/orchestrate', { ...task(), agents: ['slowpoke', 'slowpoke'], strategy: 'parallel' });
  const id = await eventually(() => g.gw.orchestrations.actors()[0]?.id, 10_000, 'the orchestration');
  const candidates = () => g.gw.orchestrations.actor(id).snapshot().context.candidates;
  await eventually(() => candidates().every((c) => c.session_id !== null && agentPids(g, c.session_id).length > 0), 10_000, 'the candidates running');
  const sessions = candidates().map((c) => c.session_id!);
  assert.equal((await g.api('DELETE', `/api/v1/orchestrations/${id}`)).status, 204);
  for (const s of sessions) {
    assert.equal((await g.api('GET', `/api/v1/sessions/${s}`)).body.status, 'closed');
    for (const pid of agentPids(g, s)) assert.equal(alive(pid), false);
  }
  const r = await pending;
  assert.equal(r.status, 404, 'the blocking request learns that it was deleted');
});
