// Token scopes on the REST and SSE routes: a read-only token reads and streams but can change nothing, a prompt-only
// token cannot approve, an approve-only token cannot prompt, admin does everything; a refusal changes nothing, and
// the scopes the caller held are recorded on each command event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TOKEN, says, startTestGateway } from '../helpers/gateway.js';
import { readSse } from '../helpers/sse.js';
import { ADMIN, APPROVER, PROMPTER, READER, SCOPED_TOKENS, assertRefused, metaOf } from './scope-tokens.js';
import { eventually } from '../helpers/poll.js';

test('REST: read reads and streams; prompt, create, cancel, model, delete and approve need their scopes', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'ask' }, tokens: SCOPED_TOKENS });
  t.after(() => g.dispose());
  const created = await g.api('POST', '/api/v1/sessions', { agent: 'demo' }, { token: ADMIN });
  assert.equal(created.status, 201, 'admin creates');
  const id = created.body.id;
  assert.equal((await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('hello'), { token: ADMIN })).body.text, 'echo: hello');

  for (const path of [
    '/api/v1/agents',
    '/api/v1/agents/status',
    '/api/v1/agents/demo/models',
    '/api/v1/sessions',
    `/api/v1/sessions/${id}`,
    `/api/v1/sessions/${id}/events`,
    '/api/v1/approvals',
    '/api/v1/audit/verify',
    '/api/v1/audit/export',
  ]) {
    assert.equal((await g.api('GET', path, undefined, { token: READER })).status, 200, `read: GET ${path}`);
  }
  const sse = await readSse(`${g.url}/api/v1/sessions/${id}/events?follow=false`, {
    headers: { authorization: `Bearer ${READER}`, accept: 'text/event-stream' },
  });
  assert.equal(sse.status, 200);
  assert.ok(sse.ended && sse.frames.some((f) => f.data.includes('"TurnEnded"')), 'read streams the log over SSE');

  const head = g.gw.store.headPosition();
  const refusals: [string, string, unknown, string][] = [
    ['POST', '/api/v1/sessions', { agent: 'demo' }, 'prompt'],
    ['POST', `/api/v1/sessions/${id}/prompt`, says('no'), 'prompt'],
    ['POST', `/api/v1/sessions/${id}/stream`, says('no'), 'prompt'],
    ['POST', '/api/v1/stream', { agent: 'demo', ...says('no') }, 'prompt'],
    ['POST', `/api/v1/sessions/${id}/cancel`, undefined, 'prompt'],
    ['POST', `/api/v1/sessions/${id}/model`, { model: 'demo-smart' }, 'prompt'],
    ['DELETE', `/api/v1/sessions/${id}`, undefined, 'prompt'],
    ['POST', '/api/v1/approvals/ap_any', { decision: 'allow_once' }, 'approve'],
    ['POST', `/api/v1/sessions/${id}/fork`, {}, 'prompt'],
  ];
  for (const [method, path, body, scope] of refusals) {
    assertRefused(await g.api(method, path, body, { token: READER }), scope, `read: ${method} ${path}`);
  }
  assert.equal(g.gw.store.headPosition(), head, 'nothing a refused request asked for reached the log');
  assert.equal((await g.api('GET', `/api/v1/sessions/${id}`, undefined, { token: READER })).body.status, 'idle');

  // the prompt-only token drives sessions but reads nothing and decides nothing
  assertRefused(await g.api('GET', '/api/v1/sessions', undefined, { token: PROMPTER }), 'read', 'prompt: GET /sessions');
  assertRefused(await g.api('GET', `/api/v1/sessions/${id}/events`, undefined, { token: PROMPTER }), 'read', 'prompt: GET events');
  assert.equal((await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('from prompter'), { token: PROMPTER })).body.text, 'echo: from prompter');
  const turn = g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/permission execute make build'), { token: PROMPTER });
  const pending = await eventually(async () => (await g.api('GET', '/api/v1/approvals', undefined, { token: READER })).body[0], 5000, 'a pending approval');
  const decide = `/api/v1/approvals/${pending.approval_id}`;
  assertRefused(await g.api('POST', decide, { decision: 'allow_once' }, { token: PROMPTER }), 'approve', 'prompt: decide');
  assertRefused(await g.api('POST', decide, { decision: 'allow_once' }, { token: READER }), 'approve', 'read: decide');
  assert.equal((await g.api('GET', '/api/v1/approvals', undefined, { token: READER })).body.length, 1, 'still pending');

  // the approve-only token decides, and can do nothing else
  assertRefused(await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('no'), { token: APPROVER }), 'prompt', 'approve: prompt');
  assertRefused(await g.api('POST', '/api/v1/sessions', { agent: 'demo' }, { token: APPROVER }), 'prompt', 'approve: create');
  assertRefused(await g.api('GET', '/api/v1/approvals', undefined, { token: APPROVER }), 'read', 'approve: list');
  const decided = await g.api('POST', decide, { decision: 'allow_once' }, { token: APPROVER });
  assert.equal(decided.status, 200);
  assert.equal(decided.body.decided_by, 'approver');
  assert.equal((await turn).body.text, 'permission: selected allow');

  // admin: every scope
  assert.equal((await g.api('POST', `/api/v1/sessions/${id}/model`, { model: 'demo-smart' }, { token: ADMIN })).status, 200);
  assert.equal((await g.api('POST', `/api/v1/sessions/${id}/cancel`, undefined, { token: ADMIN })).status, 200);
  assert.equal((await g.api('GET', `/api/v1/sessions/${id}/events`, undefined, { token: ADMIN })).status, 200);
  assert.equal((await g.api('POST', `/api/v1/sessions/${id}/fork`, {}, { token: ADMIN })).status, 201);
  assert.equal((await g.api('DELETE', `/api/v1/sessions/${id}`, undefined, { token: ADMIN })).status, 204);

  // each command event records who and under which scopes
  assert.deepEqual(metaOf(g, id, 'SessionCreated').map((m) => [m.principal, m.scopes]), [['admin', ['admin']]]);
  assert.deepEqual(
    metaOf(g, id, 'PromptSubmitted').map((m) => [m.principal, m.scopes]),
    [['admin', ['admin']], ['prompter', ['prompt']], ['prompter', ['prompt']]],
  );
  const byPerson = metaOf(g, id, 'PermissionDecided').filter((m) => m.principal === 'approver');
  assert.deepEqual(byPerson.map((m) => m.scopes), [['approve']]);
  assert.deepEqual(metaOf(g, id, 'SessionClosed').map((m) => [m.principal, m.scopes]), [['admin', ['admin']]]);
});

