// The permission policy and approvals with the bundled agent: allow, deny, ask → approved over REST, ask → deadline,
// allow_always leaving a session rule, and who decided.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { says, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/poll.js';

async function session(g: TestGateway): Promise<string> {
  const r = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
  assert.equal(r.status, 201);
  return r.body.id;
}

function decisions(g: TestGateway, id: string) {
  return g.gw.store
    .readStream(`session:${id}`)
    .filter((e) => e.type === 'PermissionDecided')
    .map((e) => e.data as { decision: string; option_id: string | null; decided_by: string; reason?: string });
}

test('policy allow and deny answer without a person, choosing among the offered options', async (t) => {
  const g = await startTestGateway({
    permissions: { default: 'ask', rules: [{ decision: 'allow', kind: ['read'] }, { decision: 'deny', kind: ['delete'] }] },
  });
  t.after(() => g.dispose());
  const id = await session(g);
  const allowed = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/permission read Read a file'));
  assert.equal(allowed.body.text, 'permission: selected allow');
  const denied = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/permission delete Remove a file'));
  assert.equal(denied.body.text, 'permission: selected reject');
  assert.deepEqual(
    decisions(g, id).map((d) => [d.decision, d.option_id, d.decided_by]),
    [
      ['allow_once', 'allow', 'policy'],
      ['reject_once', 'reject', 'policy'],
    ],
  );
});

test('ask → pending approval → approved over REST; the decider and reason are recorded', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'ask' } });
  t.after(() => g.dispose());
  const id = await session(g);
  const turn = g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/permission execute make build'));
  const pending = await eventually(async () => {
    const r = await g.api('GET', '/api/v1/approvals');
    return r.body.length === 1 ? r.body[0] : undefined;
  }, 5000, 'a pending approval');
  assert.equal(pending.session_id, id);
  assert.equal(pending.method, 'session/request_permission');
  assert.equal(pending.tool_call.title, 'make build');
  assert.deepEqual(pending.options.map((o: { kind: string }) => o.kind), ['allow_always', 'allow_once', 'reject_once']);
  assert.ok(Date.parse(pending.deadline) > Date.now());
  const s = await g.api('GET', `/api/v1/sessions/${id}`);
  assert.equal(s.body.status, 'awaiting_permission');
  assert.equal(s.body.pending_approvals[0].approval_id, pending.approval_id);
  assert.deepEqual((await g.api('GET', `/api/v1/approvals?session_id=${id}`)).body.length, 1);
  assert.deepEqual((await g.api('GET', '/api/v1/approvals?session_id=other')).body, []);

  const bad = await g.api('POST', `/api/v1/approvals/${pending.approval_id}`, { decision: 'maybe' });
  assert.equal(bad.status, 400);
  const decided = await g.api('POST', `/api/v1/approvals/${pending.approval_id}`, { decision: 'allow_once', reason: 'looks safe' });
  assert.equal(decided.status, 200);
  assert.deepEqual([decided.body.decision, decided.body.option_id, decided.body.decided_by], ['allow_once', 'allow', 'tester']);
  assert.equal((await turn).body.text, 'permission: selected allow');
  const again = await g.api('POST', `/api/v1/approvals/${pending.approval_id}`, { decision: 'reject_once' });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'approval_already_decided');
  assert.equal((await g.api('POST', '/api/v1/approvals/ap_unknown', { decision: 'allow_once' })).status, 404);
  const d = decisions(g, id)[0]!;
  assert.deepEqual([d.decided_by, d.reason], ['tester', 'looks safe']);
});

test('ask → nobody decides → the deadline rejects it', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'ask', approval_timeout_secs: 1 } });
  t.after(() => g.dispose());
  const id = await session(g);
  const started = Date.now();
  const r = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/permission execute rm -rf build'));
  assert.equal(r.body.text, 'permission: selected reject');
  assert.ok(Date.now() - started >= 900, 'answered at the deadline, not before');
  const d = decisions(g, id)[0]!;
  assert.deepEqual([d.decision, d.option_id, d.decided_by], ['reject_once', 'reject', 'deadline']);
  assert.deepEqual((await g.api('GET', '/api/v1/approvals')).body, []);
});

test('allow_always answers with the agent\'s always option and allows the same command for the rest of the session', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'ask' } });
  t.after(() => g.dispose());
  const id = await session(g);
  const first = g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/permission execute npm test'));
  const pending = await eventually(async () => (await g.api('GET', '/api/v1/approvals')).body[0], 5000, 'approval');
  await g.api('POST', `/api/v1/approvals/${pending.approval_id}`, { decision: 'allow_always' });
  assert.equal((await first).body.text, 'permission: selected allow_always');
  const second = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/permission execute npm test'));
  assert.equal(second.body.text, 'permission: selected allow', 'the session rule allowed it without asking');
  assert.equal(decisions(g, id)[1]!.decided_by, 'session_rule');
  // a different command still asks
  const third = g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/permission execute npm publish'));
  const p3 = await eventually(async () => (await g.api('GET', '/api/v1/approvals')).body[0], 5000, 'approval');
  await g.api('POST', `/api/v1/approvals/${p3.approval_id}`, { decision: 'reject_once' });
  assert.equal((await third).body.text, 'permission: selected reject');
});

test('cancelling a turn answers its pending approval `cancelled`', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'ask' } });
  t.after(() => g.dispose());
  const id = await session(g);
  const turn = g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/permission execute deploy'));
  await eventually(async () => (await g.api('GET', '/api/v1/approvals')).body[0], 5000, 'approval');
  await g.api('POST', `/api/v1/sessions/${id}/cancel`);
  const r = await turn;
  assert.equal(r.body.stop_reason, 'cancelled');
  const d = decisions(g, id)[0]!;
  assert.deepEqual([d.decision, d.option_id, d.decided_by], ['cancelled', null, 'cancel']);
});