test('REST: a token configured without scopes holds all four, and its events record them', async (t) => {
  const g = await startTestGateway({ tokens: SCOPED_TOKENS });
  t.after(() => g.dispose());
  const id = (await g.api('POST', '/api/v1/sessions', { agent: 'demo' }, { token: TOKEN })).body.id;
  assert.equal((await g.api('GET', `/api/v1/sessions/${id}`)).status, 200);
  assert.deepEqual(metaOf(g, id, 'SessionCreated')[0]!.scopes, ['read', 'prompt', 'approve', 'admin']);
});

test('REST: /metrics when not public needs admin', async (t) => {
  const g = await startTestGateway({ server: { metrics_public: false }, tokens: SCOPED_TOKENS });
  t.after(() => g.dispose());
  const metrics = (token: string | null) => g.api('GET', '/metrics', undefined, { token });
  assert.equal((await metrics(null)).status, 401);
  assertRefused(await metrics(READER), 'admin', 'read: /metrics');
  assertRefused(await metrics(APPROVER), 'admin', 'approve: /metrics');
  assert.equal((await metrics(ADMIN)).status, 200);
  assert.equal((await metrics(TOKEN)).status, 200, 'a token without configured scopes is an admin');
  const open = await startTestGateway({ tokens: SCOPED_TOKENS });
  t.after(() => open.dispose());
  assert.equal((await open.api('GET', '/metrics', undefined, { token: null })).status, 200, 'public metrics stay open');
});
